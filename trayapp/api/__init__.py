"""Talking to Toggl Track and Clockify through the Maton gateway. httpx only, no Qt."""
