"""Opening the store, and making it again when the file is damaged.

The file is a cache of the server, and the outbox of changes not yet sent. A damaged one (not
a database at all, or a damaged page) is not a dead end: a new store is made beside it and
gets what the damaged file still holds of the unsent changes (salvage.py); only then is the
damaged file moved aside (kept, never deleted) and the new one put in its place. The caller
tells the user where it was kept (`Rebuilt.message`). A file from a newer trayapp, a busy
one, or a folder that is read-only or full is not damaged: that stays a refusal, and the
file stays as it is.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import LocalDataError
from .db import NOFOLLOW, Store, _try_lock, _unlock
from .guard import as_local_error as _as_local_error
from .salvage import carry_over, read_unsent
from .schema import DamagedStore

#: sqlite's files for one database: the file, its write-ahead log and their shared memory.
DATABASE_FILES = ("", "-wal", "-shm")


@dataclass(frozen=True)
class Rebuilt:
    """A damaged store was kept aside and a new one made in its place."""

    kept: str  # where the damaged file is now
    reason: str  # what was wrong with it
    carried: int  # unsent changes carried over into the new store
    complete: bool  # every unsent change could be read from the damaged file

    title = "Local data rebuilt"

    @property
    def message(self) -> str:
        text = (f"trayapp's local data file was damaged ({self.reason}), so it made a new one "
                f"and reloads your entries from the server; the damaged file is kept as "
                f"{self.kept}.")
        if self.carried:
            text += f" Changes not yet sent, carried over: {self.carried}."
        if not self.complete:
            text += (" Changes not yet sent before this, if there were any, could not all be "
                     "read back: they may still be in the kept file.")
        return text


def open_or_rebuild(path: Path | str, wait: float = 5.0) -> tuple[Store, Rebuilt | None]:
    """The store at `path`, and what was done when it had to be made again (else None).
    Raises LocalDataError when it can be neither opened nor made again (the damaged file
    then stays where it is, as it is)."""
    if str(path) == ":memory:":
        return Store(path, wait), None
    path = Path(path)
    seen = _identity(path)
    try:
        return Store(path, wait), None
    except DamagedStore as damage:
        with _rebuilding(path, wait):
            if _identity(path) != seen:  # another trayapp process made it again meanwhile
                return Store(path, wait), None
            rebuilt = _rebuild(path, damage, wait)
        return Store(path, wait), rebuilt


def _rebuild(path: Path, damage: DamagedStore, wait: float) -> Rebuilt:
    fresh = Path(f"{path}.rebuilding")
    with _as_local_error(str(path)):
        _remove(fresh)  # left by a rebuild cut short
        unsent = read_unsent(str(path), wait)
        try:
            store = Store(fresh, wait)
            try:
                carried = carry_over(unsent, store)
            finally:
                store.close()
        except BaseException:  # a full disk, say: the damaged file stays, untouched
            _remove(fresh)
            raise
        kept = _keep_aside(path)
        _move(fresh, path)
    return Rebuilt(str(kept), damage.reason, carried, unsent.complete)


def _keep_aside(path: Path) -> Path:
    """Move the damaged file (and its log) to <name>.broken-<UTC time>, private like it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept, n = Path(f"{path}.broken-{stamp}"), 1
    while any(os.path.lexists(f"{kept}{end}") for end in DATABASE_FILES):
        n += 1
        kept = Path(f"{path}.broken-{stamp}-{n}")
    _move(path, kept)
    for end in DATABASE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{kept}{end}", 0o600)
    return kept


def _move(source: Path, target: Path) -> None:
    for end in DATABASE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{source}{end}", f"{target}{end}")


def _remove(path: Path) -> None:
    for end in DATABASE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{end}")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


@contextlib.contextmanager
def _rebuilding(path: Path, wait: float) -> Iterator[None]:
    """One process at a time makes the store again (two one-shot commands at once)."""
    with _as_local_error(str(path)):
        fd = os.open(f"{path}.rebuild-lock", os.O_CREAT | os.O_RDWR | NOFOLLOW, 0o600)
        handle = os.fdopen(fd, "a+b")
    with handle:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise LocalDataError.busy(str(path))
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(handle)
