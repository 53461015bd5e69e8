"""Making assets: the cover art, and coloring pages through line-art QA with retries."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot.book.assets import COVER_ART, AssetKind
from bot.book.cover_art import fit_art
from bot.book.kdp import cover_art_size_px
from bot.book.ledger.claims import Claim
from bot.book.lineart import LineArtOptions, QAReport, to_line_art
from bot.book.pages import encode_rgb_png, save_page
from bot.book.pipeline.inputs import image_request
from bot.book.providers import Provider, generate_images
from bot.book.spec import BookSpec
from bot.fsutil import atomic_write

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Made:
    """One asset written to disk, as the ledger records it."""

    sha256: str
    attempts: int
    reasons: tuple[str, ...]
    seconds: float


def make_pages(
    provider: Provider,
    spec: BookSpec,
    pages: list[tuple[int, str]],
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict[int, tuple[Image.Image, QAReport, int]]:
    """Coloring pages (index, subject) through QA, retried with new derived seeds; the best
    attempt of each wins. Each round asks the provider for every page still failing at once,
    so a GPU provider batches them."""
    if not provider.capabilities.retries:
        max_attempts = 1
    best: dict[int, tuple[Image.Image, QAReport, int]] = {}
    todo = list(pages)
    for attempt in range(1, max_attempts + 1):
        requests = [
            image_request(spec, AssetKind.PAGE, i, subj, size, attempt - 1) for i, subj in todo
        ]
        still: list[tuple[int, str]] = []
        for (index, subject), image in zip(todo, generate_images(provider, requests), strict=True):
            art, report = to_line_art(image, size, options)
            kept = best.get(index)
            if (
                kept is None
                or not report.flagged
                or report.badness(options) < kept[1].badness(options)
            ):
                best[index] = (art, report, attempt)
            else:
                best[index] = (kept[0], kept[1], attempt)  # keep the art, count the attempt
            if report.flagged:
                still.append((index, subject))
        todo = still
        if not todo:
            break
    return best


def make_page(
    provider: Provider,
    spec: BookSpec,
    index: int,
    subject: str,
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[Image.Image, QAReport, int]:
    """One coloring page through QA (see `make_pages`)."""
    return make_pages(provider, spec, [(index, subject)], size, options, max_attempts)[index]


def make_cover(provider: Provider, spec: BookSpec, size: tuple[int, int]) -> Image.Image:
    """The front-cover art in colour, exactly `size` pixels."""
    subject = spec.cover.subject or spec.title
    request = image_request(spec, AssetKind.COVER, 0, subject, size)
    return fit_art(generate_images(provider, [request])[0], size)


@dataclass(frozen=True)
class Makers:
    """The providers of one book and the line-art settings its pages go through."""

    spec: BookSpec
    pages: Provider
    cover: Provider
    size: tuple[int, int]
    options: LineArtOptions


def make_claimed(
    claims: list[Claim], makers: Makers, pages_dir: Path
) -> Iterator[tuple[Claim, Made]]:
    """Make the claimed assets (pages in one batch) and write each file atomically."""
    spec = makers.spec
    for c in (c for c in claims if c.kind == AssetKind.COVER):
        t0 = time.perf_counter()
        art = make_cover(makers.cover, spec, cover_art_size_px(spec))
        data = encode_rgb_png(art, input_key=c.input_key)
        atomic_write(pages_dir / COVER_ART, data)
        yield c, Made(hashlib.sha256(data).hexdigest(), 1, (), time.perf_counter() - t0)
    pages = [c for c in claims if c.kind != AssetKind.COVER]
    if not pages:
        return
    t0 = time.perf_counter()
    results = make_pages(
        makers.pages, spec, [(c.idx, c.subject) for c in pages], makers.size, makers.options
    )
    each = (time.perf_counter() - t0) / len(pages)
    for c in pages:
        art, report, attempts = results[c.idx]
        sha = save_page(pages_dir, c.idx, art, input_key=c.input_key)
        yield c, Made(sha, attempts, report.reasons, each)
