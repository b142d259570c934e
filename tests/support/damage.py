"""Real damage for tests of local files: pages of a real store overwritten on disk, and a real
small disk (a tmpfs) that can be filled or made read-only."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def checkpoint(path: Path) -> None:
    """Everything in the write-ahead log moved into the file itself, so its pages are real."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def root_page(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    finally:
        db.close()


def page_size(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()


def child_pages(path: Path, page: int) -> list[int]:
    """The pages an interior table page points to (the b-tree format of sqlite's file
    format document: type 0x05, cell count at 3, right-most child at 8, cells from 12)."""
    size = page_size(path)
    with open(path, "rb") as f:
        f.seek((page - 1) * size)
        data = f.read(size)
    start = 100 if page == 1 else 0
    assert data[start] == 0x05, "not an interior table page: make the table bigger"
    cells = int.from_bytes(data[start + 3:start + 5], "big")
    pointers = [int.from_bytes(data[start + 12 + 2 * i:start + 14 + 2 * i], "big")
                for i in range(cells)]
    children = [int.from_bytes(data[p:p + 4], "big") for p in pointers]
    return [*children, int.from_bytes(data[start + 8:start + 12], "big")]


def corrupt_page(path: Path, page: int) -> None:
    """Overwrite a page with garbage (a fixed pattern: the same damage on every run)."""
    size = page_size(path)
    with open(path, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(bytes((i * 7 + 13) % 251 for i in range(size)))


@contextlib.contextmanager
def small_disk(where: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` (made if missing), unmounted afterwards. Needs
    root (CI runs as root); skipped elsewhere."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(where)], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=10)


def remount(where: Path, mode: str) -> None:
    """`ro` or `rw`."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True, timeout=10)


def fill(where: Path) -> Path:
    """Fill the disk at `where` up to the last byte; returns the file to remove."""
    filler = where / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):  # ENOSPC: on to smaller scraps
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler
