"""Cover colours and art: WCAG contrast, the palette's related hues, colouring in line art
by symmetry, and fitting a model's picture without stretching or cropping it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bot.book.cover_art import colour_in, fit_art
from bot.book.palette import (
    contrast_ratio,
    cover_palette,
    ensure_contrast,
    from_oklch,
    hex_to_rgb,
    to_oklch,
)


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just fails
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just passes


def test_oklch_round_trip() -> None:
    for colour in ("#1d3557", "#ffd166", "#073b4c", "#e63946", "#808080"):
        assert from_oklch(*to_oklch(colour)) == colour


@pytest.mark.parametrize(
    ("text", "under"), [("#e9c46a", "#f4a261"), ("#999999", "#888888"), ("#1d3557", "#073b4c")]
)
def test_ensure_contrast_moves_lightness_only_as_far_as_needed(text: str, under: str) -> None:
    fixed = ensure_contrast(text, under)
    assert contrast_ratio(fixed, under) >= 4.5
    assert contrast_ratio(fixed, under) < 5.5  # the nearest passing colour, not black or white
    if to_oklch(text)[1] > 0.05:  # a colour keeps its hue
        assert abs((to_oklch(fixed)[2] - to_oklch(text)[2] + 180) % 360 - 180) < 20


def test_passing_colours_are_kept() -> None:
    assert ensure_contrast("#f1faee", "#1d3557") == "#f1faee"


def test_palette_is_a_few_related_light_hues() -> None:
    palette = cover_palette("#1d3557", "#f1faee")
    base = to_oklch("#1d3557")[2]
    allowed = (0.0, 35.0, -35.0, 150.0, 210.0)
    assert 5 <= len(set(palette.fills)) <= 10
    for fill in palette.fills:
        lightness, _, hue = to_oklch(fill)
        assert lightness >= 0.78  # light tints: black lines read on every one
        offset = (hue - base + 180) % 360 - 180
        assert min(abs((offset - a + 180) % 360 - 180) for a in allowed) < 6, fill
    assert contrast_ratio(palette.accent_ink, palette.accent) >= 4.5


def test_grey_spec_colours_take_the_fallback_hue() -> None:
    a = cover_palette("#ffffff", "#1a1a1a", fallback_hue=30.0)
    b = cover_palette("#ffffff", "#1a1a1a", fallback_hue=250.0)
    assert a.base_hue == 30.0 and b.base_hue == 250.0 and a.fills != b.fills


def _symmetric_art() -> Image.Image:
    """A frame with four equal squares in the corners and one big circle in the middle."""
    img = Image.new("1", (400, 400), 1)
    draw = ImageDraw.Draw(img)
    draw.rectangle((4, 4, 395, 395), outline=0, width=3)
    for x, y in ((40, 40), (300, 40), (40, 300), (300, 300)):
        draw.rectangle((x, y, x + 60, y + 60), outline=0, width=3)
    draw.ellipse((130, 130, 270, 270), outline=0, width=3)
    return img


def test_colour_in_gives_symmetric_regions_one_colour() -> None:
    fills = ("#eeeeff", "#ffcc99", "#99ccff", "#ccff99", "#ff99cc")
    out = np.asarray(colour_in(_symmetric_art(), fills, line="#101010"))
    corners = {tuple(out[y, x]) for x, y in ((70, 70), (330, 70), (70, 330), (330, 330))}
    assert len(corners) == 1  # the four squares match
    assert tuple(out[200, 200]) not in corners  # the circle differs from them
    assert tuple(out[20, 200]) == tuple(hex_to_rgb_255("#eeeeff"))  # the ground: first fill
    assert tuple(out[5, 200]) == (16, 16, 16)  # lines keep the line colour
    used = {tuple(c) for c in out.reshape(-1, 3)}
    assert used <= {tuple(hex_to_rgb_255(c)) for c in (*fills, "#101010")}


def hex_to_rgb_255(colour: str) -> tuple[int, int, int]:
    r, g, b = (round(c * 255) for c in hex_to_rgb(colour))
    return r, g, b


def test_fit_art_keeps_aspect_and_never_crops() -> None:
    wide = Image.new("RGB", (200, 100), "#ffffff")
    ImageDraw.Draw(wide).rectangle((4, 4, 195, 95), fill="#ff0000")
    out = np.asarray(fit_art(wide, (300, 300)))
    assert out.shape == (300, 300, 3)
    red = np.argwhere((out[:, :, 0] > 200) & (out[:, :, 1] < 60))
    (top, left), (bottom, right) = red.min(axis=0), red.max(axis=0)
    assert left <= 8 and right >= 291  # the whole width shows: scaled to fit, not cropped
    assert top >= 70 and bottom <= 230
    assert (right - left) / (bottom - top) == pytest.approx(2, rel=0.05)  # not stretched
    assert tuple(out[10, 150]) == (255, 255, 255)  # the ground is the picture's edge colour


def test_fit_art_of_the_right_size_is_unchanged() -> None:
    img = Image.new("RGB", (30, 20), "#123456")
    assert fit_art(img, (30, 20)).tobytes() == img.tobytes()
