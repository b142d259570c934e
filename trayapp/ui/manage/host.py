"""The manager window's host: made when first asked, fed from the cache on the `local` worker
(no request), refreshed from the service on `net` when asked, and its changes sent as the
command line's catalog requests through the app's one dispatcher.

Until the control layer knows the catalog requests (`project`, `client`, `tag`, `task`), a
small adapter here makes the same changes on the `net` worker through the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject

from ...control import actions
from ...control.actions import Request
from ...core import errors as e
from ...core.models import Service
from ...sync.snapshot import Snapshot
from .model import KINDS, Item, items_of
from .window import ManagerWindow

if TYPE_CHECKING:
    from ...sync.account import Account
    from ...sync.session import Session

Items = dict[str, list[Item]]
COMPLETE = "complete"  # (a key of Items) the cache keeps archived items too
FETCHED = "fetched"  # (a key of Items) the service's own list, archived items included


class ManageHost(QObject):
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.app = app
        self.window: ManagerWindow | None = None
        self.service: Service | None = None
        self.busy = 0  # changes sent and not answered yet
        # Archived items as the service last listed them, where the cache keeps none.
        self.archived: Items = {}

    @property
    def visible(self) -> bool:
        return self.window is not None and shiboken6.isValid(self.window) \
            and self.window.isVisible()

    def show(self, kind: str | None = None) -> None:
        window = self.window
        if window is None or not shiboken6.isValid(window):
            window = self.window = ManagerWindow()
            window.requested.connect(self.request)
            window.reload_wanted.connect(self.reload)
            window.tasks_wanted.connect(self.load_tasks)
        service = self.app.service
        switched = self.service is not service
        self.service = service
        window.set_service(service)
        window.question = partial(question, service)
        if kind is not None:
            window.show_kind(kind)
        window.show_and_raise()
        self.reread()
        if switched:
            self.reload()

    def snapshot_changed(self, snapshot: Snapshot | None) -> None:
        """A new snapshot (a change applied, a sync): the cache again, no request."""
        if self.visible and snapshot is not None and snapshot.service is self.service:
            self.reread()

    def close(self) -> None:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.close()

    # -- loading ----------------------------------------------------------------------------
    def reread(self) -> None:
        runtime, service = self.app.runtime, self.service
        if runtime is None or service is None:
            return
        runtime.local.call(partial(cached, service=service), self._arrived, self._failed,
                           kind="manage-cache")

    def reload(self) -> None:
        """Ask the service (projects, clients and tags, archived ones too)."""
        runtime, service = self.app.runtime, self.service
        if runtime is None or service is None or self.window is None:
            return
        self.window.set_status("Updating…")

        def arrived(found: Items) -> None:
            self._arrived(found)
            if self.visible and not self.busy:
                assert self.window is not None
                self.window.set_status(f"Up to date with {service.title}")

        runtime.net_call(partial(fetched, service=service), arrived, self._failed,
                         kind="manage-load")

    def load_tasks(self, project_id: str) -> None:
        """Clockify: a project's tasks, done ones too (one request), then the cache again."""
        runtime, service = self.app.runtime, self.service
        if runtime is None or service is not Service.CLOCKIFY:
            return
        runtime.net_call(partial(project_tasks, service=service, project_id=project_id),
                         lambda _: self.reread(), self._failed, kind="manage-tasks")

    def _arrived(self, found: Items) -> None:
        if self.window is None or not shiboken6.isValid(self.window):
            return
        if found.get(COMPLETE):
            self.archived = {}
        elif found.get(FETCHED):
            self.archived = {k: [x for x in v if x.archived] for k, v in found.items()}
        else:  # the cache's active items, and the archived ones listed before
            found = {k: v + kept(self.archived.get(k, []), v) for k, v in found.items()}
        for kind in KINDS:  # projects last: the tasks tab lists them
            if kind in found and kind != "project":
                self.window.set_items(kind, found[kind])
        if "project" in found:
            self.window.set_items("project", found["project"])

    def _failed(self, error: e.TrackerError) -> None:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.set_status(f"{error.title}: {error.text}")

    # -- changes ----------------------------------------------------------------------------
    def request(self, kind: str, args: dict[str, Any]) -> None:
        service = self.service or self.app.service
        runtime = self.app.runtime
        if self.window is not None:
            self.window.set_status("Saving…")
        if runtime is None:
            self.busy += 1
            self._replied({"ok": False, "exit": 1, "error": "trayapp is not ready."})
            return
        settings: dict[str, Any] = {k: args[k] for k in ("client", "color", "billable")
                                    if k in args}
        if kind == "project" and args.get("action") == "rename" and settings:
            # A project's client, colour and billable: changed on the service, then its name.
            rest = {k: v for k, v in args.items() if k not in settings}
            renamed = rest.get("new") not in (None, rest.get("name"))
            self.busy += 1
            runtime.net_call(partial(edit_project, service=service, name=str(args["name"]),
                                     changes=settings),
                             lambda _: self.request(kind, rest) if renamed
                             else self._replied({"ok": True, "exit": 0}),
                             lambda error: self._replied(
                                 {"ok": False, "exit": 1, "error": f"{error.title}: "
                                                                   f"{error.text}"}),
                             kind="manage-edit")
            if renamed:
                self.busy -= 1  # the rename's answer ends it
            return
        self.busy += 1
        if kind in actions.COMMANDS:  # the control layer's catalog requests
            self.app.dispatch(Request(kind, {**args, "service": service.value}), self._replied)
            return
        runtime.net_call(partial(change, service=service, kind=kind, args=args),
                         lambda found: self._changed(found),
                         lambda error: self._replied({"ok": False, "exit": 1,
                                                      "error": f"{error.title}: {error.text}"}),
                         kind="manage-change")

    def _changed(self, found: Items) -> None:
        self._arrived(found)
        self._replied({"ok": True, "exit": 0})

    def _replied(self, reply: dict[str, Any]) -> None:
        self.busy = max(0, self.busy - 1)
        if self.window is None or not shiboken6.isValid(self.window):
            return
        service = self.service.title if self.service else "the service"
        if reply.get("exit") == actions.EXIT_QUEUED:
            self.window.set_status(f"Saved on this computer; sent when {service} can be "
                                   "reached.")
        elif not reply.get("ok"):
            self.window.set_status(str(reply.get("error") or "Not done."))
        else:
            self.window.set_status(f"Saved · up to date with {service}")
        self.reread()


