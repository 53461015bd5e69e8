"""Settings from the environment, validated when read (never at import).

`main` reads them once (`bot.runtime.Runtime`); nothing below the command layer reads the
environment itself: what a module needs is passed to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import UserInputError

PROJECT_FOLDER = ".ebook-bot"  # the project's own state, beside its specs and books
LEDGER_FILE = "ledger.sqlite"


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
    # set by GitHub Actions on its runners
    github_actions: bool = Field(default=False, validation_alias="GITHUB_ACTIONS")
    github_step_summary: Path | None = Field(default=None, validation_alias="GITHUB_STEP_SUMMARY")
    github_output: Path | None = Field(default=None, validation_alias="GITHUB_OUTPUT")
    runner_name: str | None = Field(default=None, validation_alias="RUNNER_NAME")
    allowlist: str = ""  # comma-separated logins allowed besides people with write access
    # the bot's own login (the author of its status comments); empty: github-actions[bot]
    login: str = Field(default="github-actions[bot]", pattern=r"^[A-Za-z0-9-]{1,39}(\[bot\])?$")
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EBOOK_BOT_DATABASE_URL", "DATABASE_URL")
    )
    state_dir: Path | None = None  # None: $XDG_STATE_HOME/ebook-bot or ~/.local/state/ebook-bot
    xdg_state_home: Path | None = Field(default=None, validation_alias="XDG_STATE_HOME")
    lease_seconds: float = Field(default=900.0, ge=10, le=86_400)
    # processes that clean pages into line art while the provider makes the next ones;
    # None: one per core; 0: in the main process
    cleanup_workers: int | None = Field(default=None, ge=0, le=64)
    # provider settings; unset means the repository config (.github/ebook-bot.yml) decides
    diffusers_model: str | None = None
    diffusers_steps: int | None = None
    diffusers_batch_size: int | None = None
    diffusers_dtype: Literal["auto", "fp16", "bf16", "fp32"] | None = None
    diffusers_compile: bool | None = None
    diffusers_device: str | None = None
    hf_token: SecretStr | None = Field(default=None, validation_alias="HF_TOKEN")
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

    @field_validator(
        "state_dir", "xdg_state_home", "github_step_summary", "github_output", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("login", mode="before")
    @classmethod
    def _default_login(cls, value: object) -> object:
        return "github-actions[bot]" if value in ("", None) else value

    @property
    def allowed_logins(self) -> frozenset[str]:
        return frozenset(x.strip().lower() for x in self.allowlist.split(",") if x.strip())

    @property
    def state_path(self) -> Path:
        """Where the runner's work folders live: EBOOK_BOT_STATE_DIR, else the XDG state
        folder."""
        if self.state_dir is not None:
            return self.state_dir
        return self.legacy_state_path

    @property
    def legacy_state_path(self) -> Path:
        """The XDG state folder (where every project's ledger lived before 0.2)."""
        base = self.xdg_state_home or Path.home() / ".local" / "state"
        return base / "ebook-bot"

    def ledger_folder(self, project: Path) -> tuple[Path, str | None]:
        """The folder of the default SQLite ledger, and a notice when it is the old one.

        EBOOK_BOT_STATE_DIR when set (a runner's persistent folder); else `.ebook-bot/` in
        the project (the working folder), so each project keeps its own runs; else, while
        only the old shared ledger exists, that one (still read, with a notice)."""
        if self.state_dir is not None:
            return self.state_dir, None
        local = project / PROJECT_FOLDER
        legacy = self.legacy_state_path
        if not (local / LEDGER_FILE).exists() and (legacy / LEDGER_FILE).exists():
            notice = (
                f"using the ledger at its old place, {legacy / LEDGER_FILE}; move it to "
                f"{local / LEDGER_FILE} to keep this project's runs with it"
            )
            return legacy, notice
        return local, None

    def secret_values(self) -> list[str]:
        """Every secret's value (and the parts an error message could quote), to mask."""
        values = [
            s.get_secret_value()
            for s in (self.github_token, self.openrouter_api_key, self.hf_token)
            if s is not None
        ]
        if self.database_url is not None:
            url = self.database_url.get_secret_value()
            values += [url, *_url_password(url)]
        if self.drive_credentials_json is not None:
            raw = self.drive_credentials_json.get_secret_value()
            values += [raw, *_key_parts(raw)]
        return [v for v in values if v]

    def run_url(self) -> str | None:
        if self.github_repository and self.github_run_id:
            repo_url = f"{self.github_server_url}/{self.github_repository}"
            return f"{repo_url}/actions/runs/{self.github_run_id}"
        return None


_ENV_NAMES = {
    name: str(info.validation_alias.choices[-1])
    if isinstance(info.validation_alias, AliasChoices)
    else info.validation_alias
    for name, info in Settings.model_fields.items()
    if isinstance(info.validation_alias, AliasChoices | str)
}


def variable_names() -> list[str]:
    """Every environment variable the settings read (the plain name of each field)."""
    return [_ENV_NAMES.get(name, f"EBOOK_BOT_{name.upper()}") for name in Settings.model_fields]


def load_settings() -> Settings:
    """Read and validate the environment; a bad value names its variable (never its value)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            name = str(err["loc"][0]) if err["loc"] else "?"
            problems.append(f"{_ENV_NAMES.get(name, f'EBOOK_BOT_{name.upper()}')}: {err['msg']}")
        raise UserInputError("invalid settings", problems) from None


def _url_password(url: str) -> list[str]:
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [password, unquote(password)] if password else []


def _key_parts(raw: str) -> list[str]:
    """A service-account key's private parts, and each line of its PEM key."""
    import json

    try:
        info = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(info, dict):
        return []
    key = str(info.get("private_key") or "")
    lines = [line for line in key.splitlines() if len(line) >= 16 and "-----" not in line]
    return [str(info.get("private_key_id") or ""), key, *lines]
