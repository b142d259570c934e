"""A backend at work: its two worker threads and the syncs they run on a schedule.

`local` applies user actions to the store (milliseconds, never behind a slow request, so an
action is on disk before anything else happens); `net` makes every request. Both share the
backend's Account. What comes back is handed to the app's callbacks on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from .control.backend import Backend
from .core import errors as e
from .core.durations import utcnow
from .core.models import Connection, Service
from .sync.schedule import SyncPolicy
from .sync.snapshot import Snapshot
from .worker import Done, Failed, Worker

if TYPE_CHECKING:
    from .sync.account import Account

log = logging.getLogger(__name__)

Shown = Callable[[Snapshot], None]


class Runtime(QObject):
    def __init__(self, backend: Backend, parent: QObject, *, current: Callable[[], Service],
                 show: Shown, synced: Shown, failed: Failed) -> None:
        """`current`: the service tracked on; `show`: a new snapshot; `synced`: a sync's
        result (after which the next one is scheduled); `failed`: a typed error."""
        super().__init__(parent)
        self.backend = backend
        self._current, self._show, self._synced, self._failed = current, show, synced, failed
        account = backend.account
        self.local: Worker[Account] = Worker(lambda: account, self, "trayapp-local",
                                             owns_backend=False)
        self.net: Worker[Account] = Worker(lambda: account, self, "trayapp-net",
                                           owns_backend=False)
        self.policy = SyncPolicy()
        self._syncing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.sync(catalog=False))

    # -- work -------------------------------------------------------------------------------
    def call(self, fn: Callable[[Account], Any], done: Done | None = None) -> None:
        """Local work (the store only): never waits behind a request. (Snapshots carry a
        version: the app keeps the newest, whichever thread made it.)"""
        self.local.call(fn, done or self._show, self._failed)

    def net_call(self, fn: Callable[[Account], Any], done: Done | None = None,
                 failed: Failed | None = None, kind: str | None = None) -> None:
        self.net.call(fn, done or self._show, failed or self._failed, kind=kind)

    def snapshot(self, service: Service) -> None:
        """What the store knows of `service` (instant, no request)."""
        self.call(lambda account: account.session(service).snapshot())

    # -- syncing ----------------------------------------------------------------------------
    def sync(self, catalog: bool | None = None) -> None:
        """Send what is pending and refresh the service tracked on (one sync at a time)."""
        if self._syncing:
            return
        self._syncing = True
        service = self._current()

        def synced(snapshot: Snapshot) -> None:
            self._syncing = False
            self._synced(snapshot)

        def failed(error: e.TrackerError) -> None:
            self._syncing = False
            self._failed(error)

        self.net_call(lambda a: a.session(service).sync(catalog), synced, failed, kind="sync")

    def schedule(self, snapshot: Snapshot) -> None:
        """The next automatic sync (see SyncPolicy): none while only the user can help."""
        delay = self.policy.next_delay(snapshot, utcnow())
        if delay is None:
            self._timer.stop()
            return
        self._timer.start(max(1000, int(delay.total_seconds() * 1000)))

    def looked_at(self, shown: Snapshot | None) -> None:
        """The user looks (the menu opens): sync first if what is shown is old."""
        if self.policy.worth_a_look(shown, utcnow()):
            self.sync()

    def discover(self, found: Callable[[list[Connection]], None]) -> None:
        """Which services are connected (one Maton request); offline, looked again later."""
        def failed(error: e.TrackerError) -> None:
            self._failed(error)
            if error.transient:
                QTimer.singleShot(60_000, self, lambda: self.discover(found))

        self.net_call(lambda a: a.connections.list(), found, failed, kind="connections")

    # -- the end ----------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the threads and close the backend. A request in flight is aborted (its action
        stays in the outbox); a thread still inside it is left to end on its own."""
        self._timer.stop()
        self.backend.abort()
        for worker in (self.local, self.net):
            if worker.shutdown():
                worker.deleteLater()
        self.backend.close()
