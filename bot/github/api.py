"""GitHub API calls with bounded retries and a dry run (the base of the repository adapter).

Every call has bounded retries that honour `retry-after` and `x-ratelimit-reset` (5xx,
secondary rate limits, and the 404/422 GitHub can answer just after creating a ref or PR).
Creating calls are never blindly retried: after a failed POST the object is looked for
first, so a retry never makes a second comment or PR. With `dry_run`, writes are printed
and not made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from github import Auth, Github, GithubException
from github.Repository import Repository

from bot.errors import BotError

T = TypeVar("T")


class GitHubError(BotError):
    """GitHub refused or kept failing a call."""


def header(exc: GithubException, name: str) -> str | None:
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    return headers.get(name)


def message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    errors = data.get("errors") or []
    details = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    return " ".join(x for x in (str(data.get("message", "")), details) if x) or str(exc.status)


class GitHubApi:
    """One repository's API through PyGithub: retried calls and dry-run writes."""

    def __init__(
        self,
        token: str,
        full_name: str,
        *,
        api_url: str = "https://api.github.com",
        dry_run: bool = False,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        echo: Callable[[str], None] = print,
        seconds_between_writes: float | None = 1.0,
    ) -> None:
        # PyGithub's own urllib3 retries are off: these retries are explicit and bounded.
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url,
            retry=None,
            timeout=30,
            lazy=True,
            seconds_between_requests=None,
            seconds_between_writes=seconds_between_writes,
        )
        self.full_name = full_name
        self.owner = full_name.split("/")[0]
        self.dry_run = dry_run
        self._attempts = max_attempts
        self._sleep = sleep
        self._echo = echo
        self._repo: Repository = self._gh.get_repo(full_name)

    # -- retries -------------------------------------------------------------------------

    def _delay(
        self, exc: GithubException, attempt: int, transient: tuple[int, ...]
    ) -> float | None:
        status = exc.status
        retry_after = header(exc, "retry-after")
        text = message(exc).lower()
        if status in (403, 429) and (retry_after or "secondary rate limit" in text):
            return float(retry_after or 60)
        if status in (403, 429) and header(exc, "x-ratelimit-remaining") == "0":
            reset = float(header(exc, "x-ratelimit-reset") or 0)
            return min(max(reset - time.time(), 1.0), 900.0)
        if status >= 500 or status in transient:
            return float(retry_after) if retry_after else float(2 ** (attempt - 1))
        return None

    def _call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        find: Callable[[], T | None] | None = None,
        transient: tuple[int, ...] = (),
    ) -> T:
        """`fn` with bounded retries. With `find` (for a create), each failure is followed,
        after the back-off, by a look for the thing before trying again, since the POST may
        have landed before the error reached us."""
        for attempt in range(1, self._attempts + 1):
            try:
                return fn()
            except GithubException as exc:
                delay = self._delay(exc, attempt, transient)
                if delay is None or attempt == self._attempts:
                    raise GitHubError(
                        f"{what}: GitHub answered {exc.status}: {message(exc)}"
                    ) from None
                self._sleep(delay)
            found = find() if find is not None else None
            if found is not None:
                return found
        raise AssertionError("unreachable")

    def _write(self, description: str) -> bool:
        """True when the write should really happen; in a dry run, say what it would be."""
        if self.dry_run:
            self._echo(f"dry run: would {description}")
        return not self.dry_run
