"""Atomic file output: a reader never sees a half-written file, and the file gets the mode
any other program's output would (0644 under umask 022), not the temp file's 0600."""

from __future__ import annotations

import contextlib
import functools
import os
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
        if isinstance(exc, OSError) and exc.filename is None:
            # a failed write() names no file ("File too large"): name the one being written
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_open(path, durable=durable) as fp:
        fp.write(data)
