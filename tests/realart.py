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

import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage.morphology import skeletonize

REALART = Path(__file__).resolve().parent / "realart"
KINDS = ("pages", "bold")

TOLERANCE_IN = 0.02  # a line counts as kept if the other side has ink this close
MIN_AREA_IN2 = 0.01  # closed areas at least this big are counted
AREA_SLACK = 0.10  # area counts may differ by this share
BLOB_IN2 = 0.001  # new ink away from every line, this big or more, is a blob (~0.03 in)
DOT_RATIO = 1.5  # a line swollen to this many times its allowed half-width ...
DOT_MARGIN_IN = 0.005  # ... plus this, is a dot (as at a joint)
SOLID_IN = 0.06  # a solid black survives an opening this wide ...
SOLID_PEAK_IN = 0.075  # ... is this wide somewhere ...
SOLID_MAX_IN2 = 0.08  # ... is compact and, to be a small intended one (a pupil), at most this big
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

    @property
    def unharmed(self) -> bool:
        """Deliverable 1: the same drawing (a clean page in)."""
        return (
            self.recall >= 0.95
            and self.precision >= 0.95
            and self.areas_ok
            and self.blobs == 0
            and self.dots == 0
            and self.solids_lost == 0
        )

    @property
    def restored(self) -> bool:
        """Deliverable 2: a dirty page cleaned back to the drawing."""
        return (
            self.recall >= 0.90
            and self.precision >= 0.90
            and self.areas_ok
            and self.blobs == 0
            and self.dots == 0
        )

    def problems(self) -> list[str]:
        """What keeps the page from being unharmed, in words."""
        out = []
        if self.recall < 0.95:
            out.append(f"lines lost (recall {self.recall:.2f})")
        if self.precision < 0.95:
            out.append(f"lines invented (precision {self.precision:.2f})")
        if not self.areas_ok:
            out.append(f"areas {self.areas_source} -> {self.areas_result}")
        if self.blobs:
            out.append(f"{self.blobs} blobs")
        if self.dots:
            out.append(f"{self.dots} dots")
        if self.solids_lost:
            out.append(f"{self.solids_lost}/{self.solids} small solids lost")
        return out


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


def closed_areas(ink: np.ndarray, min_px: float) -> int:
    """Paper regions (4-connected) that do not touch the page's edge, at least `min_px`."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats((~ink).astype(np.uint8), connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    big = stats[:, cv2.CC_STAT_AREA] >= min_px
    big[0] = False  # label 0 is the ink
    big[edge] = False
    return int(big.sum())


def _blobs(src: np.ndarray, res: np.ndarray, src_near: np.ndarray, tol: float, dpi: int) -> int:
    new = (res & (src_near > tol)).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(new, connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= BLOB_IN2 * dpi**2).sum())


def _dots(
    src: np.ndarray, res: np.ndarray, src_skel: np.ndarray, res_skel: np.ndarray, dpi: int
) -> int:
    """Spots where the page's line is much wider than both the drawing's line at the
    nearest point of its centre line and the page's own usual line (re-weighting every line
    alike is allowed; a round dot where lines meet is not)."""
    if not src_skel.any():
        return 0
    src_half = _half_width(src)
    res_half = _half_width(res)
    _, nearest = cv2.distanceTransformWithLabels(
        (~src_skel).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    widths = np.zeros(int(nearest.max()) + 1, np.float32)
    ys, xs = np.nonzero(src_skel)
    widths[nearest[ys, xs]] = src_half[ys, xs]  # each centre-line pixel's label: its width
    local = widths[nearest]
    usual = float(np.median(res_half[res_skel])) if res_skel.any() else 0.0  # along the lines
    allowed = np.maximum(np.maximum(local, src_half), usual) * DOT_RATIO + DOT_MARGIN_IN * dpi
    swollen = (res & (res_half > allowed)).astype(np.uint8)
    count, _ = cv2.connectedComponents(swollen, connectivity=8)
    return count - 1


def _solids(src: np.ndarray, res: np.ndarray, dpi: int) -> tuple[int, int]:
    """The drawing's small solid blacks (pupils, noses: what is left after an opening by
    a SOLID_IN disc, compact, at most SOLID_MAX_IN2), and how many the page no longer has
    as solid ink (hollowed into an outline, thinned away or gone)."""
    size = round(SOLID_IN * dpi) | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    thick = cv2.morphologyEx(src.astype(np.uint8), cv2.MORPH_OPEN, disc)
    half = _half_width(src)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(thick, connectivity=8)
    found = lost = 0
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        box = (slice(y, y + h), slice(x, x + w))
        mine = labels[box] == label
        peak = float(half[box][mine].max())
        if max(w, h) > 3.5 * peak:
            continue  # long: the thick part of a line
        if peak < SOLID_PEAK_IN * dpi / 2 or area > min(
            3.0 * np.pi * peak**2, SOLID_MAX_IN2 * dpi**2
        ):
            continue  # thin, long (the thick part of a line) or big: not a small solid
        found += 1
        if res[box][mine].mean() < SOLID_KEPT:
            lost += 1
    return found, lost


def _cropped(src: np.ndarray, res: np.ndarray, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Both pages cut to where either has ink, plus `pad` (paper beyond it changes nothing
    measured: a crop edge is paper joined to the page's edge, or the page's edge itself)."""
    rows = np.flatnonzero((src | res).any(axis=1))
    cols = np.flatnonzero((src | res).any(axis=0))
    if rows.size == 0:
        return src, res
    y0, y1 = max(0, rows[0] - pad), min(src.shape[0], rows[-1] + pad + 1)
    x0, x1 = max(0, cols[0] - pad), min(src.shape[1], cols[-1] + pad + 1)
    return src[y0:y1, x0:x1], res[y0:y1, x0:x1]


def compare(source: Image.Image, result: Image.Image, dpi: int = 300) -> Comparison:
    """The cleaned page `result` (the art box at `dpi`) against the clean `source`."""
    res = result_ink(result)
    src = placed_source(source, (result.width, result.height))
    src, res = _cropped(src, res, int(TOLERANCE_IN * dpi) + 4)
    tol = TOLERANCE_IN * dpi
    src_near, res_near = _near(src), _near(res)
    src_skel = skeletonize(src)
    res_skel = skeletonize(res)
    recall = float((res_near[src_skel] <= tol).mean()) if src_skel.any() else 1.0
    precision = float((src_near[res_skel] <= tol).mean()) if res_skel.any() else 1.0
    min_px = MIN_AREA_IN2 * dpi**2
    solids, lost = _solids(src, res, dpi)
    return Comparison(
        recall=recall,
        precision=precision,
        areas_source=closed_areas(src, min_px),
        areas_result=closed_areas(res, min_px),
        blobs=_blobs(src, res, src_near, tol, dpi),
        dots=_dots(src, res, src_skel, res_skel, dpi),
        solids=solids,
        solids_lost=lost,
    )
