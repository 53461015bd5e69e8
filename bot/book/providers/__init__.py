"""Image providers, chosen by name. Providers are imported only when asked for, so the
light core never loads torch."""

from __future__ import annotations

import importlib

from bot.book.providers.base import (
    Capabilities,
    ImageRequest,
    Provider,
    generate_images,
    provider_key,
)
from bot.config import RepoConfig
from bot.errors import UserInputError

__all__ = [
    "Capabilities",
    "ImageRequest",
    "Provider",
    "generate_images",
    "get_provider",
    "provider_key",
    "provider_names",
]

# name -> "module:attribute"; imported on first use
_REGISTRY: dict[str, str] = {
    "procedural": "bot.book.providers.procedural:ProceduralProvider",
    "diffusers": "bot.book.providers.diffusers_sdxl:DiffusersProvider",
    "openrouter": "bot.book.providers.remote:RemoteProvider",
}


def provider_names() -> list[str]:
    return sorted(_REGISTRY)


def get_provider(
    name: str, *, field: str = "provider", config: RepoConfig | None = None
) -> Provider:
    """The provider called `name`, set up from the repository config (with the environment
    applied); an unknown name is a user error naming `field`."""
    target = _REGISTRY.get(name)
    if target is None:
        raise UserInputError(
            f"{field}: unknown provider {name!r} (known: {', '.join(provider_names())})"
        )
    module_name, _, attr = target.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    provider: Provider = factory(config or RepoConfig())
    return provider
