"""Atomic file output: a reader never sees a half-written file, and the file gets the mode
any other program's output would (0644 under umask 022), not the temp file's 0600."""

from __future__ import annotations

import contextlib
import errno
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


def _kind(st: os.stat_result) -> str | None:
    """What a non-plain entry is, for the message; None for a plain one. A regular file
    with a second name is a hard link: on a shared volume it could be a secret's."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISREG(mode):
        return "a hard link" if st.st_nlink > 1 else None
    if stat.S_ISDIR(mode):
        return None
    return "not a regular file"


def refuse_unplain(root: Path, what: str) -> None:
    """Refuse a tree holding anything but real folders and regular files (links, FIFOs,
    devices...), naming the first found as `what/relative path`; a missing `root` passes.
    Nothing is followed: data from a branch or a runner's state folder is plain files only."""
    from bot.errors import UserInputError

    try:
        top = os.lstat(root)
    except FileNotFoundError:
        return
    pending = [(root, top)]
    while pending:
        path, st = pending.pop()
        kind = _kind(st)
        if kind is not None:
            rel = path.relative_to(root).as_posix()
            name = what if rel == "." else f"{what}/{rel}"
            raise UserInputError(f"{name}: {kind}; only plain files and folders are allowed")
        if stat.S_ISDIR(st.st_mode):
            with os.scandir(path) as entries:
                found = [(Path(e.path), e.stat(follow_symlinks=False)) for e in entries]
            pending += sorted(found, key=lambda item: item[0], reverse=True)


def refuse_linked_parents(base: Path, rel: Path) -> None:
    """Refuse `base/rel` when a folder on the way to it (or itself) is a link or not a
    folder/plain file, naming that part: a branch could point `books` anywhere."""
    path = base
    for part in rel.parts:
        path = path / part
        refuse_unplain_entry(path, path.relative_to(base).as_posix())


def refuse_unplain_entry(path: Path, what: str) -> None:
    """Refuse `path` itself when it is a link or not a folder/plain file (missing passes)."""
    from bot.errors import UserInputError

    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    kind = _kind(st)
    if kind is not None:
        raise UserInputError(f"{what}: {kind}; only plain files and folders are allowed")


def read_plain(path: Path) -> bytes:
    """The bytes of the regular file `path`, never through a link (O_NOFOLLOW on its last
    part; its folders are the caller's to check)."""
    from bot.errors import UserInputError

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UserInputError(f"{path}: not a plain file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fp:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UserInputError(f"{path}: not a regular file")
        return fp.read()


def copy_plain(src: Path, dest: Path) -> None:
    """Copy the regular file `src` to `dest` without following a link at either end: read
    with O_NOFOLLOW, written to a new file renamed over `dest` (a link there is replaced,
    not written through). `dest`'s folder is the caller's to have checked."""
    data = read_plain(src)
    atomic_write(dest, data, durable=False)
    os.utime(dest, ns=(os.lstat(src).st_atime_ns, os.lstat(src).st_mtime_ns))


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
    when held alone (then no one else is writing there). FolderBusy when it is taken.
    The last holder alone removes the file (no lock file is left in a finished book)."""
    path = folder / LOCK_FILE
    fd, alone = _take(path, folder, holder, shared=shared)
    try:
        yield alone
        if alone and not shared:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # still held: whoever opened it before sees it gone (_take)
    finally:
        os.close(fd)  # closing releases the lock


def _take(path: Path, folder: Path, holder: str, *, shared: bool) -> tuple[int, bool]:
    """The open, locked lock file and whether it is held alone."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, file_mode())
        try:
            alone = _try_lock(fd, fcntl.LOCK_EX)
            if not alone and not (shared and _try_lock(fd, fcntl.LOCK_SH)):
                raise FolderBusy(folder, os.pread(fd, 200, 0).decode("utf-8", "replace").strip())
            if not _same_file(fd, path):  # removed by its last holder meanwhile: again
                os.close(fd)
                continue
            if alone:
                os.ftruncate(fd, 0)
                os.write(fd, f"{holder} (pid {os.getpid()})\n".encode())
                if shared:  # others like it may join now
                    fcntl.flock(fd, fcntl.LOCK_SH)
            return fd, alone
        except BaseException:
            os.close(fd)
            raise


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _try_lock(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            return True  # a filesystem without locks: work as before there was one
        raise
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