def project_tasks(account: Account, service: Service, project_id: str) -> None:
    session = account.session(service)
    try:
        session.tasks(project_id, include_done=True)  # type: ignore[call-arg,unused-ignore]
    except TypeError:  # a session that lists active tasks only
        session.tasks(project_id)


def kept(archived: list[Item], current: list[Item]) -> list[Item]:
    ids = {x.id for x in current}
    return [x for x in archived if x.id not in ids]


# -- run on the workers (plain data back) ---------------------------------------------------

def kinds_of(service: Service) -> tuple[str, ...]:
    return KINDS if service is Service.CLOCKIFY else KINDS[:3]


def cached(account: Account, service: Service) -> Items:
    """What the cache holds (archived items where it keeps them): no request."""
    session = account.session(service)
    catalog_items: Callable[..., list[Any]] | None = getattr(session, "catalog_items", None)
    if catalog_items is not None:
        raw = {kind: catalog_items(kind, True) for kind in kinds_of(service)}
        return {**as_items(raw, service), COMPLETE: []}
    else:
        snap = session.snapshot()
        raw = {"project": list(snap.projects), "client": list(snap.clients),
               "tag": list(snap.tags), "task": list(snap.tasks)}
    return as_items(raw, service)


def as_items(raw: dict[str, list[Any]], service: Service) -> Items:
    projects = {getattr(p, "id", ""): getattr(p, "name", "") for p in raw.get("project", [])}
    return {kind: items_of(kind, raw.get(kind, []), projects) for kind in kinds_of(service)}


def fetched(account: Account, service: Service) -> Items:
    """The catalog as the service has it now, archived items included."""
    session = account.session(service)
    if getattr(session, "catalog_items", None) is not None:
        session.refresh_catalog(session.prepare())
        return cached(account, service)
    return _ask_service(session, service)


def _ask_service(session: Session, service: Service) -> Items:
    tracker, wid = session.tracker, session.prepare()
    clients = tracker.clients(wid, include_archived=True)
    names = {c.id: c.name for c in clients}
    projects = [p if p.client_name or not p.client_id
                else _with_client(p, names.get(p.client_id)) for p in
                tracker.projects(wid, include_archived=True)]
    raw: dict[str, list[Any]] = {"project": projects, "client": clients,
                                 "tag": tracker.tags(wid), "task": []}
    if service is Service.CLOCKIFY:
        raw["task"] = list(session.snapshot().tasks)
    return {**as_items(raw, service), FETCHED: []}


def _with_client(project: Any, name: str | None) -> Any:
    from dataclasses import replace

    return replace(project, client_name=name)


