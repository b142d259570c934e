"""How the store meets trouble: a file that cannot be used as it is now (read-only, full,
locked too long, damaged) becomes a LocalDataError that says so in plain words, never a bare
sqlite3 error; and one lock keeps the store's threads apart."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ..core.errors import LocalDataError
from .schema import DamagedStore, is_damage

T = TypeVar("T")


@contextmanager
def as_local_error(path: str | None, rows: bool = False) -> Iterator[None]:
    """The file cannot be used as it is now (read-only, disk full, locked too long, damaged):
    a LocalDataError that says so, never a bare sqlite3 error. (A broken constraint is a bug,
    and stays one.) `rows`: values read back that make no sense (a time that is not a time,
    JSON that is not JSON) mean a damaged file too."""
    where = path or ":memory:"
    try:
        yield
    except sqlite3.Error as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise LocalDataError.busy(where) from None  # another process: it passes
        if is_damage(exc):  # found while in use: the next opening keeps it aside
            raise DamagedStore.found(where, str(exc)) from None
        if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
            raise LocalDataError.unusable(where, plain(path, str(exc))) from None
        raise
    except OSError as exc:
        raise LocalDataError.unusable(where, plain(path, exc.strerror or str(exc))) from None
    except (ValueError, TypeError, KeyError) as exc:
        if not rows:
            raise
        raise LocalDataError.unreadable(where, f"a damaged record: {exc}") from None


def locked(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        with self._lock, as_local_error(self.path):
            return method(self, *args, **kwargs)

    return wrapper


def reading(method: Callable[..., T]) -> Callable[..., T]:
    """Like locked, for methods that turn rows back into values: a value that cannot be
    read back (a time that is not a time, JSON that is not JSON) is a damaged file."""
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        with self._lock, as_local_error(self.path, rows=True):
            return method(self, *args, **kwargs)

    return wrapper


def plain(path: str | None, said: str) -> str:
    """What sqlite or the system said, with the cause in plain words when the folder shows
    it ("disk I/O error" is how sqlite reports a full disk while growing its log)."""
    if path is None:
        return said
    folder = os.path.dirname(path) or "."
    try:
        if not os.access(folder, os.W_OK):
            return f"its folder is read-only ({said})"
        if hasattr(os, "statvfs"):
            space = os.statvfs(folder)
            if space.f_flag & os.ST_RDONLY:
                return f"the disk is read-only ({said})"
            if space.f_bavail == 0:
                return f"the disk is full ({said})"
    except OSError:
        pass
    return said
