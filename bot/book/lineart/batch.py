"""Many image files through the line-art stage on every core: each becomes a 1-bit PNG
page (300 DPI in its metadata) written atomically, or an error naming why it could not."""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import cv2
from PIL import Image, ImageOps, UnidentifiedImageError

from bot.book.lineart.qa import Metrics
from bot.book.lineart.stage import LineArtOptions, clean_page
from bot.book.pages import encode_png
from bot.fsutil import atomic_write


@dataclass(frozen=True)
class FileResult:
    """One input file's outcome: its page and QA, or the error that stopped it."""

    input: Path
    output: Path | None
    ok: bool
    reasons: tuple[str, ...] = ()
    metrics: Metrics = field(default_factory=dict)
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "input": str(self.input),
            "output": str(self.output) if self.output else None,
            "ok": self.ok,
            "reasons": list(self.reasons),
            "metrics": self.metrics,
            "error": self.error,
        }


def read_image(path: Path) -> Image.Image:
    """The image in `path`, fully decoded; ValueError naming the problem otherwise (not an
    image, truncated, unreadable, or so large it would be a decompression bomb)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                im.load()
                # a phone photo's pixels lie on their side: its EXIF says how to stand them up
                upright = ImageOps.exif_transpose(im)
                return upright if upright.mode != "P" else upright.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(f"{path}: not an image this tool can read") from None
    except (OSError, SyntaxError) as exc:  # truncated or corrupt data, a folder, no access
        raise ValueError(f"{path}: cannot read it ({exc.__class__.__name__}: {exc})") from None


def clean_file(path: Path, out: Path, size: tuple[int, int], options: LineArtOptions) -> FileResult:
    """Clean one file into `out` (written only when the image could be read)."""
    try:
        image = read_image(path)
    except ValueError as exc:
        return FileResult(path, None, False, error=str(exc))
    art, report = clean_page(image, size, options)
    atomic_write(out, encode_png(art))
    return FileResult(path, out, not report.flagged, report.reasons, report.metrics)


def _clean_one(job: tuple[Path, Path, tuple[int, int], LineArtOptions]) -> FileResult:
    return clean_file(*job)


def one_thread() -> int:
    """Make OpenCV work on one thread in this process, for a process per core (more threads
    on top only trade places on the cores: about 10% more CPU a page); the count it had."""
    had = int(cv2.getNumThreads())
    cv2.setNumThreads(1)
    return had


def clean_files(
    paths: Sequence[Path],
    out_dir: Path,
    size: tuple[int, int],
    options: LineArtOptions,
    jobs: int | None = None,
) -> Iterator[FileResult]:
    """Each of `paths` as `out_dir/<stem>.png`, in input order, over `jobs` processes (one
    per core by default): this one and `jobs` - 1 workers. This process has the stage
    imported already and starts on the first page at once, while a fresh worker spends
    about a page's time importing it."""
    work = [(p, out_dir / f"{p.stem}.png", size, options) for p in paths]
    workers = min(len(work), jobs or os.cpu_count() or 1) - 1
    if workers <= 0:
        yield from map(_clean_one, work)
        return
    todo = deque(enumerate(work))
    done: dict[int, FileResult] = {}
    running: dict[Future[FileResult], int] = {}
    context = multiprocessing.get_context("spawn")  # no inherited threads or locks
    threads = one_thread()  # (this process is one of them)
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=one_thread) as pool:
            for turn in range(len(work)):
                while turn not in done:
                    # one page queued behind each worker's, but no more than their share
                    share = (len(todo) + len(running)) * workers // (workers + 1)
                    while todo and len(running) < min(2 * workers, share):
                        index, job = todo.popleft()
                        running[pool.submit(_clean_one, job)] = index
                    if todo:  # the next page, here
                        index, job = todo.popleft()
                        done[index] = clean_file(*job)
                    else:
                        wait(running, return_when=FIRST_COMPLETED)
                    for future in [f for f in running if f.done()]:
                        done[running.pop(future)] = future.result()
                yield done.pop(turn)
    finally:
        cv2.setNumThreads(threads)
