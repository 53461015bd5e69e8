"""Image providers: a page request in, an image out, chosen by name.

Providers are imported only when asked for, so the light core never loads torch.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from PIL import Image

from bot.errors import UserInputError
from bot.spec import Audience

if TYPE_CHECKING:
    from bot.config import RepoConfig

AssetKind = Literal["cover", "coloring_page"]


@dataclass(frozen=True)
class ImageRequest:
    """What to draw: one page (or the cover) of one book."""

    kind: AssetKind
    index: int  # page index (0-based); 0 for the cover
    subject: str
    seed: int
    width: int  # pixels wanted at print resolution; a provider may return fewer
    height: int
    audience: Audience = Audience.ADULTS
    theme: str = ""
    style: str = ""
    palette: tuple[str, ...] = ()  # cover fills ('#rrggbb') a provider may colour art with


class Provider(Protocol):
    """Makes images. A provider may also offer `generate_batch(requests)` (a GPU provider
    batches pages), `batch_size`, `uses_gpu`, `model_name` and `fingerprint` (what, besides
    its name, changes its pictures: the model, the steps...)."""

    name: str

    def generate(self, request: ImageRequest) -> Image.Image: ...


def generate_images(provider: Provider, requests: list[ImageRequest]) -> list[Image.Image]:
    """One image per request, in one batch when the provider can."""
    batch = getattr(provider, "generate_batch", None)
    if batch is not None and len(requests) > 1:
        images: list[Image.Image] = batch(requests)
        if len(images) != len(requests):
            raise RuntimeError(
                f"{provider.name}: asked for {len(requests)} images, got {len(images)}"
            )
        return images
    return [provider.generate(r) for r in requests]


def provider_fingerprint(provider: Provider) -> str:
    """The provider's name and whatever else changes its output (it goes into page keys)."""
    extra = getattr(provider, "fingerprint", "")
    return f"{provider.name}:{extra}" if extra else provider.name


# name -> "module:attribute"; imported on first use
_REGISTRY: dict[str, str] = {
    "procedural": "bot.providers.procedural:ProceduralProvider",
    "diffusers": "bot.providers.diffusers_sdxl:DiffusersProvider",
    "openrouter": "bot.providers.remote:RemoteProvider",
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
    if config is None:
        from bot.config import RepoConfig

        config = RepoConfig()
    provider: Provider = factory(config)
    return provider
