"""What the generation job is given and what it returns (shared by the job and its summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.book.pipeline import AssembleResult, GenerateResult
from bot.bookref import BookRef
from bot.github.repo import GitHubRepo
from bot.ops.drive import DriveDelivery


@dataclass
class JobContext:
    issue: int
    checkout: Path  # the book branch's checkout: data only, never the bot's code
    state_dir: Path
    repo: GitHubRepo
    repository: str
    server_url: str = "https://github.com"
    run_url: str | None = None
    summary_path: Path | None = None
    push: bool = True
    git_auth: dict[str, str] | None = None  # see gitops.auth_env
    drive: DriveDelivery | None = None  # deliver to Google Drive when configured
    cleanup_workers: int | None = None  # None: every core but one (EBOOK_BOT_CLEANUP_WORKERS)
    # the pages artifact's folder, outside the checkout (runner.temp): the pages phase
    # writes its page files there to upload, the finish phase reads the downloaded ones
    exchange: Path | None = None
    comment_id: int | None = None  # the comment that asked for this run (/regenerate, /cover)

    @property
    def book(self) -> BookRef:
        return BookRef(self.issue)

    def files_url(self, commit: str) -> str:
        """The book's folder at `commit`, as GitHub shows it."""
        return f"{self.server_url}/{self.repository}/blob/{commit}/{self.book.book_dir}"

    def raw_url(self, commit: str, name: str) -> str:
        return f"{self.server_url}/{self.repository}/raw/{commit}/{self.book.book_dir}/{name}"

    def commit_url(self, commit: str) -> str:
        return f"{self.server_url}/{self.repository}/commit/{commit}"


@dataclass
class JobResult:
    generated: GenerateResult | None
    assembled: AssembleResult | None
    commit: str | None
    preview_url: str | None
    qa: list[dict[str, Any]] = field(default_factory=list)  # pages' provenance records
