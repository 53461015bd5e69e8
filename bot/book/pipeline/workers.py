"""What the cleanup pool's worker processes do: turn a provider's image into a print page
(line art and its QA) and write a page's files. Plain data in and out, so the work crosses
process boundaries cheaply; this module imports no torch, ledger or GitHub code.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from PIL import Image

from bot.book.lineart import PAGE_KIND, LineArtOptions, clean_page
from bot.book.lineart.batch import one_thread
from bot.book.pages import save_page
from bot.book.provenance import write_page_record

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Pixels:
    """An image as bytes (what a worker process receives and returns)."""

    mode: str
    size: tuple[int, int]
    data: bytes
    kind: str = ""  # the provider's page kind (PAGE_KIND in the image's info), if any

    @classmethod
    def of(cls, image: Image.Image) -> Pixels:
        kind = str(image.info.get(PAGE_KIND, ""))
        if image.mode not in ("1", "L", "RGB", "RGBA", "LA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        return cls(image.mode, image.size, image.tobytes(), kind)

    def image(self) -> Image.Image:
        image = Image.frombytes(self.mode, self.size, self.data)
        if self.kind:
            image.info[PAGE_KIND] = self.kind
        return image


@dataclass(frozen=True)
class Cleaned:
    """One attempt at a page after line-art cleanup and QA, and its files when written."""

    index: int
    attempt: int
    art: Pixels | None  # mode "1" at print size; None once written (no need to send it back)
    reasons: tuple[str, ...]
    badness: float  # lower is better (to keep the best of several attempts)
    metrics: dict[str, float | int] = field(default_factory=dict)
    seconds: float = 0.0  # cleanup
    sha256: str = ""  # the written PNG's, when this attempt was written
    write_seconds: float = 0.0

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Keep:
    """Where a worker writes an attempt it can tell is the page's last: one that passes QA,
    or the last try when it beats the best before it (`beat`)."""

    pages_dir: Path
    input_key: str
    last_try: bool
    beat: float  # the best earlier attempt's badness (infinity when none)
    record: dict[str, Any] | None = None  # this attempt's provenance, less its QA and hash


def clean(
    index: int,
    attempt: int,
    source: Pixels,
    size: tuple[int, int],
    options: LineArtOptions,
    keep: Keep | None = None,
) -> Cleaned:
    """A provider's image as a 1-bit print page of `size` with its QA; written at once
    (and not sent back) when it is the page's final art."""
    started = time.perf_counter()
    art, report = clean_page(source.image(), size, options)
    badness = report.badness()
    pixels = Pixels.of(art)
    seconds = time.perf_counter() - started
    cleaned = Cleaned(index, attempt, pixels, report.reasons, badness, report.metrics, seconds)
    final = not cleaned.flagged or (keep is not None and keep.last_try and badness < keep.beat)
    if keep is None or not final:
        return cleaned
    record = keep.record and finished_record(keep.record, cleaned, attempt, seconds)
    digest, written_in = write(keep.pages_dir, index, pixels, keep.input_key, record)
    return replace(cleaned, art=None, sha256=digest, write_seconds=written_in)


def finished_record(
    record: dict[str, Any], kept: Cleaned, attempts: int, seconds: float
) -> dict[str, Any]:
    """An attempt's provenance with the QA of the kept attempt and the attempts made."""
    qa = {"ok": not kept.reasons, "reasons": list(kept.reasons), "metrics": kept.metrics}
    return {**record, "attempts": attempts, "qa": qa, "seconds": round(seconds, 3)}


def write(
    pages_dir: Path,
    index: int,
    art: Pixels,
    input_key: str,
    record: dict[str, Any] | None = None,
) -> tuple[str, float]:
    """Write a page's files (its provenance `record` first, then the G4 TIFF, thumbnail
    and PNG); its PNG's SHA-256 and the seconds."""
    started = time.perf_counter()

    def record_first(digest: str) -> None:
        if record is not None:  # a stop after this leaves no page without its record
            write_page_record(pages_dir, {**record, "png_sha256": digest})

    digest = save_page(pages_dir, index, art.image(), input_key=input_key, before_png=record_first)
    return digest, time.perf_counter() - started


class InlineExecutor(Executor):
    """Runs each task at once in this process (no pool: one core, or a test)."""

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever asks the future, as a pool would
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Cleanup processes: one per core. The process that drives the provider mostly waits
    (on the GPU, or the network), and the procedural provider is light next to cleanup."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1)


def _die_with(parent: int) -> None:
    """A worker's watch on the process that started it: a killed job (SIGKILL leaves no
    chance to shut the pool down) must not leave workers behind, writing pages. And its
    OpenCV on one thread: there is a worker per core already."""
    one_thread()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def cleanup_pool(workers: int) -> Executor:
    """`workers` processes, started fresh ("spawn": never a fork of a process that holds a
    CUDA context), or the inline executor for 0."""
    if workers <= 0:
        return InlineExecutor()
    context: Any = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    )


class LazyPool(Executor):
    """The cleanup pool, started at its first task (a run with nothing to make starts none)."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: Executor | None = None

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        if self._pool is None:
            self._pool = cleanup_pool(self._workers)
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
