"""The tracker for a service: the one place that knows which class serves which."""

from __future__ import annotations

from ..core.models import Service
from .clockify import ClockifyTracker
from .gateway import Gateway
from .toggl import TogglTracker
from .tracker import Tracker


def make_tracker(service: Service, gateway: Gateway, connection_id: str | None = None) -> Tracker:
    cls = TogglTracker if service is Service.TOGGL else ClockifyTracker
    return cls(gateway, connection_id)
