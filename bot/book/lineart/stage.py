"""The line-art stage every page goes through (a model's, a remote API's, a user's own
drawing, the pattern provider's), in numbered steps:

1. paper: flatten, coloured lines to dark, tinted/uneven/JPEG paper to white;
2. ink: lines of any width and solids kept, broad shading dropped, specks (in inches) removed;
3. gaps: broken outlines closed where two line ends face each other across a short gap
   (and, for a book that asked for more gaps sealed, where a line stops short of another);
4. print: the grey page resampled into the art box (aspect kept, centred) and cut at each
   pixel's own ink level, 1-bit: the artist's lines as drawn, never redrawn;
5. weight: only lines outside the audience's range changed (thin ones grown, thick ones
   thinned evenly without breaking); solids and lines inside the range kept;
6. QA: measured in inches on the result.

An already-clean drawing (white paper, black ink: `paper.is_clean`) skips steps 1-2 and is
cut half-way as drawn: cleaning can only move what the artist drew.

Steps 1-3 run at the analysis resolution (the source's, at most ANALYSIS_DPI), so the
costly work is done once on few pixels. A page that is already 1-bit at print size (the
pattern provider's) skips to its line weight and QA.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from bot.book.kdp import DPI
from bot.book.lineart import gaps, ink, paper, weight
from bot.book.lineart.qa import ACTIVITY, PAGE_KIND, Known, QAReport, qa_page
from bot.book.lineart.tables import STROKES, THRESHOLDS
from bot.book.spec import Audience, Gaps

RULES = 14  # the stage's version: raised when a change alters the pages it makes (14:
# thick lines for children cut and solids' rims found with an exact disc, not a distance
# transform's estimate (their edges move by a pixel); 13: no
# centre line bridges a slit opened again; 12: a
# join the analysis finds closing nothing is judged again on the print page; 11: a
# white slit a blur greyed over is paper again; 10:
# joints of bold lines thinned with them, not kept as solids; 9: a broad area's fill is
# measured away from its edge; 8: a solid wider than the paper estimate's reach is no
# paper; 7: crumbs in a gap are no line ends, a corner's lines may meet 3 px behind an
# end; 6: gaps by evidence; 5: clean drawings cut as drawn; 4: pages binarised, not
# redrawn; 3: the closing-based ink rule), so a resumed book remakes them
ANALYSIS_DPI = 200  # larger sources are analysed at this resolution
GAP_IN = 0.14  # outline breaks narrower than this are closed
# crayons need room inside the lines: for children, lines over the range's top are thinned
# to it; teens and adults colour with pens right up to a line, and a bold style is kept
CRAYONS = frozenset({Audience.AGES_3_5, Audience.AGES_6_8, Audience.AGES_9_12})
PINHOLE_IN = 0.005  # paper specks inside ink smaller than this across are filled
# a white slit between two lines (or a pin-hole in a solid) that a model's blur greyed over:
# narrower than SLIT_IN, lighter than what lies round it by at least SLIT_RISE grey levels
# and SLIT_SHARE of the lines' depth under the cut, and on its crest (SLIT_CREST of the
# lightest nearby: a blur widens the slit's light, its middle is where the paper was)
SLIT_IN = 0.03
SLIT_RISE = 12
SLIT_SHARE = 0.35
SLIT_CREST = 0.6


@dataclass(frozen=True)
class LineArtOptions:
    """How a page is cleaned: for whom (line weight, QA limits), bolder lines on request
    (inches, within the audience's range), and whether and which gaps are closed."""

    audience: Audience = Audience.ADULTS
    thicken_in: float = 0.0
    close_gaps: bool = True
    gaps: Gaps = Gaps.EVIDENCE  # sealed: strokes that stop short of a line joined to it too
    faithful: bool = True  # an already-clean drawing is cut as drawn (`paper.is_clean`)

    def key(self) -> str:
        """What changes the pages (kept with each page's inputs, so a change remakes them)."""
        return (
            f"lineart={RULES},audience={self.audience},thicken={self.thicken_in:g},"
            f"gaps={self.close_gaps}:{self.gaps},faithful={self.faithful}"
        )


def fit_box(src: tuple[int, int], box: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where a `src` (w, h) picture goes in `box`: scaled to fit, centred; x, y, w, h."""
    scale = min(box[0] / src[0], box[1] / src[1])
    w, h = max(1, round(src[0] * scale)), max(1, round(src[1] * scale))
    return (box[0] - w) // 2, (box[1] - h) // 2, w, h


def clean_page(
    image: Image.Image, size: tuple[int, int], options: LineArtOptions | None = None
) -> tuple[Image.Image, QAReport]:
    """Any image as a mode "1" print page of exactly `size` (the art box at 300 DPI), and
    the QA of that page."""
    opts = options or LineArtOptions()
    strokes, thin = STROKES[opts.audience], opts.audience in CRAYONS
    if image.mode == "1" and image.size == size:  # drawn for print (the pattern provider):
        given = ~np.asarray(image, dtype=bool)  # slivers where its lines meet, filled
        drawn = weight.reweight(given.astype(np.uint8), strokes, DPI, opts.thicken_in, thin=thin)
        drawn, known = _filled(drawn, THRESHOLDS[opts.audience].speck_in)
        source = np.where(given, 0, 255).astype(np.uint8)
        clean = False  # a provider's page: its specks are dirt
    else:  # a drawing: its own white slits and pin-holes are kept
        grey = paper.lightness(paper.to_rgb(image))
        clean = opts.faithful and paper.is_clean(grey)
        made = _faithful(grey, size, opts) if clean else _from_source(grey, size, opts)
        art, spine, spine_px, source = made
        drawn = weight.reweight(
            art, strokes, DPI, opts.thicken_in, spine, thin=thin, spine_width=spine_px
        )
        drawn, known = _filled(drawn, 0.0 if clean else PINHOLE_IN)  # a clean drawing's kept
    known = replace(known, source=source, drawn=clean)  # QA compares the page with its drawing
    activity = image.info.get(PAGE_KIND) == ACTIVITY
    report = qa_page(drawn, opts.audience, DPI, activity=activity, known=known)
    return Image.fromarray(drawn == 0), report


def _filled(art: np.ndarray, hole_in: float) -> tuple[np.ndarray, Known]:
    """Paper specks inside ink under `hole_in` across filled; with the paper's regions,
    found on the way (QA measures them)."""
    holes = max(2, round((hole_in * DPI) ** 2)) if hole_in else 0
    art, paper_stats = ink.fill_pinholes_labelled(art, holes)
    return art, Known(paper_stats=paper_stats)


def _from_source(
    grey: np.ndarray, size: tuple[int, int], opts: LineArtOptions
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """The page's ink at print size, its centre lines there, how wide they are drawn, and
    the image's grey (paper whitened) placed on the page at print size, for QA."""
    x, y, w, h = fit_box((grey.shape[1], grey.shape[0]), size)
    grey, px_per_in = _analysed(grey, (w, h))
    grey = ink.stretch(paper.whiten_paper(grey, px_per_in))
    found, _ = ink.clean_ink(grey, px_per_in, THRESHOLDS[opts.audience].speck_in)
    art = np.zeros((size[1], size[0]), np.uint8)
    inky = np.zeros(art.shape, bool)
    sharp = paper.sharpen(grey, px_per_in)  # a blurred narrow gap between lines opens again
    art[y : y + h, x : x + w], inky[y : y + h, x : x + w] = binarise(sharp, found, (w, h))
    source = np.full((size[1], size[0]), 255, np.uint8)
    source[y : y + h, x : x + w] = cv2.resize(grey, (w, h), interpolation=cv2.INTER_LINEAR)
    spine, spine_px = _joined((art, source), found.ink, px_per_in, (x, y, w, h), opts)
    # every line the ink map found stays unbroken: a faint 1-pixel line cut at its own
    # level would come out dashed where its darkness is shared by two pixels; a speck
    # the ink map kept for lying a pixel from a line is cut off from it here, and goes
    speck = THRESHOLDS[opts.audience].speck_in * DPI
    art |= spine & inky  # (not across a white slit or pin-hole the artist left)
    art = ink.drop_small(art, round(speck**2), grouped=False)[0]
    return art, spine, spine_px, source


def _faithful(
    grey: np.ndarray, size: tuple[int, int], opts: LineArtOptions
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """An already-clean drawing (`paper.is_clean`) as `_from_source` gives a page: resampled
    to print size and cut half-way between its black and its white, as a printer would;
    nothing found, redrawn or removed (its pin-holes and dots are the artist's), only a
    broken outline joined where the evidence says it is one (or, sealed, where a line
    stops short of another: see `gaps`)."""
    x, y, w, h = fit_box((grey.shape[1], grey.shape[0]), size)
    shrink = w < grey.shape[1]  # (in floats: 8-bit resampling rounds edges off the cut)
    how = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    placed = cv2.resize(grey.astype(np.float32), (w, h), interpolation=how)
    source = np.full((size[1], size[0]), 255, np.uint8)
    source[y : y + h, x : x + w] = np.clip(np.rint(placed), 0, 255)
    art = np.zeros((size[1], size[0]), np.uint8)
    art[y : y + h, x : x + w] = placed < paper.HALF
    grey, px_per_in = _analysed(grey, (w, h))
    drawn = (grey < paper.HALF).astype(np.uint8)
    spine, spine_px = _joined((art, source), drawn, px_per_in, (x, y, w, h), opts)
    return art, spine, spine_px, source


def _analysed(grey: np.ndarray, placed: tuple[int, int]) -> tuple[np.ndarray, float]:
    """The grey page at the analysis resolution (the source's, at most ANALYSIS_DPI, for a
    picture `placed` (w, h) print pixels large) and that resolution in pixels per inch."""
    w, h = placed
    px_per_in = min(grey.shape[1] * DPI / w, ANALYSIS_DPI)
    analysis = (max(1, round(w / DPI * px_per_in)), max(1, round(h / DPI * px_per_in)))
    if analysis != (grey.shape[1], grey.shape[0]):
        grey = cv2.resize(grey, analysis, interpolation=cv2.INTER_AREA)
    return grey, px_per_in


def _joined(
    pages: tuple[np.ndarray, np.ndarray],
    found: np.ndarray,
    px_per_in: float,
    box: tuple[int, int, int, int],
    opts: LineArtOptions,
) -> tuple[np.ndarray, int]:
    """The gaps of the analysis-resolution ink `found` closed on the print page (`pages`:
    its ink, 1 = ink, and the drawing's grey QA compares it with; both in place; the
    picture at `box`: x, y, w, h), each join as wide as the line at its two ends; and the
    ink's centre lines at print size with how wide they are drawn there. A join is the
    stage's own judgement (two line ends facing each other), so QA counts the areas it
    closes as the drawing's, not as strokes the page joined on its own."""
    art, source = pages
    x, y, w, h = box
    scale = w / found.shape[1]

    def placed(join: gaps.Join) -> gaps.Join:  # the join on the print page
        (ay, ax), (by, bx) = join.a, join.b
        a = (round(y + (ay + 0.5) * scale), round(x + (ax + 0.5) * scale))
        b = (round(y + (by + 0.5) * scale), round(x + (bx + 0.5) * scale))
        return gaps.Join(a, b, max(1, round(join.width * scale)))

    def judge(joins: list[gaps.Join]) -> list[gaps.Join]:  # on the page as it will print
        on_page = [placed(j) for j in joins]
        kept = gaps.closing(art, on_page, gaps.AREA_IN2 * DPI**2)
        return [j for j, p in zip(joins, on_page, strict=True) if p in kept]

    if opts.close_gaps:
        _, skel, joins = gaps.close_gaps(
            found, px_per_in, GAP_IN, judge, sealed=opts.gaps == Gaps.SEALED
        )
    else:
        skel, joins = gaps.skeleton(found), []
    for join in map(placed, joins):
        (ay, ax), (by, bx) = join.a, join.b
        cv2.line(art, (ax, ay), (bx, by), 1, thickness=round(join.width))
        cv2.line(source, (ax, ay), (bx, by), 0, thickness=round(join.width))
    spine = np.zeros_like(art)
    spine[y : y + h, x : x + w] = weight.place_spine(skel, (w, h))
    return spine, weight.spine_px(scale)


def binarise(
    grey: np.ndarray, found: ink.InkMap, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The ink at `size` (w, h): the grey page resampled and cut at each pixel's own level,
    where the ink map (a pixel around it) says there is ink; so every line keeps the shape
    the artist drew, only smoother, and nothing is drawn again. Also where the page is at
    least half as dark as that (bool): where a centre line may bridge a faint line's dashes."""
    shrink = size[0] < grey.shape[1]
    how = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    big = cv2.resize(grey, size, interpolation=how).astype(np.float32)
    level = cv2.resize(found.level, size, interpolation=how)
    near = cv2.dilate(found.ink, np.ones((3, 3), np.uint8)).astype(np.float32)
    gate = cv2.resize(near, size, interpolation=how) >= 0.5
    hard = np.asarray((big < level) & gate, dtype=np.uint8)
    soft = (big < (level + 255) / 2) & gate
    reopened = _open_slits(hard, big, level)
    if reopened is not None:  # (no centre line bridges a slit opened again)
        soft[reopened] = False
    return hard, soft


def _open_slits(
    hard: np.ndarray, big: np.ndarray, level: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Paper again in `hard` (in place) where the print-size grey `big` is a blurred white
    slit between lines (or a pin-hole in a solid): lighter than an opening narrower than
    SLIT_IN leaves there, by SLIT_RISE and SLIT_SHARE of the lines' depth under the cut
    `level`, on the slit's crest. The pixels made paper (rows, columns), or None."""
    size = round(SLIT_IN * DPI) | 1
    grey = cv2.convertScaleAbs(big)  # 8 bits, rounded (OpenCV's fast path)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    opened = cv2.morphologyEx(grey, cv2.MORPH_OPEN, disc)
    rise = cv2.subtract(grey, opened)
    _, lifted = cv2.threshold(rise, SLIT_RISE - 1, 255, cv2.THRESH_BINARY)
    lifted = cv2.bitwise_and(lifted, hard * 255)
    if not cv2.countNonZero(lifted):
        return None
    found = cv2.findNonZero(lifted)  # (few: the rest is judged no further)
    xs, ys = found.reshape(-1, 2).T
    crest = cv2.dilate(rise, np.ones((5, 5), np.uint8))[ys, xs]
    lift = rise[ys, xs].astype(np.float32)
    depth = level[ys, xs] - opened[ys, xs]
    keep = (depth > 0) & (lift >= SLIT_SHARE * depth) & (lift >= SLIT_CREST * crest)
    hard[ys[keep], xs[keep]] = 0
    return ys[keep], xs[keep]
