"""Atomic file output: a reader never sees a half-written file, and the file gets the mode
any other program's output would (0644 under umask 022), not the temp file's 0600."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_LOCK = threading.Lock()


@functools.cache
def file_mode() -> int:
    """0666 less the process's umask: what `open(path, "w")` would have made."""
    with _LOCK:  # reading the umask means setting it: keep it set for no one else's file
        umask = os.umask(0o022)
        os.umask(umask)
    return (
        stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH
    ) & ~umask


@contextlib.contextmanager
def atomic_open(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Write to a temporary name beside `path`, then rename over it; remove it on error.
    `durable`: on disk (fsync) before the rename, so a crash leaves the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as fp:
            yield fp
            fp.flush()
            if durable:
                os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            # a failed write() names no file ("File too large"): name the one being written
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_open(path, durable=durable) as fp:
        fp.write(data)


LOCK_FILE = ".ebook-bot.lock"
# what `atomic_open` names its temporary files (mkstemp's 8 random characters)
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


class FolderBusy(Exception):
    """Another process holds the folder's lock; `holder` says who took it (when known)."""

    def __init__(self, folder: Path, holder: str) -> None:
        super().__init__(f"{folder}: in use by {holder or 'another process'}")
        self.folder, self.holder = folder, holder


@contextlib.contextmanager
def folder_lock(folder: Path, holder: str, *, shared: bool = False) -> Iterator[bool]:
    """Hold `folder`'s lock file (flock: released by the kernel when the process dies, so a
    kill leaves no stale lock) alone, or `shared` with other shared holders; yields True
    when held alone (then no one else is writing there). FolderBusy when it is taken."""
    path = folder / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, file_mode())
    try:
        alone = _try_lock(fd, fcntl.LOCK_EX)
        if alone:
            os.ftruncate(fd, 0)
            os.write(fd, f"{holder} (pid {os.getpid()})\n".encode())
            if shared:  # others like it may join now
                fcntl.flock(fd, fcntl.LOCK_SH)
        elif not shared or not _try_lock(fd, fcntl.LOCK_SH):
            raise FolderBusy(folder, os.pread(fd, 200, 0).decode("utf-8", "replace").strip())
        yield alone
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Temporary files `atomic_open` left in `folder` when its process was killed (call it
    only while holding the folder's lock alone: a live writer's would go too)."""
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if _TEMP.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed
