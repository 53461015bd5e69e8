"""What each asset of a book should be (pure): requests to providers and ledger inputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.book.assets import AssetKind
from bot.book.kdp import art_size_px, cover_art_size_px
from bot.book.ledger.claims import PageInput
from bot.book.palette import spec_palette
from bot.book.providers import ImageRequest, Provider, provider_key
from bot.book.providers.folder import ArtPage
from bot.book.spec import BookSpec, derive_seed, variant_salt


def dir_key(out: Path) -> str:
    """The ledger's name for a book made in a folder (no issue number)."""
    return f"dir:{out.resolve()}"


def seed_for(spec: BookSpec, kind: AssetKind, index: int, attempt: int = 0) -> int:
    """The seed of an asset's attempt; a reviewer's n-th redo salts it with /vN."""
    variant = spec.cover.variant if kind is AssetKind.COVER else spec.page_variant(index)
    return derive_seed(spec.seed, index, attempt, salt=variant_salt(kind.seed_salt, variant))


def image_request(
    spec: BookSpec,
    kind: AssetKind,
    index: int,
    subject: str,
    size: tuple[int, int],
    attempt: int = 0,
) -> ImageRequest:
    return ImageRequest(
        kind=kind,
        index=index,
        subject=subject,
        seed=seed_for(spec, kind, index, attempt),
        width=size[0],
        height=size[1],
        audience=spec.audience,
        theme=spec.theme,
        style=spec.style,
        palette=spec_palette(spec).fills if kind is AssetKind.COVER else (),
    )


def input_key(**fields: Any) -> str:
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_inputs(
    spec: BookSpec,
    page_provider: Provider,
    cover_provider: Provider,
    finish: str,
    art: Mapping[int, ArtPage] | None = None,
) -> list[PageInput]:
    """What every asset of the book should be. A page's key covers everything that shapes
    it (subject, seed, style, theme, audience, provider and its model, size, line-art
    settings), so after a spec edit exactly the pages whose inputs changed are made again."""
    common = {"seed": spec.seed, "style": spec.style, "theme": spec.theme}
    common["audience"] = spec.audience.value
    cover_subject = spec.cover.subject or spec.title
    cover = PageInput(
        AssetKind.COVER,
        0,
        cover_subject,
        seed_for(spec, AssetKind.COVER, 0),
        input_key(
            kind="cover",
            subject=cover_subject,
            variant=spec.cover.variant,
            cover_style=spec.cover.style,
            palette=spec_palette(spec).fills,
            provider=provider_key(cover_provider),
            size=cover_art_size_px(spec),
            **common,
        ),
    )
    size = art_size_px(spec)
    pages = [
        PageInput(
            AssetKind.PAGE,
            index,
            subject,
            seed_for(spec, AssetKind.PAGE, index),
            input_key(
                kind="page",
                index=index,
                subject=subject,
                variant=spec.page_variant(index),
                size=size,
                finish=finish,
                **_source(index, page_provider, art or {}),
                **common,
            ),
        )
        for index, subject in enumerate(spec.page_subjects())
    ]
    return [cover, *pages]


def _source(index: int, provider: Provider, art: Mapping[int, ArtPage]) -> dict[str, str]:
    """What makes a page: the provider, or the user's image (by its content)."""
    if index in art:
        return {"provider": "art", "art": art[index].digest}
    return {"provider": provider_key(provider)}
