"""The manager's request budget (bench/budget.py `manager`): each catalog change costs one
request, a Clockify delete of an active project or task two (archived or marked done first,
as Clockify demands), and a project made with a timer on it is sent before the timer."""

from __future__ import annotations

import pytest

from bench.budget import manager
from trayapp.core.models import Service

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("service", [Service.TOGGL, Service.CLOCKIFY], ids=["toggl", "clockify"])
def test_manager_actions_cost_one_request_each(service):
    counts = manager(service)["manager_requests"]
    twice = {"delete an active project", "delete an active task",
             "add a project and a timer on it"} if service is Service.CLOCKIFY else {
        "add a project and a timer on it"}
    for action, spent in counts.items():
        if action.startswith("load the catalog"):
            assert spent == 3  # projects, clients, tags
        elif action == "add a project and a timer on it" and service is Service.CLOCKIFY:
            assert spent == 3  # the project; the start looks for a running timer first
        else:
            assert spent == (2 if action in twice else 1), action
