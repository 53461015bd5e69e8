"""Real human-drawn line art (tests/realart/), dirtied the way a model's output is dirty,
and compared with the cleaned page the way a buyer would look at it.

- `load_corpus("pages")`: coloring pages (Open Clip Art Library); `load_corpus("bold")`:
  bold emoji-style drawings (OpenMoji). Sources and licences: tests/realart/SOURCES.md.
- `model_dirty(image, seed)`: tinted, unevenly lit paper, soft (blurred) lines lightened to
  mid/dark grey, specks, sensor noise and JPEG, deterministic per seed; `bold_dirty` the
  same with the lines in dark grey (how a bold drawing comes out of a model).
- `compare(source, result, dpi)`: the cleaned page (`clean_page`'s output, the art box at
  `dpi`) against the clean drawing, placed as the stage places it (`fit_box`): lines kept
  (recall) and no lines invented (precision) within 0.02 in, closed areas of at least
  0.01 sq in (counted on both), new solid ink (blobs away from the drawing's lines; dots:
  lines swollen well past the drawing's width at that place, as at joints), and the
  drawing's small solid blacks (pupils, noses) still solid.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage

REALART = Path(__file__).resolve().parent / "realart"
KINDS = ("pages", "bold")

TOLERANCE_IN = 0.02  # a line counts as kept if the other side has ink this close
MIN_AREA_IN2 = 0.01  # closed areas at least this big are counted
AREA_SLACK = 0.10  # area counts may differ by this share
BLOB_IN2 = 0.001  # new ink away from every line, this big or more, is a blob (~0.03 in)
BLOB_WIDE_IN = 0.02  # ... this thick, reaching this far past the tolerance
DOT_RATIO = 1.5  # a line swollen to this many times its allowed half-width ...
DOT_MARGIN_IN = 0.005  # ... plus this, is a dot (as at a joint)
THINNED = 0.8  # a page whose usual line is under this share of the drawing's was thinned
SLIT_IN = 0.01  # paper narrower than this between two lines of the drawing is no gap to the eye
SOLID_IN = 0.06  # a solid black survives an opening this wide ...
SOLID_PEAK_IN = 0.075  # ... is this wide somewhere ...
SOLID_MAX_IN2 = 0.5  # ... is compact and, to be a small intended one (a pupil), at most this big
SOLID_KEPT = 0.75  # share of a small solid that must stay ink


def load_corpus(kind: str) -> list[tuple[str, Image.Image]]:
    """The corpus's clean drawings of one kind, by name: greyscale, 1024 px wide."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    items = []
    for path in sorted((REALART / kind).glob("*.png")):
        with Image.open(path) as im:
            items.append((path.stem, im.convert("L")))
    return items


def _dirty(image: Image.Image, seed: int, line_grey: tuple[float, float]) -> Image.Image:
    rng = np.random.default_rng(seed)
    grey = np.asarray(image.convert("L"), np.float32) / 255.0
    h, w = grey.shape
    darkness = 1.0 - cv2.GaussianBlur(grey, (0, 0), rng.uniform(0.6, 1.3))  # soft lines
    line = rng.uniform(*line_grey)  # how light the darkest line is (0 black .. 1 white)
    ink_tint = np.array([1.0, rng.uniform(0.92, 1.04), rng.uniform(0.88, 1.08)], np.float32)
    paper = np.array(
        [rng.uniform(228, 250), rng.uniform(220, 242), rng.uniform(195, 230)], np.float32
    )
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1.0) / 2.0  # 0..1 across
    vignette = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * rng.uniform(0.1, 0.35)
    light = 1.0 - rng.uniform(0.05, 0.16) * ramp - vignette  # uneven lighting
    page = paper[None, None, :] * light[..., None]
    ink_level = (line * 255.0) * ink_tint[None, None, :] * light[..., None]
    rgb = page * (1.0 - darkness[..., None]) + ink_level * darkness[..., None]
    specks = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(60, 220))):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = float(rng.uniform(0.6, 2.2))
        cv2.circle(specks, (cx, cy), max(1, round(r)), float(rng.uniform(0.3, 0.75)), -1)
    specks = cv2.GaussianBlur(specks, (0, 0), 0.7)
    rgb = rgb * (1.0 - specks[..., None] * 0.8)
    rgb += rng.normal(0.0, rng.uniform(2.0, 5.0), rgb.shape).astype(np.float32)
    out = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=int(rng.integers(60, 82)))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def model_dirty(image: Image.Image, seed: int) -> Image.Image:
    """The drawing as a model might give it: lines in mid to dark grey (RGB, JPEG'd)."""
    return _dirty(image, seed, (0.25, 0.5))


