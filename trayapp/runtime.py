"""A backend at work: its two worker threads and the syncs they run on a schedule.

`local` applies user actions to the store (milliseconds, never behind a slow request, so an
action is on disk before anything else happens); `net` makes every request. Both share the
backend's Account. What comes back is handed to the app's callbacks on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer

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

# Every request of one network job (a sync of both services, an outbox replay) ends by then:
# a gateway that trickles or stalls never leaves the tray "syncing" for long.
JOB_DEADLINE = 60.0

Shown = Callable[[Snapshot], None]


class Runtime(QObject):
    def __init__(self, backend: Backend, parent: QObject, *, current: Callable[[], Service],
                 show: Shown, synced: Shown, failed: Failed) -> None:
        """`current`: the service tracked on; `show`: a new snapshot; `synced`: each of a
        sync's results (then the next one is scheduled); `failed`: a typed error."""
        super().__init__(parent)
        self.backend = backend
        self.stopped = False
        # What arrives after `stop` is about this backend's store: not for the app any more.
        self._current = current
        self._show: Shown = lambda s: None if self.stopped else show(s)
        self._synced: Shown = lambda s: None if self.stopped else synced(s)
        self._failed: Failed = lambda error: None if self.stopped else failed(error)
        account = backend.account
        self.local: Worker[Account] = Worker(lambda: account, self, "trayapp-local",
                                             owns_backend=False)
        self.net: Worker[Account] = Worker(lambda: account, self, "trayapp-net",
                                           owns_backend=False)
        self.policy = SyncPolicy()
        self._syncing = False
        self._again: bool | None = None  # a sync asked for while one ran (its catalog flag)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.sync(catalog=False))
        self._retry = QTimer(self)  # looking for connections again, after failing offline
        self._retry.setSingleShot(True)
        self._retry.setInterval(60_000)

    # -- work -------------------------------------------------------------------------------
    def call(self, fn: Callable[[Account], Any], done: Done | None = None) -> None:
        """Local work (the store only): never waits behind a request. (Snapshots carry a
        version: the app keeps the newest, whichever thread made it.)"""
        self.local.call(fn, done or self._show, self._failed)

    def net_call(self, fn: Callable[[Account], Any], done: Done | None = None,
                 failed: Failed | None = None, kind: str | None = None) -> None:
        self.net.call(partial(_within_deadline, fn), done or self._show,
                      failed or self._failed, kind=kind)

    def snapshot(self, service: Service) -> None:
        """What the store knows of `service` (instant, no request)."""
        self.call(lambda account: account.session(service).snapshot())

    # -- syncing ----------------------------------------------------------------------------
    def sync(self, catalog: bool | None = None) -> None:
        """Send what is pending and refresh the service tracked on, and the other connected
        service when it has a timer running or changes waiting (else it costs nothing). One
        sync at a time: one asked for meanwhile runs right after."""
        if self._syncing:
            self._again = bool(catalog) or bool(self._again)
            return
        self._syncing = True
        current = self._current()
        others = [s for s in self.backend.services if s is not current]

        def work(account: Account) -> list[Snapshot]:
            done = [account.session(current).sync(catalog)]
            for service in others:
                session = account.session(service)
                known = session.snapshot()
                if known.running is not None or known.pending:
                    done.append(session.sync(catalog=False))
            return done

        def end() -> None:
            self._syncing = False
            if self._again is not None:
                again, self._again = self._again, None
                self.sync(catalog=again or None)

        def synced(snapshots: list[Snapshot]) -> None:
            for snapshot in snapshots:
                self._synced(snapshot)
            end()

        def failed(error: e.TrackerError) -> None:
            self._failed(error)
            end()

        self.net_call(work, synced, failed, kind="sync")

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
                self._retry.timeout.connect(lambda: self.discover(found),
                                            Qt.ConnectionType.SingleShotConnection)
                self._retry.start()

        self.net_call(lambda a: a.connections.list(), found, failed, kind="connections")

    # -- the end ----------------------------------------------------------------------------
    def stop(self) -> None:
        """Let the work handed over finish (a second at most: a request still waiting for
        its answer is then aborted, its action stays in the outbox), stop the threads and
        close the backend. A thread still inside a request is left to end on its own."""
        self._timer.stop()
        self._retry.stop()
        for worker in (self.local, self.net):
            if not worker.shutdown(abort=self.backend.abort):
                worker.setParent(None)  # still in a request: it must outlive this object
        self.stopped = True
        self.backend.close()


def _within_deadline(fn: Callable[[Account], Any], account: Account) -> Any:
    with account.giving_up_after(JOB_DEADLINE):
        return fn(account)
