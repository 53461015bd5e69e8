"""The offline provider: deterministic line art drawn from shapes, no model, no network.

Genres: mandalas (radial symmetry), stained glass (a relaxed Voronoi tiling), mosaics (rows
of tiles with grout), mazes and big simple shapes for young children. The genre comes from
the subject, style or theme ("maze", "stained glass", "stars"...), else from the age band.
Line weight and detail follow the age band, so regions stay colourable for small hands.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.spatial import Voronoi

from bot.book.assets import AssetKind
from bot.book.cover_art import colour_in
from bot.book.lineart.qa import ACTIVITY, PAGE_KIND
from bot.book.palette import cover_palette
from bot.book.providers.base import Capabilities, ImageRequest, Provenance
from bot.book.providers.mosaic import mosaic
from bot.book.spec import Audience

# line width in pixels at 300 DPI, and how much detail a page carries (0 = least)
LINE_PX = {
    Audience.AGES_3_5: 14,
    Audience.AGES_6_8: 10,
    Audience.AGES_9_12: 7,
    Audience.TEENS: 5,
    Audience.ADULTS: 4,
}
DETAIL = {
    Audience.AGES_3_5: 0,
    Audience.AGES_6_8: 1,
    Audience.AGES_9_12: 2,
    Audience.TEENS: 3,
    Audience.ADULTS: 4,
}
_KEYWORDS = {
    "maze": ("maze", "labyrinth", "puzzle"),
    "mosaic": ("mosaic", "tile", "tiles", "tiling"),
    "stained_glass": ("stained", "glass", "geometric", "voronoi"),
    "shapes": (
        "shape", "star", "heart", "circle", "square", "triangle", "hexagon", "diamond",
        "polygon", "toddler",
    ),
    "mandala": ("mandala", "flower", "radial", "kaleidoscope", "rosette", "pattern", "doodle"),
}  # fmt: skip
SHAPES = ("circle", "square", "triangle", "star", "heart", "hexagon", "diamond")
SIMPLE_SHAPES = SHAPES[:5]  # what a 3-5 year old names
FONT = Path(__file__).resolve().parents[2] / "fonts" / "DejaVuSans-Bold.ttf"  # START / FINISH
GENRE_NAMES = {
    "maze": "a maze",
    "stained_glass": "a stained-glass pattern",
    "mosaic": "a mosaic of tiles",
    "shapes": "a page of shapes",
    "mandala": "a mandala",
}

Point = tuple[float, float]
BLACK, WHITE = 0, 255
MANDALA_CLEARANCE = 0.05  # share of the page's short side between the mandala and the frame


@dataclass(frozen=True)
class Canvas:
    """What every genre draws on: the page, its size, the seed's generator, the line width,
    the age band's level of detail and the subject."""

    draw: ImageDraw.ImageDraw
    w: int
    h: int
    rng: np.random.Generator
    lw: int
    detail: int
    subject: str


def match_subject(request: ImageRequest) -> tuple[str, bool]:
    """The genre to draw, and whether the subject (or style, or theme) asked for something
    this pattern provider can draw; when not, the age band's default genre stands in."""
    for text in (request.subject, request.style, request.theme):
        lowered = text.lower()
        for genre, words in _KEYWORDS.items():
            if any(word in lowered for word in words):
                return genre, True
    return ("shapes" if request.audience is Audience.AGES_3_5 else "mandala"), False


def choose_genre(request: ImageRequest) -> str:
    """The genre named by the subject, else the style, else the theme, else the age band."""
    return match_subject(request)[0]


class ProceduralProvider:
    """Draws line art at the requested print size (mode "1"); covers come coloured in."""

    name = "procedural"
    capabilities = Capabilities(seeded=True, batch_size=1, retries=True, gpu=False)
    model_id = None
    fingerprint = ""

    def __init__(self, config: object = None) -> None:
        """Needs no configuration (the repository config is accepted and ignored)."""

    def check(self) -> None:
        """Always works: no model, no network."""

    def describe(self, request: ImageRequest) -> Provenance:
        genre, matched = match_subject(request)
        drawn = GENRE_NAMES[genre]
        if matched or request.kind is AssetKind.COVER:
            return Provenance(f"{drawn} (procedural pattern, no model)")
        return Provenance(f"{drawn} instead (procedural pattern, no model)", substitute=drawn)

    def generate(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        return [self.draw(r) for r in requests]

    def draw(self, request: ImageRequest) -> Image.Image:
        """One page (or the coloured-in cover) for `request`."""
        genre = choose_genre(request)
        rng = np.random.default_rng(request.seed)
        img = Image.new("1", (request.width, request.height), 1)
        draw = ImageDraw.Draw(img)
        lw = LINE_PX[request.audience]
        detail = DETAIL[request.audience]
        page = Canvas(draw, request.width, request.height, rng, lw, detail, request.subject)
        _GENRES[genre](page)
        if request.kind is AssetKind.COVER:
            return colour_in(img, request.palette or DEFAULT_FILLS)
        if genre == "maze":  # a puzzle, not areas to colour: QA knows from this
            img.info[PAGE_KIND] = ACTIVITY
        return img


def _circle(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, lw: int) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=BLACK, width=lw)