def bold_dirty(image: Image.Image, seed: int) -> Image.Image:
    """A bold drawing as a model gives it: the same lines in dark grey."""
    return _dirty(image, seed, (0.18, 0.32))


@dataclass(frozen=True)
class Comparison:
    """A cleaned page against its clean drawing."""

    recall: float  # share of the drawing's centre lines with page ink within tolerance
    precision: float  # share of the page's centre lines with drawing ink within tolerance
    areas_source: int  # closed areas of at least MIN_AREA_IN2
    areas_result: int
    blobs: int  # pieces of new ink away from every line of the drawing (over BLOB_IN2)
    dots: int  # places where a line swells well past the drawing's width there
    solids: int  # the drawing's small solid blacks
    solids_lost: int  # ... hollowed or gone

    @property
    def area_ratio(self) -> float:
        return self.areas_result / self.areas_source if self.areas_source else float("inf")

    @property
    def areas_ok(self) -> bool:
        return abs(self.areas_result - self.areas_source) <= AREA_SLACK * self.areas_source

    def problems(self, lines: float = 0.95, solids: bool = True) -> list[str]:
        """What a buyer would see wrong, in words: lines lost or invented (under `lines`),
        areas changed, blobs, dots, and with `solids` the drawing's small solids lost."""
        out = []
        if self.recall < lines:
            out.append(f"lines lost (recall {self.recall:.2f})")
        if self.precision < lines:
            out.append(f"lines invented (precision {self.precision:.2f})")
        if not self.areas_ok:
            out.append(f"areas {self.areas_source} -> {self.areas_result}")
        if self.blobs:
            out.append(f"{self.blobs} blobs")
        if self.dots:
            out.append(f"{self.dots} dots")
        if solids and self.solids_lost:
            out.append(f"{self.solids_lost}/{self.solids} small solids lost")
        return out

    @property
    def unharmed(self) -> bool:
        """Deliverable 1: the same drawing (a clean page in): recall and precision at least
        0.95, areas within 10%, no new solid ink (blobs, dots), small solids kept."""
        return not self.problems(0.95, solids=True)

    @property
    def restored(self) -> bool:
        """Deliverable 2: a dirty page cleaned back to the drawing: recall and precision at
        least 0.90, areas within 10%, no blobs or dots."""
        return not self.problems(0.90, solids=False)


def placed_source(source: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """The drawing's ink (bool) on a page of `size`, placed as `clean_page` places it."""
    from bot.book.lineart.stage import fit_box

    x, y, w, h = fit_box(source.size, size)
    grey = np.asarray(source.convert("L"), np.float32)
    big = cv2.resize(grey, (w, h), interpolation=cv2.INTER_LINEAR)
    ink = np.zeros((size[1], size[0]), bool)
    ink[y : y + h, x : x + w] = big < 128
    return ink


def result_ink(result: Image.Image) -> np.ndarray:
    """The page's ink (bool)."""
    return np.asarray(result.convert("L")) < 128


def _near(ink: np.ndarray) -> np.ndarray:
    """Distance (pixels) from every pixel to the nearest ink."""
    return cv2.distanceTransform((~ink).astype(np.uint8), cv2.DIST_L2, 5)


def _half_width(ink: np.ndarray) -> np.ndarray:
    """Distance from every ink pixel to the paper: half the stroke's width there."""
    return cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 5)


def centre_lines(ink: np.ndarray, half: np.ndarray) -> np.ndarray:
    """The ink's centre lines: where the distance to the paper is a local maximum (the
    medial ridge; much cheaper than a thinning at print size, and as good for shares)."""
    peak = cv2.dilate(half, np.ones((3, 3), np.uint8))
    return ink & (half >= peak)


