"""Settings from the environment, validated when read (never at import)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import UserInputError

if TYPE_CHECKING:
    from bot.book.ledger import Ledger


def default_state_dir() -> Path:
    """Where the default ledger lives: $EBOOK_BOT_STATE_DIR, else the XDG state folder."""
    explicit = os.environ.get("EBOOK_BOT_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ebook-bot"


class Settings(BaseSettings):
    """Prefix `EBOOK_BOT_`, plus GitHub's own `GITHUB_*` variables."""

    model_config = SettingsConfigDict(env_prefix="EBOOK_BOT_", extra="ignore")

    github_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EBOOK_BOT_GITHUB_TOKEN", "GITHUB_TOKEN")
    )
    github_repository: str | None = Field(default=None, validation_alias="GITHUB_REPOSITORY")
    github_api_url: str = Field(default="https://api.github.com", validation_alias="GITHUB_API_URL")
    github_server_url: str = Field(
        default="https://github.com", validation_alias="GITHUB_SERVER_URL"
    )
    github_event_name: str | None = Field(default=None, validation_alias="GITHUB_EVENT_NAME")
    github_event_path: str | None = Field(default=None, validation_alias="GITHUB_EVENT_PATH")
    github_run_id: str | None = Field(default=None, validation_alias="GITHUB_RUN_ID")
    allowlist: str = ""  # comma-separated logins allowed besides people with write access
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EBOOK_BOT_DATABASE_URL", "DATABASE_URL")
    )
    state_dir: Path = Field(default_factory=lambda: default_state_dir())
    lease_seconds: float = Field(default=900.0, ge=10, le=86_400)
    # provider settings; unset means the repository config (.github/ebook-bot.yml) decides
    diffusers_model: str | None = None
    diffusers_steps: int | None = None
    diffusers_batch_size: int | None = None
    diffusers_dtype: Literal["auto", "fp16", "bf16", "fp32"] | None = None
    diffusers_compile: bool | None = None
    diffusers_device: str | None = None
    openrouter_api_key: SecretStr | None = None
    openrouter_model: str | None = None
    openrouter_base_url: str | None = None
    # Google Drive delivery (optional)
    drive_folder_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{10,100}$")
    drive_credentials: str | None = None  # path to a service-account key file
    drive_credentials_json: SecretStr | None = None  # or the key itself, from a secret
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("github_api_url", "github_server_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def allowed_logins(self) -> frozenset[str]:
        return frozenset(x.strip().lower() for x in self.allowlist.split(",") if x.strip())

    def run_url(self) -> str | None:
        if self.github_repository and self.github_run_id:
            repo_url = f"{self.github_server_url}/{self.github_repository}"
            return f"{repo_url}/actions/runs/{self.github_run_id}"
        return None


_ENV_NAMES = {
    "github_token": "GITHUB_TOKEN",
    "github_repository": "GITHUB_REPOSITORY",
    "github_api_url": "GITHUB_API_URL",
    "github_server_url": "GITHUB_SERVER_URL",
    "github_event_name": "GITHUB_EVENT_NAME",
    "github_event_path": "GITHUB_EVENT_PATH",
    "github_run_id": "GITHUB_RUN_ID",
    "database_url": "DATABASE_URL",
}


def open_ledger_from(settings: Settings) -> Ledger:
    """The ledger the settings name (DATABASE_URL, else the default SQLite file)."""
    from bot.book.ledger import open_ledger

    url = settings.database_url.get_secret_value() if settings.database_url else None
    return open_ledger(url, state_dir=settings.state_dir, lease_seconds=settings.lease_seconds)


def variable_names() -> list[str]:
    """Every environment variable the settings read (the first name of each field)."""
    names = []
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):  # the plain name (GITHUB_TOKEN, DATABASE_URL)
            names.append(str(alias.choices[-1]))
        elif isinstance(alias, str):
            names.append(alias)
        else:
            names.append(f"EBOOK_BOT_{field_name.upper()}")
    return names


def load_settings() -> Settings:
    """Read and validate the environment; a bad value names its variable (never its value)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            name = str(err["loc"][0]) if err["loc"] else "?"
            variable = _ENV_NAMES.get(name, f"EBOOK_BOT_{name.upper()}")
            problems.append(f"{variable}: {err['msg']}")
        raise UserInputError("invalid settings", problems) from None
