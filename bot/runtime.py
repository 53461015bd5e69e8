"""What a command needs from the outside world, built once by `main` and passed down.

The settings are read from the environment on first use and then kept (a command that
needs none, like `schema`, never fails on a bad variable); the ledger, the repository
config and the GitHub adapter are made from them here, so nothing below the command layer
reads the environment or calls `load_settings`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import UserInputError
from bot.log import LOGGER

if TYPE_CHECKING:
    from bot.book.ledger import Ledger
    from bot.book.progress import Progress
    from bot.config import RepoConfig
    from bot.github.repo import GitHubRepo
    from bot.ops.drive import DriveDelivery
    from bot.settings import Settings


@dataclass
class Runtime:
    """Settings, ledger, repository config, GitHub adapter factory, progress and logger."""

    settings_override: Settings | None = None  # tests pass settings instead of the env
    log: logging.Logger = field(default_factory=lambda: logging.getLogger(LOGGER))

    @cached_property
    def settings(self) -> Settings:
        """The environment's settings, validated once; a bad one names its variable."""
        from bot.settings import load_settings

        return self.settings_override or load_settings()

    @property
    def in_actions(self) -> bool:
        return self.settings.github_actions

    def annotate(self, level: str, message: str) -> str:
        """Under GitHub Actions, a `::error::` line also shows on the run page."""
        return f"::{level}::{message}" if self.in_actions else message

    @cached_property
    def ledger(self) -> Ledger:
        """The run ledger: DATABASE_URL, else the default SQLite file (`ledger_folder`)."""
        from bot.book.ledger import open_ledger

        s = self.settings
        return open_ledger(
            s.database_url.get_secret_value() if s.database_url else None,
            state_dir=None if s.database_url else self.ledger_folder(),
            lease_seconds=s.lease_seconds,
            runner=s.runner_name,
        )

    def ledger_folder(self) -> Path:
        """The default SQLite ledger's folder (see Settings.ledger_folder); made on first
        use, git-ignored when it is the project's `.ebook-bot/`."""
        from bot.settings import PROJECT_FOLDER

        folder, notice = self.settings.ledger_folder(Path.cwd())
        if notice:
            self.log.warning(notice)
        if folder.name == PROJECT_FOLDER and not folder.exists():
            folder.mkdir(parents=True)
            # like .pytest_cache: the folder says it is not to be committed
            (folder / ".gitignore").write_text("# made by ebook-bot\n*\n", "utf-8")
        return folder

    def repo_config(self, path: Path | None = None) -> RepoConfig:
        """`.github/ebook-bot.yml` (or `path`) with the EBOOK_BOT_* provider settings over it."""
        from bot.config import load_repo_config, with_environment

        return with_environment(load_repo_config(path), self.settings)

    def github(self, repository: str | None = None, *, dry_run: bool = False) -> GitHubRepo:
        """The repository adapter with the settings' token (`repository` or GITHUB_REPOSITORY)."""
        from bot.github.repo import GitHubRepo

        s = self.settings
        name = repository or s.github_repository
        if not name:
            raise UserInputError("GITHUB_REPOSITORY: not set")
        if s.github_token is None:
            raise UserInputError("GITHUB_TOKEN: not set (the workflow passes it in `env:`)")
        return GitHubRepo(
            s.github_token.get_secret_value(),
            name,
            api_url=s.github_api_url,
            dry_run=dry_run,
            login=s.login,
        )

    def drive(self) -> DriveDelivery | None:
        """Google Drive delivery when EBOOK_BOT_DRIVE_FOLDER_ID is set, else None."""
        from bot.ops.drive import from_settings

        return from_settings(self.settings)

    def progress(self, total: int, label: str) -> Progress:
        from bot.book.progress import Progress

        return Progress(total, label)
