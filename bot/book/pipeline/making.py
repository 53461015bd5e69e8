"""Making assets outside the stream: the cover art (one image, in colour), and pages
through QA in this process (for tests, benchmarks and a provider tried by hand)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot.book.assets import COVER_ART, AssetKind
from bot.book.cover_art import fit_art
from bot.book.kdp import cover_art_size_px
from bot.book.lineart import LineArtOptions
from bot.book.pages import encode_rgb_png
from bot.book.pipeline.inputs import image_request
from bot.book.pipeline.stream import MAX_ATTEMPTS, PageStream, PageWork
from bot.book.pipeline.workers import Cleaned, InlineExecutor
from bot.book.providers import Provider, generate_images
from bot.book.spec import BookSpec
from bot.fsutil import atomic_write


@dataclass(frozen=True)
class Made:
    """One asset written to disk, as the ledger records it."""

    sha256: str
    attempts: int
    reasons: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Makers:
    """The providers of one book and the line-art settings its pages go through."""

    spec: BookSpec
    pages: Provider
    cover: Provider
    size: tuple[int, int]
    options: LineArtOptions


def make_pages(
    provider: Provider,
    spec: BookSpec,
    pages: list[tuple[int, str]],
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict[int, tuple[Image.Image, Cleaned, int]]:
    """Coloring pages (index, subject) through QA in this process, retried with new derived
    seeds, the best attempt of each kept: (art, its QA, attempts made) by index."""
    todo = [PageWork(index, subject) for index, subject in pages]
    done: dict[int, tuple[Image.Image, Cleaned, int]] = {}

    def take(n: int) -> list[PageWork]:
        taken, todo[:n] = todo[:n], []
        return taken

    def finished(page: PageWork) -> None:
        assert page.best is not None
        assert page.best.art is not None  # kept in memory: nothing was written
        done[page.index] = (page.best.art.image(), page.best, page.attempt)

    stream = PageStream(spec, provider, size, options, None, InlineExecutor(), max_attempts)
    stream.run(take, finished)
    return done


def make_page(
    provider: Provider,
    spec: BookSpec,
    index: int,
    subject: str,
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[Image.Image, Cleaned, int]:
    """One coloring page through QA (see `make_pages`)."""
    return make_pages(provider, spec, [(index, subject)], size, options, max_attempts)[index]


def make_cover(provider: Provider, spec: BookSpec, size: tuple[int, int]) -> Image.Image:
    """The front-cover art in colour, exactly `size` pixels."""
    subject = spec.cover.subject or spec.title
    request = image_request(spec, AssetKind.COVER, 0, subject, size)
    return fit_art(generate_images(provider, [request])[0], size)


def write_cover_art(makers: Makers, pages_dir: Path, input_key: str) -> Made:
    """Make the cover art and write it (the cover is one image: no stream needed)."""
    started = time.perf_counter()
    art = make_cover(makers.cover, makers.spec, cover_art_size_px(makers.spec))
    data = encode_rgb_png(art, input_key=input_key)
    atomic_write(pages_dir / COVER_ART, data)
    return Made(hashlib.sha256(data).hexdigest(), 1, (), time.perf_counter() - started)
