"""The repository's bot config (`.github/ebook-bot.yml`): which provider makes which asset,
and how each provider is set up. Precedence, highest first: `--provider`, the spec's
`providers:`, environment variables (`EBOOK_BOT_DIFFUSERS_MODEL`...), this file, defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from bot.book.spec import ProviderName
from bot.book.validation import validate_mapping
from bot.book.yamlio import load_yaml
from bot.errors import UserInputError

if TYPE_CHECKING:
    from bot.settings import Settings

CONFIG_PATH = Path(".github/ebook-bot.yml")
DEFAULT_PROVIDER = "procedural"
Labels = Annotated[
    list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]], Field(min_length=1)
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderChoice(_Model):
    cover: ProviderName | None = None
    coloring_page: ProviderName | None = None


class DiffusersConfig(_Model):
    """SDXL-turbo through diffusers. Guidance is always 0 (turbo is distilled without it)."""

    model: str = Field(default="stabilityai/sdxl-turbo", min_length=1, max_length=500)
    steps: int = Field(default=2, ge=1, le=8)
    width: int = Field(default=512, ge=256, le=1536, multiple_of=8)  # the short side
    batch_size: int = Field(default=4, ge=1, le=32)
    dtype: Literal["auto", "fp16", "bf16", "fp32"] = "auto"
    variant: str | None = Field(default=None, max_length=40)  # None: fp16 for hub ids on GPU
    vae: str | None = Field(default=None, max_length=500)  # e.g. madebyollin/sdxl-vae-fp16-fix
    tiny_vae: str | None = Field(default=None, max_length=500)  # e.g. madebyollin/taesdxl
    compile: bool = False
    channels_last: bool = False  # NHWC memory for the UNet and VAE (tensor cores)
    device: str | None = Field(default=None, pattern=r"^(cpu|cuda|cuda:\d+|mps)$")


class RemoteConfig(_Model):
    """An OpenAI-compatible image endpoint (OpenRouter by default)."""

    base_url: str = "https://openrouter.ai/api/v1"
    model: str = Field(default="google/gemini-2.5-flash-image", min_length=1, max_length=200)
    api: Literal["chat", "images"] = "chat"  # chat: /chat/completions with modalities
    timeout: float = Field(default=120.0, gt=0, le=900)
    max_retries: int = Field(default=4, ge=0, le=10)
    # from EBOOK_BOT_OPENROUTER_API_KEY only: a key never belongs in a committed file
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)

    @field_validator("base_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith(("https://", "http://localhost", "http://127.0.0.1")):
            raise ValueError("must be an https:// URL")
        return value.rstrip("/")


class GenerationConfig(_Model):
    """The generation workflow: where pages are made, and by how many runners."""

    runs_on: Labels = ["self-hosted", "gpu"]
    runners: int = Field(default=1, ge=1, le=64)  # pages jobs (a matrix)
    claim: bool = False  # runners share the PostgreSQL ledger's queue instead of fixed shares


class RepoConfig(_Model):
    providers: ProviderChoice = ProviderChoice()
    diffusers: DiffusersConfig = DiffusersConfig()
    openrouter: RemoteConfig = RemoteConfig()
    generation: GenerationConfig = GenerationConfig()


def load_repo_config(path: Path | None = None) -> RepoConfig:
    """Read `path` (default `.github/ebook-bot.yml` when it exists); problems name the field."""
    explicit = path is not None
    target = path if path is not None else CONFIG_PATH
    if not target.exists():
        if explicit:
            raise UserInputError(f"{target}: no such config file")
        return RepoConfig()
    data = load_yaml(target.read_bytes(), source=str(target)) or {}
    remote = data.get("openrouter") if isinstance(data, dict) else None
    if isinstance(remote, dict) and "api_key" in remote:
        raise UserInputError(
            f"{target}: openrouter.api_key: keep the key out of the repository; pass it in "
            "EBOOK_BOT_OPENROUTER_API_KEY from a secret"
        )
    return validate_mapping(RepoConfig, data, source=str(target), what="config")


def with_environment(config: RepoConfig, settings: Settings) -> RepoConfig:
    """Apply the `EBOOK_BOT_DIFFUSERS_*` / `EBOOK_BOT_OPENROUTER_*` settings over the file."""
    diffusers = {
        key: value
        for key, value in {
            "model": settings.diffusers_model,
            "steps": settings.diffusers_steps,
            "batch_size": settings.diffusers_batch_size,
            "dtype": settings.diffusers_dtype,
            "compile": settings.diffusers_compile,
            "device": settings.diffusers_device,
        }.items()
        if value is not None
    }
    remote: dict[str, object] = {
        key: value
        for key, value in {
            "model": settings.openrouter_model,
            "base_url": settings.openrouter_base_url,
            "api_key": settings.openrouter_api_key,
        }.items()
        if value is not None
    }
    return config.model_copy(
        update={
            "diffusers": _override(DiffusersConfig, config.diffusers, diffusers, "DIFFUSERS"),
            "openrouter": _override(RemoteConfig, config.openrouter, remote, "OPENROUTER"),
        }
    )


def _override(
    model: type[_Model], current: _Model, values: Mapping[str, object], prefix: str
) -> Any:
    """`current` with the environment's `values` over it; a bad one names its variable."""
    try:
        return model.model_validate({**current.model_dump(), **values})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            name = str(err["loc"][0]) if err["loc"] else "?"
            where = (
                f"EBOOK_BOT_{prefix}_{name.upper()}"
                if name in values
                else f"{prefix.lower()}.{name}"
            )
            problems.append(f"{where}: {err['msg']}")
        raise UserInputError("invalid provider settings", problems) from None


def provider_names(
    spec_cover: str | None, spec_page: str | None, config: RepoConfig
) -> tuple[str, str]:
    """(cover, coloring_page) provider names: the spec's, else the config's, else procedural."""
    cover = spec_cover or config.providers.cover or DEFAULT_PROVIDER
    page = spec_page or config.providers.coloring_page or DEFAULT_PROVIDER
    return cover, page
