"""The page stream: the provider makes images in batches here (on the GPU), while a pool of
worker processes cleans the finished ones into line art and writes their files, so the GPU
never waits on the CPU. A page that fails QA goes back into a later batch with its next
seed; the best attempt is kept. Each page is handed back the moment its files are written,
so the ledger records it at once (a killed job loses only pages still in flight).

A page's pixels depend only on its seed and attempt, never on the batch it lands in: the
stream makes the same pages as one-at-a-time generation, in any order.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.book.assets import AssetKind
from bot.book.lineart import LineArtOptions
from bot.book.pipeline.inputs import image_request
from bot.book.pipeline.workers import Cleaned, Keep, Pixels, clean, finished_record, write
from bot.book.provenance import page_record, write_page_record
from bot.book.providers import ImageRequest, Provider, generate_images
from bot.book.providers.base import Provenance
from bot.book.spec import BookSpec

MAX_ATTEMPTS = 3


log = logging.getLogger(__name__)


@dataclass
class PageWork:
    """One page on its way through the stream."""

    index: int
    subject: str
    input_key: str = ""
    attempt: int = 1
    attempts: int = 1  # how many it may have (1 for the user's own image: no new seed helps)
    best: Cleaned | None = None
    seconds: float = 0.0  # generation, cleanup and writing spent on this page
    sha256: str = ""


@dataclass
class StreamTimes:
    """Seconds spent per stage (cleanup and writing summed over the worker processes)."""

    generate: float = 0.0
    clean: float = 0.0
    write: float = 0.0
    images: int = 0

    def add(self, other: StreamTimes) -> None:
        self.generate += other.generate
        self.clean += other.clean
        self.write += other.write
        self.images += other.images


@dataclass
class PageStream:
    """Drives pages from `next_pages` through the provider and the pool to `finished`."""

    spec: BookSpec
    provider: Provider
    size: tuple[int, int]
    options: LineArtOptions
    pages_dir: Path | None  # None: keep the art in memory, write nothing (tests, benchmarks)
    pool: Executor
    max_attempts: int = MAX_ATTEMPTS
    times: StreamTimes = field(default_factory=StreamTimes)
    noted: set[str] = field(default_factory=set)  # subjects already said to be substituted

    def run(
        self,
        next_pages: Callable[[int], list[PageWork]],
        finished: Callable[[PageWork], None],
    ) -> None:
        """Until `next_pages` has nothing more and nothing is in flight."""
        batch = max(1, self.provider.capabilities.batch_size)
        in_flight_limit = 3 * batch  # enough to keep the pool fed; leases stay short
        retries: deque[PageWork] = deque()
        cleaning: dict[Future[Cleaned], PageWork] = {}
        writing: dict[Future[tuple[str, float]], PageWork] = {}
        while True:
            room = min(batch, in_flight_limit - len(cleaning) - len(writing))
            todo = [retries.popleft() for _ in range(min(room, len(retries)))]
            if room > len(todo):
                todo += next_pages(room - len(todo))
            if todo:
                self._render(todo, cleaning)
            if not (todo or cleaning or writing or retries):
                return
            # after a batch, take only what is done (the next batch goes to the GPU now);
            # with nothing to render, wait for the pool
            futures: list[Future[Any]] = [*cleaning, *writing]
            done, _ = wait(futures, timeout=0 if todo else None, return_when=FIRST_COMPLETED)
            for task, page in [(f, p) for f, p in cleaning.items() if f in done]:
                del cleaning[task]
                self._cleaned(page, task.result(), retries, writing)
            for written, page in [(f, p) for f, p in writing.items() if f in done]:
                del writing[written]
                page.sha256, seconds = written.result()
                page.seconds += seconds
                self.times.write += seconds
                self._provenance(page)
                finished(page)

    def _note_substitutes(self, requests: list[ImageRequest], told: list[Provenance]) -> None:
        """Say once per subject what the provider drew instead of a subject it cannot draw."""
        for request, said in zip(requests, told, strict=True):
            if said.substitute and request.subject not in self.noted:
                self.noted.add(request.subject)
                log.warning(
                    "%s cannot draw %r; drew %s instead (a pattern provider: use "
                    "--provider diffusers or openrouter for pictures)",
                    self.provider.name,
                    request.subject,
                    said.substitute,
                )

    def _record(self, page: PageWork, attempt: int) -> dict[str, Any]:
        """The provenance of one attempt at a page, before its QA is known."""
        request = image_request(
            self.spec, AssetKind.PAGE, page.index, page.subject, self.size, attempt - 1
        )
        return page_record(
            self.provider, request, attempts=attempt, reasons=(), metrics={}, seconds=0, sha256=""
        )

    def _provenance(self, page: PageWork) -> None:
        """The finished page's record beside it (`pages/NNN.json`), with the seconds spent
        on it in all (the worker wrote it first, before the PNG, with its own)."""
        if self.pages_dir is None or page.best is None:
            return
        record = finished_record(
            self._record(page, page.best.attempt), page.best, page.attempt, page.seconds
        )
        write_page_record(self.pages_dir, {**record, "png_sha256": page.sha256})

    def _render(self, todo: list[PageWork], cleaning: dict[Future[Cleaned], PageWork]) -> None:
        """One provider call for `todo` (their current attempts); cleanup queued per image."""
        requests = [
            image_request(self.spec, AssetKind.PAGE, p.index, p.subject, self.size, p.attempt - 1)
            for p in todo
        ]
        started = time.perf_counter()
        images = generate_images(self.provider, requests)
        told = [self.provider.describe(r) for r in requests]  # after generate (its contract)
        self._note_substitutes(requests, told)
        each = (time.perf_counter() - started) / len(todo)
        self.times.generate += each * len(todo)
        self.times.images += len(todo)
        retry = self.max_attempts if self.provider.capabilities.retries else 1
        for page, image, provenance in zip(todo, images, told, strict=True):
            page.seconds += each
            page.attempts = 1 if provenance.given else retry
            keep = None
            if self.pages_dir is not None:
                beat = page.best.badness if page.best else math.inf
                last = page.attempt >= page.attempts
                record = self._record(page, page.attempt)
                keep = Keep(self.pages_dir, page.input_key, last, beat, record)
            source = Pixels.of(image)
            task = self.pool.submit(
                clean, page.index, page.attempt, source, self.size, self.options, keep
            )
            cleaning[task] = page

    def _cleaned(
        self,
        page: PageWork,
        result: Cleaned,
        retries: deque[PageWork],
        writing: dict[Future[tuple[str, float]], PageWork],
    ) -> None:
        page.seconds += result.seconds + result.write_seconds
        self.times.clean += result.seconds
        self.times.write += result.write_seconds
        if page.best is None or not result.flagged or result.badness < page.best.badness:
            page.best = result
        if result.flagged and page.attempt < page.attempts:
            page.attempt += 1
            retries.append(page)
            return
        done: Future[tuple[str, float]] = Future()
        if self.pages_dir is None or page.best.sha256:  # in memory, or written by the worker
            done.set_result((page.best.sha256, 0.0))
            writing[done] = page
        else:  # an earlier attempt was better than the last: write that one
            assert page.best.art is not None
            art, key = page.best.art, page.input_key
            record = finished_record(
                self._record(page, page.best.attempt), page.best, page.attempt, page.seconds
            )
            task = self.pool.submit(write, self.pages_dir, page.index, art, key, record)
            writing[task] = page
