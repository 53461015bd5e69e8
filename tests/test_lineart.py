"""Line-art post-processing and QA on synthetic images."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from bot.book.lineart import LineArtOptions, to_line_art
from bot.book.pipeline import make_page
from bot.book.providers import Capabilities, ImageRequest
from bot.book.spec import parse_spec
from tests.conftest import minimal_spec


def clean_drawing(size: tuple[int, int] = (512, 664)) -> Image.Image:
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    d.ellipse((60, 60, 450, 450), outline=0, width=4)
    d.rectangle((100, 480, 400, 620), outline=0, width=4)
    return img


def test_output_is_1bit_at_print_size() -> None:
    art, report = to_line_art(clean_drawing(), (2288, 2910))
    assert art.mode == "1" and art.size == (2288, 2910)
    assert not report.flagged
    assert 0.005 < report.black_fraction < 0.1


def test_upscale_keeps_aspect_and_centres() -> None:
    art, _ = to_line_art(clean_drawing((400, 400)), (1000, 2000))
    ink = ~np.asarray(art)
    rows = np.where(ink.any(axis=1))[0]
    assert rows.min() > 400 and rows.max() < 1600  # letterboxed, not stretched


def test_specks_are_removed() -> None:
    img = clean_drawing()
    px = img.load()
    for x in range(5, 500, 37):  # isolated single-pixel dots
        px[x, 470] = 0
    art, report = to_line_art(img, img.size)
    assert report.specks_removed >= 10
    assert np.asarray(art)[470, 5]  # white again


def test_thickening_adds_ink() -> None:
    thin, _ = to_line_art(clean_drawing(), (1024, 1328))
    thick, _ = to_line_art(clean_drawing(), (1024, 1328), LineArtOptions(thicken_px=2))
    assert (~np.asarray(thick)).sum() > 1.3 * (~np.asarray(thin)).sum()


def test_solid_black_blob_is_flagged() -> None:
    img = clean_drawing()
    ImageDraw.Draw(img).ellipse((150, 150, 360, 360), fill=0)
    _, report = to_line_art(img, (2288, 2910))
    assert report.flagged
    assert any("solid black" in r for r in report.reasons)


def test_mid_grey_residue_is_flagged() -> None:
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(60, 200, (664, 512), dtype=np.uint8))
    _, report = to_line_art(noise, (2288, 2910))
    assert any("mid-grey" in r for r in report.reasons)


def test_rgba_is_flattened_on_white() -> None:
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))  # fully transparent black
    art, report = to_line_art(img, (300, 300))
    assert np.asarray(art).all()  # all white, not a black page
    assert not report.flagged


class _Scripted:
    """A provider that returns queued images and records the seeds it was asked for."""

    name = "scripted"
    capabilities = Capabilities(seeded=True)
    model_id = None
    fingerprint = ""

    def __init__(self, images: list[Image.Image]) -> None:
        self.images = images
        self.seeds: list[int] = []

    def generate(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        self.seeds.extend(r.seed for r in requests)
        return self.images[len(self.seeds) - len(requests) : len(self.seeds)]


def blob(size: int) -> Image.Image:
    img = clean_drawing()
    ImageDraw.Draw(img).rectangle((100, 100, 100 + size, 100 + size), fill=0)
    return img


def test_flagged_page_is_retried_with_new_seeds_and_best_is_kept() -> None:
    spec = parse_spec(minimal_spec())
    provider = _Scripted([blob(300), blob(120), blob(250)])
    art, report, attempts = make_page(provider, spec, 2, "x", (512, 664), LineArtOptions())
    assert attempts == 3
    assert len(set(provider.seeds)) == 3
    assert report.flagged  # none passed: the best is kept and reported
    ink = ~np.asarray(art)
    assert ink[100:221, 100:221].all() and not ink[230:260, 230:260].all()  # the 120 px blob


def test_retry_stops_at_first_clean_attempt() -> None:
    spec = parse_spec(minimal_spec())
    provider = _Scripted([blob(300), clean_drawing(), blob(300)])
    _, report, attempts = make_page(provider, spec, 0, "x", (512, 664), LineArtOptions())
    assert attempts == 2 and not report.flagged
