"""The manager window's host: made when first asked, fed from the cache on the `local` worker
(no request), refreshed from the service on `net` when asked, and its changes sent as the
command line's catalog requests (`project`, `client`, `tag`, `task`, `create_client`) through
the app's one dispatcher."""

from __future__ import annotations

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

if TYPE_CHECKING:
    from ...sync.account import Account
    from .window import ManagerWindow

Items = dict[str, list[Item]]


class ManageHost(QObject):
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.app = app
        self.window: ManagerWindow | None = None
        self.service: Service | None = None
        self.busy = 0  # changes sent and not answered yet

    @property
    def visible(self) -> bool:
        return self.window is not None and shiboken6.isValid(self.window) \
            and self.window.isVisible()

    def show(self, kind: str | None = None) -> None:
        window = self.window
        if window is None or not shiboken6.isValid(window):
            from .window import ManagerWindow  # loaded when first opened, not at start

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
        """A change as control's catalog request (`project`, `client`, `tag`, `task`); a
        project's client that does not exist yet is made first ("Create client 'Y'":
        `create_client`, queued like an entry), then the project's request."""
        service = self.service or self.app.service
        if self.window is not None:
            self.window.set_status("Saving…")
        client = str(args.get("client") or "").strip()
        if kind == "project" and client and not self._has_client(client):
            self.busy += 1

            def made(reply: dict[str, Any]) -> None:
                if reply.get("ok") or reply.get("exit") == actions.EXIT_QUEUED:
                    self.busy = max(0, self.busy - 1)
                    self._send(service, kind, args)
                else:
                    self._replied(reply)

            self.app.dispatch(Request("create_client", {"name": client,
                                                        "service": service.value}), made)
            return
        self._send(service, kind, args)

    def _has_client(self, name: str) -> bool:
        window = self.window
        if window is None or not shiboken6.isValid(window):
            return True  # nothing to compare with: control says if it is missing
        folded = name.casefold()
        return any(x.name.casefold() == folded for x in window.page("client").model.items)

    def _send(self, service: Service, kind: str, args: dict[str, Any]) -> None:
        self.busy += 1
        self.app.dispatch(Request(kind, {**args, "service": service.value}), self._replied)

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
    account.session(service).tasks(project_id, include_done=True)


# -- run on the workers (plain data back) ---------------------------------------------------

def kinds_of(service: Service) -> tuple[str, ...]:
    return KINDS if service is Service.CLOCKIFY else KINDS[:3]


def cached(account: Account, service: Service) -> Items:
    """What the cache holds, archived items too: no request."""
    session = account.session(service)
    raw = {kind: session.catalog_items(kind, True) for kind in kinds_of(service)}
    return as_items(raw, service)


def as_items(raw: dict[str, list[Any]], service: Service) -> Items:
    projects = {getattr(p, "id", ""): getattr(p, "name", "") for p in raw.get("project", [])}
    return {kind: items_of(kind, raw.get(kind, []), projects) for kind in kinds_of(service)}


def fetched(account: Account, service: Service) -> Items:
    """The catalog as the service has it now, archived items included (then the cache)."""
    session = account.session(service)
    session.refresh_catalog(session.prepare())
    return cached(account, service)


def question(service: Service, kind: str, item: Item) -> str:
    """What deleting `item` means on `service`: control's words, as the command line asks."""
    from ...control.catalog import delete_question

    return str(delete_question(kind, item, service))
