"""The draft PR's progress checklist, kept current as a book is made (at most one PR-body
update per interval), and marked when a job fails or is cancelled."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from bot.bookref import BookRef
from bot.github.checklist import parse_checklist, render_checklist, splice
from bot.github.repo import GitHubRepo

MIN_INTERVAL = 10.0  # seconds between two PR-body updates


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
        self._last: float | None = None
        self._dirty = False
        self.write_times: list[float] = []  # when each PR-body update was sent

    def update(self, **changes: object) -> None:
        new = replace(self.progress, **changes)  # type: ignore[arg-type]
        if new == self.progress:
            return
        self.progress, self._dirty = new, True
        if self._last is None or self._clock() - self._last >= self.interval:
            self._write()

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
        self._last, self._dirty = self._clock(), False
        self.write_times.append(self._last)


def mark_book(repo: GitHubRepo, issue: int, outcome: str, run_url: str | None) -> bool:
    """After a job failed or was cancelled from outside: say so on the checklist."""
    pr = repo.find_pull(BookRef(issue).branch)
    if pr is None:
        return False
    reporter = ChecklistReporter(repo, pr.number)
    words = {"cancelled": "was cancelled", "failure": "failed"}.get(outcome, f"ended: {outcome}")
    link = f" ([run log]({run_url}))" if run_url else ""
    reporter.update(note=f"> [!WARNING]\n> Generation {words}{link}. Finished pages are kept.")
    reporter.flush()
    return True
