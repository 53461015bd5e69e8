"""The line-art stage every page goes through (a model's, a remote API's, a user's own
drawing, the pattern provider's), in numbered steps:

1. paper: flatten, coloured lines to dark, tinted/uneven/JPEG paper to white;
2. ink: thin dark lines kept, broad mid-grey shading dropped, specks (in inches) removed;
3. gaps: broken outlines closed by joining line ends that point at a nearby line;
4. weight: every line drawn again from its centre line at the audience's width;
5. print: scaled into the art box (aspect kept, centred), 1-bit;
6. QA: measured in inches on the result.

Steps 1-4 run at the analysis resolution (the source's, at most ANALYSIS_DPI), so the
costly work is done once on few pixels; only the final drawing is made at print size.
A page that is already 1-bit at print size (the pattern provider's) skips to its line
weight and QA.
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
from bot.book.spec import Audience

RULES = 3  # the stage's version: raised when a change alters the pages it makes (3: the
# closing-based ink rule), so a resumed book remakes pages cleaned by older rules
ANALYSIS_DPI = 200  # larger sources are analysed at this resolution
GAP_IN = 0.16  # outline breaks narrower than this are closed


@dataclass(frozen=True)
class LineArtOptions:
    """How a page is cleaned: for whom (line weight, QA limits), bolder lines on request
    (inches, within the audience's range), and whether gaps are closed."""

    audience: Audience = Audience.ADULTS
    thicken_in: float = 0.0
    close_gaps: bool = True

    def key(self) -> str:
        """What changes the pages (kept with each page's inputs, so a change remakes them)."""
        return (
            f"lineart={RULES},audience={self.audience},thicken={self.thicken_in:g},"
            f"gaps={self.close_gaps}"
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
    if image.mode == "1" and image.size == size:
        given = ~np.asarray(image, dtype=bool)
        art, known = _print_ready(given, opts)
        source = np.where(given, 0, 255).astype(np.uint8)
    else:
        drawn, source = _from_source(image, size, opts)
        art, known = _filled(drawn, opts)
    activity = image.info.get(PAGE_KIND) == ACTIVITY
    known = replace(known, source=source)  # QA compares the page with what it was made from
    report = qa_page(art, opts.audience, DPI, activity=activity, known=known)
    return Image.fromarray(art == 0), report


def _filled(art: np.ndarray, opts: LineArtOptions) -> tuple[np.ndarray, Known]:
    """Slivers where lines meet (no crayon or pen fits) filled, as an inker would; with the
    paper's regions, found on the way (QA measures them)."""
    speck = THRESHOLDS[opts.audience].speck_in * DPI
    art, paper_stats = ink.fill_pinholes_labelled(art, round(speck**2))
    return art, Known(paper_stats=paper_stats)


def _print_ready(art: np.ndarray, opts: LineArtOptions) -> tuple[np.ndarray, Known]:
    """A 1-bit page already at print size: slivers filled and its line weight brought into
    range; with what was measured on the final drawing (QA reuses it)."""
    art, known = _filled(art.astype(np.uint8), opts)
    dist = cv2.distanceTransform(art, cv2.DIST_L2, 5)
    widths = weight.ridge_widths(art, dist)
    median = float(np.median(widths)) if widths.size else 0.0
    target = weight.target_width(median / DPI, STROKES[opts.audience], opts.thicken_in) * DPI
    if widths.size == 0 or abs(target - median) < 2:  # within a pixel each side: kept as is
        return art, replace(known, dist=dist, widths=widths)
    return _filled(weight.adjust(art, median, target), opts)


def _from_source(
    image: Image.Image, size: tuple[int, int], opts: LineArtOptions
) -> tuple[np.ndarray, np.ndarray]:
    """The print ink made from `image`, and the image's grey (paper whitened) placed on the
    page at print size, for QA to compare with."""
    x, y, w, h = fit_box(image.size, size)
    px_per_in = min(image.width * DPI / w, ANALYSIS_DPI)  # the source's, capped
    grey = paper.lightness(paper.to_rgb(image))
    analysis = (max(1, round(w / DPI * px_per_in)), max(1, round(h / DPI * px_per_in)))
    if analysis != image.size:
        grey = cv2.resize(grey, analysis, interpolation=cv2.INTER_AREA)
    grey = paper.whiten_paper(grey, px_per_in)
    limits = THRESHOLDS[opts.audience]
    mask, _ = ink.clean_ink(grey, px_per_in, limits.speck_in)
    if opts.close_gaps:
        mask, skel, _ = gaps.close_gaps(mask, px_per_in, GAP_IN)
    else:
        skel = gaps.skeleton(mask)
    widths = weight.stroke_widths(mask, skel)
    median_in = float(np.median(widths)) / px_per_in if widths.size else 0.0
    target_in = weight.target_width(median_in, STROKES[opts.audience], opts.thicken_in)
    solid = weight.solid_parts(mask, ink.LINE_MAX_IN * px_per_in)
    drawn = weight.restroke(skel & (1 - solid), solid, target_in * px_per_in, (w, h))
    art = np.zeros((size[1], size[0]), np.uint8)
    art[y : y + h, x : x + w] = drawn
    source = np.full((size[1], size[0]), 255, np.uint8)
    source[y : y + h, x : x + w] = cv2.resize(grey, (w, h), interpolation=cv2.INTER_LINEAR)
    return art, source
