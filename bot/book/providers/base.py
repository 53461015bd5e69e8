"""What every image provider is: a request in, an image out, and what it can do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from bot.book.assets import AssetKind
from bot.book.spec import Audience


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


@dataclass(frozen=True)
class Capabilities:
    """What the pipeline may count on, declared by each provider."""

    seeded: bool = True  # the same request gives the same image on any machine
    batch_size: int = 1  # requests worth sending in one `generate` call
    retries: bool = True  # asking again (with the next seed) can give a better page
    gpu: bool = False  # its time is GPU time (the ledger records it per run)


class Provider(Protocol):
    """Makes images. `fingerprint` is what, besides its name, changes its pictures (the
    model, the steps...): it goes into every page's input key."""

    name: str
    capabilities: Capabilities
    model_id: str | None  # the model's name, None for a provider without one
    fingerprint: str

    def check(self) -> None:
        """Raise UserInputError naming the setting or command that fixes it when this
        provider cannot work here (a missing extra, model or key); cheap, loads nothing."""
        ...

    def generate(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        """One image per request, in order."""
        ...

    def describe(self, request: ImageRequest) -> Provenance:
        """What was asked of the model for `request` (after `generate`), for provenance."""
        ...


@dataclass(frozen=True)
class Provenance:
    """Where one image came from: the words sent, the model's revision, what it cost."""

    prompt: str
    revision: str | None = None
    cost: float | None = None  # what the API reported (remote providers), in its currency
    substitute: str | None = None  # what was drawn instead of a subject it cannot draw
    given: bool = False  # the user's own image, not made: asking again returns it unchanged


def generate_images(provider: Provider, requests: Sequence[ImageRequest]) -> list[Image.Image]:
    """One image per request, in batches of the provider's size; checks the count."""
    size = max(1, provider.capabilities.batch_size)
    images: list[Image.Image] = []
    for start in range(0, len(requests), size):
        chunk = requests[start : start + size]
        made = provider.generate(chunk)
        if len(made) != len(chunk):
            raise RuntimeError(f"{provider.name}: asked for {len(chunk)} images, got {len(made)}")
        images.extend(made)
    return images


def provider_key(provider: Provider) -> str:
    """The provider's name and whatever else changes its output (it goes into page keys)."""
    return f"{provider.name}:{provider.fingerprint}" if provider.fingerprint else provider.name
