"""The draft PR's progress checklist, kept current as a book is made, and marked when a job
fails or is cancelled.

Body edits are batched so that a book costs a bounded number of requests whatever the page
speed: a page count alone is written only when it crosses a tenth of the book (and five
pages at least), any change is held until at least `interval` seconds after the last edit,
and `flush` writes what is held.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from bot.github.checklist import Progress, parse_checklist, render_checklist, splice
from bot.github.repo import GitHubRepo

MIN_INTERVAL = 10.0  # seconds between two PR-body updates
PAGE_STEPS = 10  # a page count alone is written at most this many times per book
MIN_STEP = 5  # and at most once every this many pages (a small book needs no more)


def _step(progress: Progress) -> int:
    size = max(MIN_STEP, -(-progress.pages_total // PAGE_STEPS))
    return progress.pages_done // size


class ChecklistReporter:
    """Keeps the draft PR's checklist current with at most one body update per interval:
    changes that come sooner are held and written by the next update or by `flush`."""

    def __init__(
        self,
        repo: GitHubRepo,
        pr_number: int,
        *,
        interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.repo, self.pr_number = repo, pr_number
        self.interval, self._clock, self._sleep = interval, clock, sleep
        self.progress = parse_checklist(repo.pull_body(pr_number))
        self._written = self.progress  # what the PR body shows
        self._last: float | None = None
        self._dirty = False
        self.write_times: list[float] = []  # when each PR-body update was sent

    def update(self, **changes: object) -> None:
        new = replace(self.progress, **changes)  # type: ignore[arg-type]
        if new == self.progress:
            return
        self.progress, self._dirty = new, True
        if self._minor(new):
            return  # only the page count moved, within the same tenth of the book
        if self._last is None or self._clock() - self._last >= self.interval:
            self._write()

    def _minor(self, new: Progress) -> bool:
        old = self._written
        same_otherwise = replace(new, pages_done=old.pages_done) == old
        return same_otherwise and _step(new) == _step(old) and new.pages_done < new.pages_total

    def done(self, *stages: str) -> None:
        self.update(done=self.progress.done | frozenset(stages))

    def flush(self) -> None:
        if not self._dirty:
            return
        if self._last is not None:
            wait = self.interval - (self._clock() - self._last)
            if wait > 0:
                self._sleep(wait)
        self._write()

    def _write(self) -> None:
        body = self.repo.pull_body(self.pr_number)
        self.repo.set_pull_body(self.pr_number, splice(body, render_checklist(self.progress)))
        self._last, self._dirty, self._written = self._clock(), False, self.progress
        self.write_times.append(self._last)
