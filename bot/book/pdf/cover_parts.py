"""The pieces a cover is laid out from: text runs with their ink boxes, the badge, the
sample-page cards, and the text-setting helpers the front and back share."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.book.kdp import Box
from bot.book.pdf.textface import TextFace, wrap


@dataclass(frozen=True, eq=False)
class TextRun:
    """One line of text: `x`, `y` is the left end of its baseline (the top end, rotated)."""

    role: str  # title, subtitle, author, badge, heading, blurb, spine, isbn
    text: str
    font: TextFace
    size: float
    x: float
    y: float
    colour: str
    under: str  # the colour printed under the text
    rotate: bool = False

    @property
    def box(self) -> Box:
        """The ink of the line (glyph outlines, not the font's line height)."""
        low, high = self.font.ink_extent(self.text, self.size)
        width = self.font.width(self.text, self.size)
        if self.rotate:  # runs downwards, glyph tops towards +x
            return Box(self.x + low, self.y - width, high - low, width)
        return Box(self.x, self.y + low, width, high - low)


@dataclass(frozen=True)
class Badge:
    """The badge's pill (a rectangle with round ends) and its colour."""

    box: Box
    colour: str


@dataclass(frozen=True)
class Thumb:
    """A sample page on the back: a white card (trim-shaped) turned by `angle` degrees
    about its centre, the page's art inside it at `art` (in the card's own frame)."""

    index: int  # the page's art index
    cx: float
    cy: float
    w: float
    h: float
    angle: float
    art: Box  # relative to the card's centre, before turning

    def corners(self) -> list[tuple[float, float]]:
        a = math.radians(self.angle)
        cos, sin = math.cos(a), math.sin(a)
        out = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = dx * self.w / 2, dy * self.h / 2
            out.append((self.cx + x * cos - y * sin, self.cy + x * sin + y * cos))
        return out

    @property
    def bounds(self) -> Box:
        xs, ys = zip(*self.corners(), strict=True)
        return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def fit_lines(
    font: TextFace, text: str, size: float, width: float, max_lines: int, min_size: float
) -> tuple[list[str], float]:
    """Wrap `text` into at most `max_lines` lines no wider than `width`, shrinking the size
    (not below `min_size`) until it fits."""
    while True:
        lines = wrap(font, text, size, width)
        fits = len(lines) <= max_lines and all(font.width(ln, size) <= width for ln in lines)
        if fits or size <= min_size:
            return lines, size
        size = max(min_size, size * 0.94)


def centred(
    role: str,
    lines: list[str],
    font: TextFace,
    size: float,
    cx: float,
    top: float,
    leading: float,
    colour: str,
    under: str,
) -> tuple[list[TextRun], float]:
    """Lines centred on `cx`, the first cap line touching `top`; returns them and the
    baseline of the last line."""
    runs = []
    y = top - font.ink_extent("H", size)[1]
    for line in lines:
        x = cx - font.width(line, size) / 2
        runs.append(TextRun(role, line, font, size, x, y, colour, under))
        y -= size * leading
    return runs, y + size * leading


def block_height(font: TextFace, lines: list[str], size: float, leading: float) -> float:
    """Cap top of the first line to the lowest ink of the last."""
    return (
        font.ink_extent("H", size)[1]
        + (len(lines) - 1) * size * leading
        - min(0.0, font.ink_extent(lines[-1] if lines else "", size)[0])
    )