def closed_areas(ink: np.ndarray, min_px: float) -> int:
    """Paper regions (4-connected) that do not touch the page's edge, at least `min_px`."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats((~ink).astype(np.uint8), connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    big = stats[:, cv2.CC_STAT_AREA] >= min_px
    big[0] = False  # label 0 is the ink
    big[edge] = False
    return int(big.sum())


def _blobs(
    res: np.ndarray, res_half: np.ndarray, src_near: np.ndarray, tol: float, dpi: int
) -> int:
    """Pieces of the page's ink beyond `tol` of every line of the drawing that are solid: at
    least BLOB_IN2, BLOB_WIDE_IN thick somewhere and reaching BLOB_WIDE_IN past the
    tolerance (a speck left, a filled area, a dot's rim; not the rim of a line drawn evenly
    a little bolder)."""
    new = (res & (src_near > tol)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(new, connectivity=8)
    if count == 1:
        return 0
    index = np.arange(1, count)
    thick = np.asarray(ndimage.maximum(res_half, labels, index)) >= BLOB_WIDE_IN * dpi / 2
    far = np.asarray(ndimage.maximum(src_near, labels, index)) >= tol + BLOB_WIDE_IN * dpi
    big = stats[1:, cv2.CC_STAT_AREA] >= BLOB_IN2 * dpi**2
    return int((big & thick & far).sum())


def _dots(
    src: np.ndarray,
    res: np.ndarray,
    res_half: np.ndarray,
    src_skel: np.ndarray,
    res_skel: np.ndarray,
    dpi: int,
) -> int:
    """Spots where the page's line is much wider than both the drawing's line at the
    nearest point of its centre line and the page's own usual line (re-weighting every line
    alike is allowed; a round dot where lines meet is not)."""
    if not src_skel.any():
        return 0
    # two lines drawn closer than SLIT_IN are one line's width to the eye (the paper between
    # is under 0.01 in; a model's blur erases it): their merging is no dot
    slit = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (round(SLIT_IN * dpi),) * 2)
    src_half = _half_width(cv2.morphologyEx(src.astype(np.uint8), cv2.MORPH_CLOSE, slit) > 0)
    # ... and the drawing's width is the widest it is within the tolerance (the ink may
    # move that far): a white notch in a solid filled is no dot on a line
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * round(TOLERANCE_IN * dpi) + 1,) * 2)
    src_half = cv2.dilate(src_half, reach)
    _, nearest = cv2.distanceTransformWithLabels(
        (~src_skel).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    widths = np.zeros(int(nearest.max()) + 1, np.float32)
    ys, xs = np.nonzero(src_skel)
    widths[nearest[ys, xs]] = src_half[ys, xs]  # each centre-line pixel's label: its width
    local = widths[nearest]
    usual = float(np.median(res_half[res_skel])) if res_skel.any() else 0.0  # along the lines
    # a page whose lines were thinned (to an audience's ceiling) is held to its own weight
    # where the drawing has a line: a joint left as wide as the drawing's is a dot there,
    # though the drawing's solids (much wider than its lines) may stay as drawn
    drawn = float(np.median(local[src_skel]))
    thinned = usual / drawn if 0 < usual < THINNED * drawn else 1.0
    width = np.maximum(local, src_half)
    width = np.where(width <= DOT_RATIO * drawn, width * thinned, width)
    allowed = np.maximum(width, usual) * DOT_RATIO + DOT_MARGIN_IN * dpi
    swollen = (res & (res_half > allowed)).astype(np.uint8)
    count, _ = cv2.connectedComponents(swollen, connectivity=8)
    return count - 1


def _branches(src: np.ndarray, mine: np.ndarray, box: tuple[slice, slice], line: float) -> int:
    """How many lines leave a solid: pieces of ink in a ring just outside it."""
    r = max(2, round(line)) + 1
    y0, x0 = max(0, box[0].start - 3 * r), max(0, box[1].start - 3 * r)
    y1, x1 = min(src.shape[0], box[0].stop + 3 * r), min(src.shape[1], box[1].stop + 3 * r)
    near = np.zeros((y1 - y0, x1 - x0), np.uint8)
    near[box[0].start - y0 : box[0].stop - y0, box[1].start - x0 : box[1].stop - x0] = mine
    inner = cv2.dilate(near, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2))
    outer = cv2.dilate(near, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * r + 1,) * 2))
    ink = src[y0:y1, x0:x1]
    ring = (outer > 0) & (inner == 0) & ink
    return cv2.connectedComponents(ring.astype(np.uint8), connectivity=8)[0] - 1


def _solids(src: np.ndarray, src_skel: np.ndarray, res: np.ndarray, dpi: int) -> tuple[int, int]:
    """The drawing's small solid blacks and how many the page no longer has as solid ink
    (hollowed into an outline, thinned away or gone). A small solid (a pupil, a nose) is
    what an opening by a SOLID_IN disc leaves that is at least SOLID_PEAK_IN and 1.3 lines
    wide, compact (a bounding box at most 2.5:1, half filled), at most SOLID_MAX_IN2, with
    at most one line leaving it (not a filled joint where lines meet)."""
    half = _half_width(src)
    line = float(np.median(half[src_skel])) if src_skel.any() else 0.0  # usual half-width
    size = round(SOLID_IN * dpi) | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    thick = cv2.morphologyEx(src.astype(np.uint8), cv2.MORPH_OPEN, disc)
    least = max(SOLID_PEAK_IN * dpi / 2, 1.3 * line)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(thick, connectivity=8)
    found = lost = 0
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        box = (slice(y, y + h), slice(x, x + w))
        mine = labels[box] == label
        peak = float(half[box][mine].max())
        if peak < least or max(w, h) > 2.5 * min(w, h) or area < 0.45 * w * h:
            continue  # thin, or long or bent: (the thick part of) a line
        if area > SOLID_MAX_IN2 * dpi**2:
            continue  # a big black shape
        if _branches(src, mine, box, line) > 1:
            continue  # lines meet here: a filled joint, not a pupil
        found += 1
        if res[box][mine].mean() < SOLID_KEPT:
            lost += 1
    return found, lost


def _cropped(
    arrays: tuple[np.ndarray, ...], pad: int
) -> tuple[tuple[np.ndarray, ...], tuple[slice, slice]]:
    """The arrays cut to where any has ink, plus `pad` (paper beyond it changes nothing
    measured: a crop edge is paper joined to the page's edge, or the page's edge itself)."""
    union = np.logical_or.reduce(arrays)
    rows, cols = np.flatnonzero(union.any(axis=1)), np.flatnonzero(union.any(axis=0))
    if rows.size == 0:
        return arrays, (slice(None), slice(None))
    y0, y1 = max(0, rows[0] - pad), min(union.shape[0], rows[-1] + pad + 1)
    x0, x1 = max(0, cols[0] - pad), min(union.shape[1], cols[-1] + pad + 1)
    box = (slice(y0, y1), slice(x0, x1))
    return tuple(a[box] for a in arrays), box


_REFERENCES: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}


def _reference(source: Image.Image, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The drawing placed on the page and its centre lines, kept for the next comparisons
    of the same drawing (a clean and a dirty run are compared back to back)."""
    key = hashlib.blake2b(source.tobytes(), digest_size=16).digest() + repr(size).encode()
    if key not in _REFERENCES:
        src = placed_source(source, size)
        skel = centre_lines(src, _half_width(src))
        if len(_REFERENCES) >= 4:
            del _REFERENCES[next(iter(_REFERENCES))]  # the oldest
        _REFERENCES[key] = (src, skel)
    return _REFERENCES[key]


def compare(source: Image.Image, result: Image.Image, dpi: int = 300) -> Comparison:
    """The cleaned page `result` (the art box at `dpi`) against the clean `source`."""
    res = result_ink(result)
    src, src_skel = _reference(source, (result.width, result.height))
    (src, src_skel, res), _ = _cropped((src, src_skel, res), int(TOLERANCE_IN * dpi) + 4)
    tol = TOLERANCE_IN * dpi
    src_near, res_near = _near(src), _near(res)
    res_half = _half_width(res)
    res_skel = centre_lines(res, res_half)
    recall = float((res_near[src_skel] <= tol).mean()) if src_skel.any() else 1.0
    precision = float((src_near[res_skel] <= tol).mean()) if res_skel.any() else 1.0
    min_px = MIN_AREA_IN2 * dpi**2
    solids, lost = _solids(src, src_skel, res, dpi)
    return Comparison(
        recall=recall,
        precision=precision,
        areas_source=closed_areas(src, min_px),
        areas_result=closed_areas(res, min_px),
        blobs=_blobs(res, res_half, src_near, tol, dpi),
        dots=_dots(src, res, res_half, src_skel, res_skel, dpi),
        solids=solids,
        solids_lost=lost,
    )
