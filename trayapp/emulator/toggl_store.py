"""Toggl Track account state and its JSON shapes (api-facts.md section 1).

Records are plain dicts using Toggl's field names, with times kept as epoch seconds:
  entry:   id, workspace_id, user_id, project_id, task_id, billable, description, tag_ids,
           start (int), stop (int | None: None = running), at (float),
           server_deleted_at (float | None), created_with
  project: id, workspace_id, client_id, name, active, is_private, color, billable, at,
           created_at, start_date, template
  client:  id, wid, name, archived, notes, at, creator_id
  tag:     id, workspace_id, name, at, creator_id
The serializers turn them into the exact wire shapes (read vs write timestamp forms differ).

The user may belong to more workspaces (`add_workspace`): they hold time entries only (their
catalog is not served). As on Toggl, /me/time_entries lists every workspace's entries, and a
user has one running entry at a time, whatever its workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import seed as seed_data
from .timefmt import micro_z, plus00, utc_date, z_seconds

__all__ = ["TogglStore", "PALETTE"]

PALETTE = frozenset(seed_data.PALETTE)
FIRST_ENTRY_ID = 4_000_000_001  # above 2**31 like real ids, to catch 32-bit clients
WORKSPACE_ID = 7_654_321
ORGANIZATION_ID = 6_543_210
USER_ID = 9_876_543


class TogglStore:
    def __init__(self, clock: Callable[[], float], seed: bool = True) -> None:
        self.clock = clock
        self.premium = False  # Free plan: premium features answer 402
        self.workspace_id = WORKSPACE_ID
        self.organization_id = ORGANIZATION_ID
        self.user_id = USER_ID
        self.user_name = seed_data.DEMO.user_name
        self.user_email = seed_data.DEMO.user_email
        self.workspace_name = seed_data.DEMO.workspace_name
        self.other_workspaces: dict[int, str] = {}  # id -> name, besides the default one
        self.created_at = clock() - 400 * 86400
        self.entries: list[dict[str, Any]] = []
        self.projects: list[dict[str, Any]] = []
        self.clients: list[dict[str, Any]] = []
        self.tags: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []  # tasks are a paid feature; always empty here
        self._next = {"entry": FIRST_ENTRY_ID, "project": 203_456_001, "client": 61_000_001,
                      "tag": 17_000_001}
        if seed:
            self._load_seed()

    # ---- ids and lookups -------------------------------------------------------------------

    def new_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] += 1
        return value

    def add_workspace(self, name: str) -> int:
        """Another workspace of the same user (its id follows the default one's)."""
        wid = self.workspace_id + 1 + len(self.other_workspaces)
        self.other_workspaces[wid] = name
        return wid

    def workspace_ids(self) -> list[int]:
        return [self.workspace_id, *self.other_workspaces]

    def entry(self, entry_id: int, include_deleted: bool = False) -> dict[str, Any] | None:
        for e in self.entries:
            if e["id"] == entry_id and (include_deleted or e["server_deleted_at"] is None):
                return e
        return None

    def running(self) -> dict[str, Any] | None:
        for e in self.entries:
            if e["stop"] is None and e["server_deleted_at"] is None:
                return e
        return None

    def project(self, project_id: Any) -> dict[str, Any] | None:
        return next((p for p in self.projects if p["id"] == project_id), None)

    def client(self, client_id: Any) -> dict[str, Any] | None:
        return next((c for c in self.clients if c["id"] == client_id), None)

    def tag(self, tag_id: Any) -> dict[str, Any] | None:
        return next((t for t in self.tags if t["id"] == tag_id), None)

    def tag_named(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.tags if t["name"] == name), None)

    # ---- mutations shared by several endpoints ----------------------------------------------

    def add_tag(self, name: str) -> dict[str, Any]:
        tag = {"id": self.new_id("tag"), "workspace_id": self.workspace_id, "name": name,
               "at": self.clock(), "creator_id": self.user_id}
        self.tags.append(tag)
        return tag

    def tag_ids_for(self, names: list[str]) -> list[int]:
        """Tag ids for names, creating unknown tags (Toggl auto-creates them)."""
        ids: list[int] = []
        for name in names:
            tag = self.tag_named(name) or self.add_tag(name)
            if tag["id"] not in ids:
                ids.append(tag["id"])
        return ids

    def stop_running(self, now: float) -> None:
        """Toggl auto-stops the running entry at server time when another one starts."""
        current = self.running()
        if current is not None:
            current["stop"] = max(int(now), current["start"])
            current["at"] = now

    def add_entry(self, **fields: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": self.new_id("entry"), "workspace_id": self.workspace_id,
            "user_id": self.user_id, "project_id": None, "task_id": None, "billable": False,
            "description": None, "tag_ids": [], "start": int(self.clock()), "stop": None,
            "at": self.clock(), "server_deleted_at": None, "created_with": "emulator",
        }
        entry.update(fields)
        self.entries.append(entry)
        return entry

    def add_project(self, **fields: Any) -> dict[str, Any]:
        now = self.clock()
        project = {
            "id": self.new_id("project"), "workspace_id": self.workspace_id, "client_id": None,
            "name": "", "active": False, "is_private": True, "color": "#0b83d9",
            "billable": None if not self.premium else False, "at": now, "created_at": now,
            "start_date": utc_date(now), "template": False,
        }
        project.update(fields)
        self.projects.append(project)
        return project

    def add_client(self, name: str, notes: str | None = None) -> dict[str, Any]:
        client = {"id": self.new_id("client"), "wid": self.workspace_id, "name": name,
                  "archived": False, "notes": notes, "at": self.clock(),
                  "creator_id": self.user_id}
        self.clients.append(client)
        return client

    # ---- wire shapes ------------------------------------------------------------------------

    def entry_json(self, e: dict[str, Any], write: bool = False, meta: bool = False,
                   running_duration: int | None = None, null_empty_tags: bool = False,
                   echo_stop_null: bool = False) -> dict[str, Any]:
        """A time entry as Toggl sends it.

        write=True: POST/PUT/PATCH responses use `Z` timestamps; reads use `+00:00`.
        running_duration: override for a running entry (a create echoes -1); reads use -epoch.
        """
        fmt = z_seconds if write else plus00
        running = e["stop"] is None
        if running:
            duration = running_duration if running_duration is not None else -int(e["start"])
        else:
            duration = int(e["stop"] - e["start"])
        tag_ids = list(e["tag_ids"])
        names = [t["name"] for i in tag_ids if (t := self.tag(i))]
        out: dict[str, Any] = {
            "id": e["id"],
            "workspace_id": e["workspace_id"],
            "project_id": e["project_id"],
            "task_id": e["task_id"],
            "billable": e["billable"],
            "start": fmt(e["start"]),
            "stop": None if running or echo_stop_null else fmt(e["stop"]),
            "duration": duration,
            "description": e["description"],
            "tags": None if (null_empty_tags and not names) else names,
            "tag_ids": None if (null_empty_tags and not tag_ids) else tag_ids,
            "duronly": True,
            "at": micro_z(e["at"]),
            "server_deleted_at": (
                plus00(e["server_deleted_at"]) if e["server_deleted_at"] is not None else None
            ),
            "user_id": e["user_id"],
            "uid": e["user_id"],
            "wid": e["workspace_id"],
        }
        if e["project_id"] is not None:
            out["pid"] = e["project_id"]
        if meta:
            out.update(self._entry_meta(e))
        return out

    def _entry_meta(self, e: dict[str, Any]) -> dict[str, Any]:
        project = self.project(e["project_id"])
        client = self.client(project["client_id"]) if project else None
        return {
            "client_name": client["name"] if client else None,
            "project_name": project["name"] if project else None,
            "project_color": project["color"] if project else None,
            "project_active": project["active"] if project else None,
            "project_billable": project["billable"] if project else None,
            "user_name": self.user_name,
            "user_avatar_url": "",
        }

    def project_json(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": p["id"], "workspace_id": p["workspace_id"], "client_id": p["client_id"],
            "name": p["name"], "is_private": p["is_private"], "active": p["active"],
            "at": plus00(p["at"]), "created_at": plus00(p["created_at"]),
            "server_deleted_at": None, "color": p["color"], "billable": p["billable"],
            "template": p["template"], "auto_estimates": None, "estimated_hours": None,
            "estimated_seconds": None, "rate": None, "rate_last_updated": None,
            "currency": None, "recurring": False, "template_id": None,
            "recurring_parameters": None, "fixed_fee": None,
            "actual_hours": self._project_seconds(p["id"]) // 3600,
            "actual_seconds": self._project_seconds(p["id"]),
            "start_date": p["start_date"], "status": "active" if p["active"] else "archived",
            "wid": p["workspace_id"], "cid": p["client_id"], "permissions": None,
        }

    def _project_seconds(self, project_id: int) -> int:
        now = int(self.clock())
        return sum(
            (e["stop"] if e["stop"] is not None else now) - e["start"]
            for e in self.entries
            if e["project_id"] == project_id and e["server_deleted_at"] is None
        )

    def client_json(self, c: dict[str, Any]) -> dict[str, Any]:
        return {"id": c["id"], "wid": c["wid"], "archived": c["archived"], "name": c["name"],
                "at": plus00(c["at"]), "creator_id": c["creator_id"], "notes": c["notes"],
                "permissions": None}

    def tag_json(self, t: dict[str, Any]) -> dict[str, Any]:
        return {"id": t["id"], "workspace_id": t["workspace_id"], "name": t["name"],
                "at": micro_z(t["at"]), "creator_id": t["creator_id"], "deleted_at": None,
                "permissions": None}

    def me_json(self) -> dict[str, Any]:
        return {
            "id": self.user_id, "api_token": "0" * 32, "email": self.user_email,
            "fullname": self.user_name, "timezone": "UTC", "toggl_accounts_id": "emu-account",
            "default_workspace_id": self.workspace_id, "beginning_of_week": 1,
            "image_url": "https://assets.track.toggl.com/images/profile.png",
            "created_at": micro_z(self.created_at), "updated_at": micro_z(self.created_at),
            "openid_email": None, "openid_enabled": False, "country_id": None,
            "has_password": True, "at": micro_z(self.created_at), "intercom_hash": "",
            "authorization_updated_at": micro_z(self.created_at),
        }

    def workspace_json(self, wid: int | None = None) -> dict[str, Any]:
        wid = wid or self.workspace_id
        return {
            "id": wid, "organization_id": self.organization_id,
            "name": self.other_workspaces.get(wid, self.workspace_name), "profile": 0,
            "premium": self.premium,
            "business_ws": False, "admin": True, "role": "admin", "suspended_at": None,
            "server_deleted_at": None, "default_hourly_rate": None, "rate_last_updated": None,
            "default_currency": "USD", "only_admins_may_create_projects": False,
            "only_admins_may_create_tags": False, "only_admins_see_billable_rates": False,
            "only_admins_see_team_dashboard": False, "projects_billable_by_default": True,
            "projects_private_by_default": True, "last_modified": plus00(self.created_at),
            "reports_collapse": True, "rounding": 1, "rounding_minutes": 0,
            "api_token": "0" * 32, "at": plus00(self.created_at), "logo_url": "",
            "ical_url": "", "ical_enabled": False, "csv_upload": None, "subscription": None,
            "hide_start_end_times": False, "working_hours_in_minutes": None,
            "permissions": None,
        }

    def users_json(self) -> list[dict[str, Any]]:
        return [{"id": self.user_id, "fullname": self.user_name, "email": self.user_email,
                 "is_active": True, "is_admin": True, "inactive": False}]

    # ---- demo data --------------------------------------------------------------------------

    def _load_seed(self) -> None:
        demo = seed_data.DEMO
        now = self.clock()
        client_ids = {name: self.add_client(name)["id"] for name in demo.clients}
        project_ids: dict[str, int] = {}
        for sp in demo.projects:
            project = self.add_project(
                name=sp.name, client_id=client_ids.get(sp.client or ""), color=sp.color,
                active=sp.active, is_private=False, start_date=utc_date(now - 30 * 86400),
            )
            project_ids[sp.name] = project["id"]
        for name in demo.tags:
            self.add_tag(name)
        for se in seed_data.demo_entries(now):
            self.add_entry(
                description=se.description, project_id=project_ids.get(se.project or ""),
                tag_ids=self.tag_ids_for(list(se.tags)), start=se.start, stop=se.stop,
                at=float(se.stop), created_with="emulator-seed",
            )
