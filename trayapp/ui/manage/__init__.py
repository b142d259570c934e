"""The manager window: projects, clients, tags and (Clockify) tasks."""

from .host import ManageHost

__all__ = ["ManageHost"]
