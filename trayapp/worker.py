"""A background thread that runs work for the GUI thread. The app has two (app.py): `local`
for the store, `net` for the network; both share one backend.

The GUI thread hands over a plain function (`call(fn, ...)`); the worker runs `fn(backend)` on its
own QThread and the result or typed error comes back by a queued signal, delivered to callbacks on
the GUI thread. A newer call of the same `kind` makes older results of that kind stale: they are
dropped, so a slow refresh can never overwrite what a later one showed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

from .core import errors as e

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[e.TrackerError], None]
B = TypeVar("B")  # the backend the work runs against (the app's: a sync Account)


class _Runner(QObject, Generic[B]):
    """Lives on the worker thread; runs the calls against the backend (and closes it at the
    end when it owns it)."""

    finished = Signal(int, object, object)  # request id, result, error

    def __init__(self, make_backend: Callable[[], B], owns_backend: bool) -> None:
        super().__init__()
        self._make_backend = make_backend
        self._owns_backend = owns_backend
        self.backend: B | None = None

    @Slot(int, object)
    def run(self, request_id: int, fn: Callable[[B], Any]) -> None:
        result, error = None, None
        try:
            if self.backend is None:
                self.backend = self._make_backend()
            result = fn(self.backend)
        except e.TrackerError as exc:
            error = exc
        except Exception as exc:  # a bug must not kill the thread: log it, show it
            log.exception("worker call failed")
            error = e.TrackerError(f"Internal error: {type(exc).__name__}: {exc}")
        self.finished.emit(request_id, result, error)

    @Slot()
    def finish(self) -> None:
        """Queued behind the calls already handed over: the thread ends once they ran."""
        thread = QThread.currentThread()
        if thread is not None:
            thread.quit()

    @Slot()
    def close(self) -> None:
        closer = getattr(self.backend, "close", None) if self._owns_backend else None
        if closer:
            try:
                closer()
            except Exception:
                log.exception("closing the backend failed")
        self.backend = None


class Worker(QObject, Generic[B]):
    """GUI-side handle of the worker thread."""

    _submit = Signal(int, object)
    _close = Signal()
    _finish = Signal()

    def __init__(self, make_backend: Callable[[], B], parent: QObject | None = None,
                 name: str = "trayapp-worker", owns_backend: bool = True) -> None:
        """`owns_backend`: close the backend when the thread ends (False when shared)."""
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[str | None, Done | None, Failed | None]] = {}
        self._latest: dict[str, int] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner: _Runner[B] = _Runner(make_backend, owns_backend)
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._close.connect(self._runner.close)
        self._finish.connect(self._runner.finish)
        self._runner.finished.connect(self._finished)
        self._thread.start()

    def call(
        self,
        fn: Callable[[B], Any],
        done: Done | None = None,
        failed: Failed | None = None,
        kind: str | None = None,
    ) -> int:
        """Run `fn(backend)` on the worker thread; never blocks."""
        request_id = next(self._ids)
        self._callbacks[request_id] = (kind, done, failed)
        if kind:
            self._latest[kind] = request_id
        self._submit.emit(request_id, fn)
        return request_id

    def run(self, fn: Callable[[], Any], done: Done | None = None, failed: Failed | None = None,
            kind: str | None = None) -> int:
        """Like `call`, for work that does not need the backend as its argument."""
        return self.call(lambda _backend: fn(), done, failed, kind)

    @property
    def worker_thread(self) -> QThread:
        return self._thread

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    @Slot(int, object, object)
    def _finished(self, request_id: int, result: Any, error: Any) -> None:
        kind, done, failed = self._callbacks.pop(request_id, (None, None, None))
        if kind and self._latest.get(kind, request_id) > request_id:
            log.debug("dropping stale %s result %d", kind, request_id)
            return
        if error is not None:
            if failed:
                failed(error)
            else:
                log.warning("%s: %s", error.title, error.message)
        elif done:
            done(result)

    def shutdown(self, timeout_ms: int = 1000, abort: Callable[[], None] | None = None
                 ) -> bool:
        """Run the calls already handed over, then stop the thread; their answers arrive as
        usual once the GUI thread turns again. A call still running after `timeout_ms` (a
        request waiting for its time-out) is cut short by `abort` (closing its client). If
        the thread still does not end, it is left to finish on its own (False): never
        terminated (unsafe for Python code), and safe to abandon, since every action is on
        disk before it is sent (see sync/session.py); whoever waits is told it was
        interrupted."""
        if not self._thread.isRunning():
            return True
        self._close.emit()
        self._finish.emit()
        if self._thread.wait(timeout_ms):
            return True
        if abort is not None:
            abort()
            if self._thread.wait(timeout_ms):
                return True
        log.info("worker %s still busy after %d ms; not waiting", self._thread.objectName(),
                 timeout_ms)
        pending, self._callbacks = list(self._callbacks.values()), {}
        for _kind, _done, failed in pending:  # whoever waits for an answer gets one
            if failed is not None:
                failed(e.Interrupted())
        ABANDONED.append(self)  # keep the QThread alive: destroying a running one aborts
        return False


#: Workers whose thread was still in a request at shutdown (see Worker.shutdown).
ABANDONED: list[Worker[Any]] = []
