"""Clockify account state and its JSON shapes (api-facts.md section 2).

Records are plain dicts with Clockify's camelCase names; times are epoch seconds:
  entry:   id, workspaceId, userId, description, projectId, taskId, tagIds (list | None),
           billable, start (int), end (int | None: None = running), type
  project: id, workspaceId, name, clientId ("" = none), color, archived, billable, public, note
  client:  id, workspaceId, name, archived, note, address, email
  tag:     id, workspaceId, name, archived
  task:    id, projectId, name, status ("ACTIVE" | "DONE"), billable, assigneeIds
Deleted records are removed: Clockify has no incremental sync that reports deletions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import seed as seed_data
from .timefmt import iso_duration, z_seconds

__all__ = ["ClockifyStore"]

_ID_PREFIX = 0x66A0C0DE  # an ObjectId-like timestamp prefix; the counter makes ids unique


def _rate() -> dict[str, Any]:
    return {"amount": 0, "currency": "USD"}


class ClockifyStore:
    def __init__(self, clock: Callable[[], float], seed: bool = True) -> None:
        self.clock = clock
        self._counter = 0
        demo = seed_data.DEMO
        self.user_id = self.new_id()
        self.workspace_id = self.new_id()
        self.users: list[dict[str, Any]] = [
            {"id": self.user_id, "name": demo.user_name, "email": demo.user_email}
        ]
        self.workspaces: list[dict[str, Any]] = [
            {"id": self.workspace_id, "name": demo.workspace_name}
        ]
        self.entries: list[dict[str, Any]] = []
        self.projects: list[dict[str, Any]] = []
        self.clients: list[dict[str, Any]] = []
        self.tags: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        if seed:
            self._load_seed()

    def new_id(self) -> str:
        self._counter += 1
        return f"{_ID_PREFIX:08x}{self._counter:016x}"

    # ---- lookups (always scoped to a workspace) ---------------------------------------------

    @staticmethod
    def _find(items: list[dict[str, Any]], wid: str, item_id: Any) -> dict[str, Any] | None:
        return next((i for i in items if i["id"] == item_id and i["workspaceId"] == wid), None)

    def workspace(self, wid: str) -> dict[str, Any] | None:
        return next((w for w in self.workspaces if w["id"] == wid), None)

    def user(self, uid: str) -> dict[str, Any] | None:
        return next((u for u in self.users if u["id"] == uid), None)

    def entry(self, wid: str, entry_id: str) -> dict[str, Any] | None:
        return self._find(self.entries, wid, entry_id)

    def project(self, wid: str, project_id: Any) -> dict[str, Any] | None:
        return self._find(self.projects, wid, project_id)

    def client(self, wid: str, client_id: Any) -> dict[str, Any] | None:
        return self._find(self.clients, wid, client_id)

    def tag(self, wid: str, tag_id: Any) -> dict[str, Any] | None:
        return self._find(self.tags, wid, tag_id)

    def task(self, project_id: str, task_id: Any) -> dict[str, Any] | None:
        return next(
            (t for t in self.tasks if t["id"] == task_id and t["projectId"] == project_id), None
        )

    def running(self, wid: str, uid: str | None = None) -> list[dict[str, Any]]:
        return [
            e for e in self.entries
            if e["workspaceId"] == wid and e["end"] is None and uid in (None, e["userId"])
        ]

    # ---- creation helpers -------------------------------------------------------------------

    def add(self, kind: str, **fields: Any) -> dict[str, Any]:
        defaults: dict[str, dict[str, Any]] = {
            "entry": {"description": "", "projectId": None, "taskId": None, "tagIds": None,
                      "billable": False, "end": None, "type": "REGULAR",
                      "userId": self.user_id},
            "project": {"clientId": "", "color": "#0b83d9", "archived": False, "billable": True,
                        "public": True, "note": ""},
            "client": {"archived": False, "note": "", "address": None, "email": None},
            "tag": {"archived": False},
            "task": {"status": "ACTIVE", "billable": True, "assigneeIds": []},
        }
        record = {"id": self.new_id(), **defaults[kind], **fields}
        if kind != "task":
            record.setdefault("workspaceId", self.workspace_id)
        getattr(self, {"entry": "entries"}.get(kind, kind + "s")).append(record)
        return record

    # ---- wire shapes ------------------------------------------------------------------------

    def entry_json(self, e: dict[str, Any], write: bool = False,
                   hydrated: bool = False) -> dict[str, Any]:
        """Reads carry hourlyRate/costRate; write responses (TimeEntryDtoImplV1) do not."""
        running = e["end"] is None
        out: dict[str, Any] = {
            "id": e["id"],
            "description": e["description"],
            "tagIds": list(e["tagIds"]) if e["tagIds"] is not None else None,
            "userId": e["userId"],
            "billable": e["billable"],
            "taskId": e["taskId"],
            "projectId": e["projectId"],
            "workspaceId": e["workspaceId"],
            "timeInterval": {
                "start": z_seconds(e["start"]),
                # A running entry has end AND duration null (not "PT0S").
                "end": None if running else z_seconds(e["end"]),
                "duration": None if running else iso_duration(e["end"] - e["start"]),
            },
            "customFieldValues": [],
            "type": e["type"],
            "kioskId": None,
        }
        if not write:
            out["hourlyRate"] = _rate()
            out["costRate"] = _rate()
        out["isLocked"] = False
        if hydrated:
            project = self.project(e["workspaceId"], e["projectId"])
            task = self.task(e["projectId"], e["taskId"]) if e["projectId"] else None
            out["project"] = self.project_json(project) if project else None
            out["task"] = self.task_json(task) if task else None
            out["tags"] = [self.tag_json(t) for i in (e["tagIds"] or [])
                           if (t := self.tag(e["workspaceId"], i))]
        return out

    def _tracked(self, key: str, value: str) -> str:
        now = int(self.clock())
        seconds = sum(
            (e["end"] if e["end"] is not None else now) - e["start"]
            for e in self.entries if e[key] == value
        )
        return iso_duration(seconds)

    def project_json(self, p: dict[str, Any]) -> dict[str, Any]:
        client = self.client(p["workspaceId"], p["clientId"]) if p["clientId"] else None
        return {
            "archived": p["archived"], "billable": p["billable"], "budgetEstimate": None,
            "clientId": p["clientId"], "clientName": client["name"] if client else "",
            "color": p["color"], "costRate": None, "duration": self._tracked("projectId", p["id"]),
            "estimate": {"estimate": "PT0S", "type": "AUTO"}, "estimateReset": None,
            "hourlyRate": _rate(), "id": p["id"], "memberships": [], "name": p["name"],
            "note": p["note"], "public": p["public"], "template": False, "timeEstimate": {
                "active": False, "estimate": "PT0S", "includeNonBillable": True,
                "resetOption": None, "type": "AUTO",
            },
            "workspaceId": p["workspaceId"],
        }

    def client_json(self, c: dict[str, Any], write: bool = False) -> dict[str, Any]:
        out = {
            "address": c["address"], "archived": c["archived"], "ccEmails": None,
            "currencyCode": "USD", "currencyId": "5b641568b07987035750504a",
            "email": c["email"], "id": c["id"], "name": c["name"], "note": c["note"],
            "workspaceId": c["workspaceId"],
        }
        if write:
            del out["currencyCode"]  # observed: the PUT response omits it
        return out

    @staticmethod
    def tag_json(t: dict[str, Any]) -> dict[str, Any]:
        return {"archived": t["archived"], "id": t["id"], "name": t["name"],
                "workspaceId": t["workspaceId"]}

    def task_json(self, t: dict[str, Any]) -> dict[str, Any]:
        return {
            "assigneeIds": list(t["assigneeIds"]), "assigneeId": None, "billable": t["billable"],
            "budgetEstimate": 0, "costRate": None, "duration": self._tracked("taskId", t["id"]),
            "estimate": "PT0S", "hourlyRate": None, "id": t["id"], "name": t["name"],
            "projectId": t["projectId"], "status": t["status"], "userGroupIds": [],
        }

    def user_json(self, u: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": u["id"], "email": u["email"], "name": u["name"], "memberships": [],
            "profilePicture": "", "activeWorkspace": self.workspace_id,
            "defaultWorkspace": self.workspace_id,
            "settings": {
                "weekStart": "MONDAY", "timeZone": "UTC", "timeFormat": "HOUR24",
                "dateFormat": "YYYY-MM-DD", "sendNewsletter": False, "weeklyUpdates": False,
                "longRunning": False, "scheduledReports": False, "approval": False,
                "pto": False, "alerts": False, "reminders": False, "timeTrackingManual": False,
                "summaryReportSettings": {"group": "PROJECT", "subgroup": "CLIENT"},
                "isCompactViewOn": False, "dashboardSelection": "ME",
                "dashboardViewType": "PROJECT", "dashboardPinToTop": False,
                "projectListCollapse": 50, "collapseAllProjectLists": False,
                "groupSimilarEntriesDisabled": False, "myStartOfDay": "09:00",
                "darkTheme": False, "theme": "DEFAULT", "lang": "EN",
            },
            "status": "ACTIVE", "customFields": [],
        }

    def workspace_json(self, w: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": w["id"], "name": w["name"], "hourlyRate": _rate(), "costRate": _rate(),
            "memberships": [
                {"userId": u["id"], "hourlyRate": None, "costRate": None,
                 "targetId": w["id"], "membershipType": "WORKSPACE", "membershipStatus": "ACTIVE"}
                for u in self.users
            ],
            "workspaceSettings": {
                "timeRoundingInReports": False, "onlyAdminsSeeBillableRates": True,
                "onlyAdminsCreateProject": False, "onlyAdminsSeeDashboard": False,
                "defaultBillableProjects": True, "lockTimeEntries": None,
                "round": {"round": "Round to nearest", "minutes": "15"},
                "projectFavorites": True, "canSeeTimeSheet": True, "canSeeTracker": True,
                "projectPickerSpecialFilter": False, "forceProjects": False,
                "forceTasks": False, "forceTags": False, "forceDescription": False,
                "onlyAdminsSeeAllTimeEntries": False, "onlyAdminsSeePublicProjectsEntries": False,
                "trackTimeDownToSecond": True, "projectGroupingLabel": "client",
                "adminOnlyPages": [], "automaticLock": None, "onlyAdminsCreateTag": False,
                "onlyAdminsCreateTask": False, "timeTrackingMode": "DEFAULT",
                "isProjectPublicByDefault": True,
            },
            "imageUrl": "", "featureSubscriptionType": None,
            "currencies": [{"id": "5b641568b07987035750504a", "code": "USD",
                            "isDefault": True}],
        }

    # ---- demo data --------------------------------------------------------------------------

    def _load_seed(self) -> None:
        demo = seed_data.DEMO
        now = int(self.clock())
        mate = {"id": self.new_id(), "name": demo.teammate_name, "email": demo.teammate_email}
        self.users.append(mate)
        client_ids = {name: self.add("client", name=name)["id"] for name in demo.clients}
        project_ids: dict[str, str] = {}
        for sp in demo.projects:
            client_id = client_ids.get(sp.client or "", "")
            project = self.add("project", name=sp.name, clientId=client_id, color=sp.color,
                               archived=not sp.active, billable=sp.billable)
            project_ids[sp.name] = project["id"]
        tag_ids = {name: self.add("tag", name=name)["id"] for name in demo.tags}
        for st in demo.tasks:
            self.add("task", projectId=project_ids[st.project], name=st.name)
        for se in seed_data.demo_entries(now):
            project_id = project_ids.get(se.project or "")
            found = self.project(self.workspace_id, project_id)
            self.add("entry", description=se.description, projectId=project_id,
                     tagIds=[tag_ids[t] for t in se.tags] or None, start=se.start, end=se.stop,
                     billable=bool(found and found["billable"]))
        description, project_name, elapsed = demo.teammate_running
        self.add("entry", description=description, projectId=project_ids[project_name],
                 start=now - elapsed, userId=mate["id"])