def _polar(cx: float, cy: float, r: float, theta: float) -> Point:
    return cx + r * math.cos(theta), cy + r * math.sin(theta)


def _mandala(page: Canvas) -> None:
    draw, w, h, rng, lw, detail = page.draw, page.w, page.h, page.rng, page.lw, page.detail
    cx, cy = w / 2, h / 2
    # clear of the frame by a band wide enough to colour: an outer ring that touched the
    # frame left pinched slivers where the circle met the straight edge
    outer = min(w, h) / 2 - 3 * lw - max(MANDALA_CLEARANCE * min(w, h), 12 * lw)
    k = int(rng.choice([6, 8])) if detail == 0 else int(rng.choice([8, 10, 12, 16]))
    rings = 2 + detail
    r0 = outer * (0.22 if detail == 0 else 0.12)
    weights = rng.uniform(0.75, 1.25, rings)
    radii = [r0, *(r0 + np.cumsum(weights) / weights.sum() * (outer - r0))]
    _circle(draw, cx, cy, r0, lw)
    if detail > 0:
        _petals(draw, cx, cy, r0 * 0.25, r0 * 0.95, k // 2, 0.0, lw, inner=False)
        _circle(draw, cx, cy, r0 * 0.25, lw)
    motifs = ["petals", "dots", "zigzag", "spokes"] if detail else ["petals", "dots"]
    for band, (ra, rb) in enumerate(itertools.pairwise(radii)):
        phase = (band % 2) * math.pi / k
        motif = motifs[int(rng.integers(len(motifs)))]
        if motif == "petals":
            _petals(draw, cx, cy, ra, rb, k, phase, lw, inner=detail >= 2)
        elif motif == "dots":
            mid = (ra + rb) / 2
            r = min((rb - ra) * 0.38, math.pi * mid / k * 0.7)
            for j in range(k):
                x, y = _polar(cx, cy, mid, 2 * math.pi * j / k + phase)
                _circle(draw, x, y, r, lw)
                if detail >= 3 and r > 12 * lw:
                    _circle(draw, x, y, r * 0.45, lw)
        elif motif == "zigzag":
            pts = [
                _polar(cx, cy, ra if i % 2 else rb, math.pi * i / k + phase) for i in range(2 * k)
            ]
            draw.polygon(pts, outline=BLACK, width=lw)
        else:  # spokes: 2k cells split by a middle ring
            for j in range(k):
                theta = 2 * math.pi * j / k + phase
                draw.line([_polar(cx, cy, ra, theta), _polar(cx, cy, rb, theta)], BLACK, lw)
            _circle(draw, cx, cy, (ra + rb) / 2, lw)
        _circle(draw, cx, cy, rb, lw)
    if detail > 0:
        m = 3 * lw
        draw.rounded_rectangle((m, m, w - m, h - m), radius=12 * lw, outline=BLACK, width=lw)


def _petals(
    draw: ImageDraw.ImageDraw,
    cx: float,
    cy: float,
    ra: float,
    rb: float,
    k: int,
    phase: float,
    lw: int,
    *,
    inner: bool,
) -> None:
    """k lens-shaped petals between radii ra and rb, not touching each other."""
    ts = np.linspace(0.0, 1.0, 28)
    for scale in (0.9, 0.45) if inner else (0.9,):
        for j in range(k):
            theta = 2 * math.pi * j / k + phase
            half = (math.pi / k) * scale * np.sin(np.pi * ts) ** 0.8
            rs = ra + ts * (rb - ra) if scale == 0.9 else ra + (0.2 + 0.6 * ts) * (rb - ra)
            left = [_polar(cx, cy, r, theta - a) for r, a in zip(rs, half, strict=True)]
            right = [_polar(cx, cy, r, theta + a) for r, a in zip(rs, half, strict=True)]
            draw.polygon(left + right[::-1], outline=BLACK, width=lw)


def _bounded_voronoi(points: np.ndarray, w: float, h: float) -> list[np.ndarray]:
    """Voronoi cells clipped to the page: mirroring the points across each edge bounds them."""
    x, y = points[:, 0], points[:, 1]
    mirrored = np.concatenate(
        [
            points,
            np.column_stack([-x, y]),
            np.column_stack([2 * w - x, y]),
            np.column_stack([x, -y]),
            np.column_stack([x, 2 * h - y]),
        ]
    )
    vor = Voronoi(mirrored)
    cells = []
    for i in range(len(points)):
        verts = vor.vertices[vor.regions[vor.point_region[i]]]
        centre = verts.mean(axis=0)
        order = np.argsort(np.arctan2(verts[:, 1] - centre[1], verts[:, 0] - centre[0]))
        cells.append(np.clip(verts[order], [0, 0], [w, h]))
    return cells


def _centroid(poly: np.ndarray) -> np.ndarray:
    x, y = poly[:, 0], poly[:, 1]
    xs, ys = np.roll(x, -1), np.roll(y, -1)
    cross = x * ys - xs * y
    area = cross.sum() / 2
    if abs(area) < 1e-9:
        return np.asarray(poly.mean(axis=0))
    centre: np.ndarray = np.array([((x + xs) * cross).sum(), ((y + ys) * cross).sum()])
    result: np.ndarray = centre / (6 * area)
    return result


def _stained_glass(page: Canvas) -> None:
    draw, w, h, rng, lw, detail = page.draw, page.w, page.h, page.rng, page.lw, page.detail
    n = (12, 22, 40, 65, 90)[detail]
    m = 3 * lw  # the window sits inside the page: nothing touches the art box's edge
    iw, ih = w - 2 * m, h - 2 * m
    points = rng.uniform([0, 0], [iw, ih], (n, 2))
    for _ in range(3):  # Lloyd relaxation: even cells, no slivers too thin to colour
        points = np.array([_centroid(c) for c in _bounded_voronoi(points, iw, ih)])
    for cell in _bounded_voronoi(points, iw, ih):
        _outline(draw, [(float(x) + m, float(y) + m) for x, y in cell], lw)
        if detail >= 2 and rng.random() < 0.5:
            c = _centroid(cell)
            inner = c + 0.5 * (cell - c)
            _outline(draw, [(float(x) + m, float(y) + m) for x, y in inner], lw)
    draw.rectangle((m - lw, m - lw, w - m + lw, h - m + lw), outline=BLACK, width=2 * lw)


def _mosaic(page: Canvas) -> None:
    mosaic(page.draw, page.w, page.h, page.rng, page.lw, page.detail)


def _maze(page: Canvas) -> None:
    draw, w, h, rng, lw, detail = page.draw, page.w, page.h, page.rng, page.lw, page.detail
    cols = (6, 9, 13, 18, 24)[detail]
    band = min(w, h) * 0.07  # room above and below for START and FINISH
    size = (w - 4 * lw) / cols
    rows = int((h - 4 * lw - 2 * band) // size)
    x0, y0 = (w - cols * size) / 2, (h - rows * size) / 2
    # walls[r][c] = [east, south]; carve with an iterative depth-first search
    east = np.ones((rows, cols), bool)
    south = np.ones((rows, cols), bool)
    seen = np.zeros((rows, cols), bool)
    stack = [(0, 0)]
    seen[0, 0] = True
    while stack:
        r, c = stack[-1]
        options = [
            (nr, nc)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            if 0 <= nr < rows and 0 <= nc < cols and not seen[nr, nc]
        ]
        if not options:
            stack.pop()
            continue
        nr, nc = options[int(rng.integers(len(options)))]
        if nr == r:
            east[r, min(c, nc)] = False
        else:
            south[min(r, nr), c] = False
        seen[nr, nc] = True
        stack.append((nr, nc))
    x1, y1 = x0 + cols * size, y0 + rows * size
    _mark(draw, "START", x0 + size / 2, y0 - band * 0.55, band, lw)
    _mark(draw, "FINISH", x1 - size / 2, y1 + band * 0.55, band, lw)
    draw.line([(x0 + size, y0), (x1, y0)], BLACK, lw)  # entrance: top-left cell open
    draw.line([(x0, y0), (x0, y1)], BLACK, lw)
    draw.line([(x0, y1), (x1 - size, y1)], BLACK, lw)  # exit: bottom-right cell open
    draw.line([(x1, y0), (x1, y1)], BLACK, lw)
    for r in range(rows):
        for c in range(cols):
            x, y = x0 + c * size, y0 + r * size
            if east[r, c] and c < cols - 1:
                draw.line([(x + size, y), (x + size, y + size)], BLACK, lw)
            if south[r, c] and r < rows - 1:
                draw.line([(x, y + size), (x + size, y + size)], BLACK, lw)


def _mark(draw: ImageDraw.ImageDraw, word: str, cx: float, cy: float, band: float, lw: int) -> None:
    """A word centred at (cx, cy) with an arrow pointing down (into the start, out of the
    finish), sized to the band."""
    font = ImageFont.truetype(str(FONT), max(12, round(band * 0.5)))
    left, top, right, bottom = draw.textbbox((0, 0), word, font=font)
    tw = right - left
    x = min(max(cx - tw / 2 - band * 0.3, lw * 2), draw.im.size[0] - tw - band * 0.8 - lw * 2)
    draw.text((x - left, cy - (top + bottom) / 2), word, fill=BLACK, font=font)
    ax = x + tw + band * 0.45  # the arrow beside the word
    half = band * 0.18
    draw.polygon(
        [(ax - half, cy - half), (ax + half, cy - half), (ax, cy + half)], outline=BLACK, width=lw
    )


def _outline(draw: ImageDraw.ImageDraw, points: list[Point], lw: int) -> None:
    """A closed outline with rounded joins (Pillow's polygon outline notches sharp corners,
    which QA rightly sees as gaps)."""
    draw.line([*points, points[0], points[1]], fill=BLACK, width=lw, joint="curve")


def _shape_points(shape: str, cx: float, cy: float, r: float) -> list[Point]:
    if shape == "square":
        return [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)]
    if shape == "triangle":
        return [
            _polar(cx, cy + r * 0.15, r * 1.1, -math.pi / 2 + i * 2 * math.pi / 3) for i in range(3)
        ]
    if shape == "star":
        return [
            _polar(cx, cy, r if i % 2 == 0 else r * 0.45, -math.pi / 2 + i * math.pi / 5)
            for i in range(10)
        ]
    if shape == "hexagon":
        return [_polar(cx, cy, r, i * math.pi / 3) for i in range(6)]
    if shape == "diamond":
        return [(cx, cy - r), (cx + r * 0.75, cy), (cx, cy + r), (cx - r * 0.75, cy)]
    if shape == "heart":
        ts = np.linspace(0, 2 * math.pi, 72, endpoint=False)
        xs = 16 * np.sin(ts) ** 3
        ys = 13 * np.cos(ts) - 5 * np.cos(2 * ts) - 2 * np.cos(3 * ts) - np.cos(4 * ts)
        return [(cx + r * x / 17, cy - r * (y + 2) / 17) for x, y in zip(xs, ys, strict=True)]
    # circle
    return [_polar(cx, cy, r, i * math.pi / 48) for i in range(96)]


def _shapes(page: Canvas) -> None:
    draw, w, h, rng, lw, detail = page.draw, page.w, page.h, page.rng, page.lw, page.detail
    subject = page.subject
    named = [s for s in SHAPES if s in subject.lower()]
    cols, rows = (2, 3) if detail <= 1 else (3, 4)
    cw, ch = w / cols, h / rows
    pool = list(SIMPLE_SHAPES if detail == 0 else SHAPES)
    # several different shapes per page; a shape the subject names takes every other cell
    order = [pool[int(i)] for i in rng.permutation(len(pool))]
    picks = [order[k % len(order)] for k in range(cols * rows)]
    if named:
        picks = [named[k // 2 % len(named)] if k % 2 == 0 else s for k, s in enumerate(picks)]
    for row in range(rows):
        for col in range(cols):
            shape = picks[row * cols + col]
            # a little jitter per cell, so a new seed (a reviewer's /regenerate) is a new page
            # even when the subject names the shape
            cx = (col + 0.5 + rng.uniform(-0.06, 0.06)) * cw
            cy = (row + 0.5 + rng.uniform(-0.06, 0.06)) * ch
            r = min(cw, ch) * rng.uniform(0.34, 0.4)
            _outline(draw, _shape_points(shape, cx, cy, r), lw)
            if detail >= 1:
                _outline(draw, _shape_points(shape, cx, cy, r * 0.5), lw)


_GENRES: dict[str, Callable[[Canvas], None]] = {
    "mandala": _mandala,
    "stained_glass": _stained_glass,
    "mosaic": _mosaic,
    "maze": _maze,
    "shapes": _shapes,
}


# fills for a cover asked for without a palette (the spec's palette normally comes along)
DEFAULT_FILLS = cover_palette("#1d3557", "#f1faee").fills