def change(account: Account, service: Service, kind: str, args: dict[str, Any]) -> Items:
    """A catalog change made straight on the service (until control makes it), then the
    catalog again."""
    session = account.session(service)
    tracker, wid = session.tracker, session.prepare()
    action, name = args.get("action"), str(args.get("name") or "")
    found = _ask_service(session, service)

    def find(which: str, label: str, project_id: str | None = None) -> Item:
        folded = label.casefold()
        for item in found[which]:
            if item.name.casefold() == folded and (project_id is None
                                                   or item.project_id == project_id):
                return item
        raise e.NotFound(f"No {which} named “{label}”.")

    def client_id(label: str | None) -> str | None:
        if not label:
            return None
        try:
            return find("client", label).id
        except e.NotFound:
            return tracker.create_client(wid, label).id

    if kind == "project":
        if action == "add":
            tracker.create_project(wid, name, client_id=client_id(args.get("client")),
                                   color=args.get("color"), billable=bool(args.get("billable")))
        else:
            item = find("project", name)
            if action == "rename":
                changes: dict[str, Any] = {}
                if args.get("new") and args["new"] != item.name:
                    changes["name"] = args["new"]
                if "client" in args:
                    changes["client_id"] = client_id(args["client"])
                for key in ("color", "billable"):
                    if key in args:
                        changes[key] = args[key]
                tracker.update_project(wid, item.id, **changes)
            elif action in ("archive", "restore"):
                tracker.archive_project(wid, item.id, archived=action == "archive")
            elif action == "delete":
                tracker.delete_project(wid, item.id)
    elif kind == "client":
        if action == "add":
            tracker.create_client(wid, name)
        else:
            item = find("client", name)
            if action == "rename":
                tracker.update_client(wid, item.id, name=args["new"])
            elif action in ("archive", "restore"):
                tracker.archive_client(wid, item.id, archived=action == "archive")
            elif action == "delete":
                tracker.delete_client(wid, item.id)
    elif kind == "tag":
        if action == "add":
            tracker.create_tag(wid, name)
        else:
            item = find("tag", name)
            if action == "rename":
                tracker.update_tag(wid, item.id, name=args["new"])
            elif action == "delete":
                tracker.delete_tag(wid, item.id)
            else:
                raise e.TrackerError("Tags are not archived here.")
    else:
        raise e.TrackerError("Tasks are changed once this version knows the task command.")
    session.refresh_catalog(wid)
    return _ask_service(session, service)


def edit_project(account: Account, service: Service, name: str, changes: dict[str, Any]
                 ) -> None:
    """A project's client ("" for none; a new name makes the client), colour or billable,
    changed on the service, then the catalog loaded again."""
    session = account.session(service)
    tracker, wid = session.tracker, session.prepare()
    projects = [p for p in tracker.projects(wid, include_archived=True)
                if p.name.casefold() == name.casefold()]
    if len(projects) != 1:
        raise e.NotFound(f"No single project named “{name}”.")
    sent = {k: v for k, v in changes.items() if k in ("color", "billable")}
    if "client" in changes:
        wanted = str(changes["client"] or "")
        clients = {c.name.casefold(): c.id for c in tracker.clients(wid, include_archived=True)}
        sent["client_id"] = (clients.get(wanted.casefold())
                             or tracker.create_client(wid, wanted).id) if wanted else None
    tracker.update_project(wid, projects[0].id, **sent)
    session.refresh_catalog(wid)


def question(service: Service, kind: str, item: Item) -> str:
    """What deleting `item` means on `service`: control's words when it has them."""
    from ...control import actions as rules

    asked = getattr(rules, "delete_question", None)
    if asked is None:
        try:
            from ...control import catalog as catalog_rules

            asked = getattr(catalog_rules, "delete_question", None)
        except ImportError:
            asked = None
    if asked is not None:
        try:
            return str(asked(kind, item, service))
        except Exception:  # noqa: BLE001 - the words below say it too
            pass
    name = f"“{item.name}”"
    if kind == "project" and service is Service.CLOCKIFY:
        first = "" if item.archived else (" Clockify deletes only archived projects, so it is "
                                          "archived first.")
        return (f"Delete the project {name} from Clockify?{first} Time entries on it lose "
                "their project. This cannot be undone.")
    if kind == "project":
        return (f"Delete the project {name} from Toggl Track? Its time entries are kept "
                "without a project. This cannot be undone.")
    if kind == "task":
        first = "" if item.archived else " Clockify deletes only done tasks, so it is marked " \
                                         "done first."
        return f"Delete the task {name} of {item.project or 'its project'}?{first} This " \
               "cannot be undone."
    if kind == "client":
        return (f"Delete the client {name}? Its projects are kept without a client. This "
                "cannot be undone.")
    return f"Delete the tag {name}? It is taken off every entry that has it. This cannot be " \
           "undone."
