"""The timesheet's request budget (bench/budget.py `timesheet`), asserted: request counts per
action on both services, never times."""

from __future__ import annotations

import pytest

from bench.budget import BIG_WEEK, timesheet
from trayapp.core.models import Service

COMMON = {
    "open today, fresh": 0,  # the cache is fresh: no request
    "open today, stale": 1,  # at most one
    "open last week, stale": 1,
    f"open a past week of {BIG_WEEK}, again": 0,
    "add a past entry": 1,
    "edit it (description, start)": 1,
    "delete it": 1,
    "add, edit and delete before sending": 0,  # folded, then forgotten: nothing to send
}
BUDGET = {
    Service.TOGGL: {**COMMON, "open this week, just after": 0,
                    f"open a past week of {BIG_WEEK}, first time": 1},  # one request a week
    Service.CLOCKIFY: {**COMMON, "open this week, just after": 1,
                       f"open a past week of {BIG_WEEK}, first time": BIG_WEEK // 200},  # pages
}


@pytest.mark.parametrize("service", [Service.TOGGL, Service.CLOCKIFY], ids=["toggl", "clockify"])
def test_timesheet_request_budget(service):
    assert timesheet(service)["timesheet_requests"] == BUDGET[service]
