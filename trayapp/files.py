"""Writing a file so that a crash or a reader never sees half of it, readable by this user
only, and never through a symbolic link."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """A temporary file beside `path`, flushed to disk, then renamed over it: readers see the
    old file or the new one. The file is private (mkstemp makes it 0600), and so is a folder
    made for it. Raises OSError (nothing is left behind), also when `path` is a symbolic
    link."""
    refuse_link(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def refuse_link(path: Path) -> None:
    """Raises OSError when `path` is a symbolic link: replacing it would cut a link someone
    made on purpose, and writing through it would write wherever it points."""
    if path.is_symlink():
        raise OSError(errno.ELOOP, f"{path} is a symbolic link, and trayapp does not write "
                                   "through one (the link and its target are left as they are)")


def private_folder(folder: Path) -> None:
    """Readable by this user only, made so again when an older trayapp left it open to all
    (only if it is this user's: a shared folder is not ours to change)."""
    if os.name != "posix":
        return  # the user's profile folder is private already
    with contextlib.suppress(OSError):
        found = folder.lstat()  # a link is not followed: S_ISDIR is false for it
        if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and (
                stat.S_IMODE(found.st_mode) != 0o700):
            folder.chmod(0o700)
