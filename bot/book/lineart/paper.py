"""From any image to a grey page on white paper: transparency flattened, coloured lines made
dark, tinted, unevenly lit or JPEG-grey paper made white."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

PAPER_IN = 0.5  # paper unevenness is broader than this; lines and shading are narrower
SOLID_IN = 2.0  # a dark area narrower than this (a solid, a wide stroke) is no paper ...
SOLID_SHARE = 0.6  # ... where it is darker than this share of the paper just around it


def to_rgb(img: Image.Image) -> np.ndarray:
    """An RGB array, transparent parts on white (any PIL mode)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        grey = np.asarray(img, dtype=np.float64)
        top = float(grey.max()) or 1.0
        img = Image.fromarray((grey / top * 255).astype(np.uint8))
    return np.asarray(img.convert("RGB"))


def lightness(rgb: np.ndarray) -> np.ndarray:
    """Each pixel's lightest-possible ink reading: its darkest channel, so a blue, brown or
    red line reads as dark as a black one while white paper stays light."""
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    return np.asarray(cv2.min(cv2.min(r, g), b), dtype=np.uint8)


def whiten_paper(grey: np.ndarray, px_per_in: float) -> np.ndarray:
    """Divide by the paper's own brightness (estimated by a wide maximum, so lines and
    shading do not count): tinted or shaded paper becomes 255, ink keeps its contrast. A
    solid wider than that maximum's reach (a sleeve, a silhouette) is no paper: where the
    estimate is much darker than the paper around it, the paper around it is taken."""
    h, w = grey.shape
    step = 4  # the paper varies slowly: estimate it at a quarter of the size
    small = cv2.resize(grey, (max(1, w // step), max(1, h // step)), interpolation=cv2.INTER_AREA)
    k = max(3, int(PAPER_IN * px_per_in / step) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    paper = cv2.dilate(small, kernel)
    # paper varies by a few % over an inch or two; a solid drawn in the lines' grey is
    # darker than half of it (lighter shading stays paper and is whitened; darker shading
    # the ink map tells from a solid by the darker lines drawn over it)
    reach = max(3, int(SOLID_IN * px_per_in / step) | 1)
    around = cv2.dilate(paper, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    paper = np.where(paper < SOLID_SHARE * around.astype(np.float32), around, paper)
    paper = cv2.blur(paper, (k, k))
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    paper = np.maximum(paper, 1).astype(np.float32)
    out = grey.astype(np.float32) * (255.0 / paper)
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


SHARPEN_IN = 0.008  # the blur a model's soft lines have (about a pixel at 134 px/in)


def sharpen(grey: np.ndarray, px_per_in: float) -> np.ndarray:
    """An unsharp mask as wide as a soft line's blur: edges stay where they are (the cut is
    half-way), narrow light gaps between lines that the blur filled come back."""
    soft = cv2.GaussianBlur(grey, (0, 0), max(0.5, SHARPEN_IN * px_per_in))
    out = 2.0 * grey.astype(np.float32) - soft.astype(np.float32)
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


HALF = 128  # a clean drawing's ink: darker than half-way between black and white
CLEAN_PAPER = 245  # ... its paper, away from the lines' anti-aliased edges: at least this ...
CLEAN_SHARE = 0.01  # ... but for this share of it (a stray dot, a signature's grey)
CLEAN_INK = 30  # ... and its darkest ink (the 2nd percentile of what is not paper): black


def is_clean(grey: np.ndarray) -> bool:
    """Whether a grey page is already clean line art: white paper (nothing grey away from
    the lines but for CLEAN_SHARE: no tint, no uneven light, no noise, no JPEG fog) and
    black ink. Such a page needs cutting, not cleaning: what the full stage would find,
    join or redraw on it can only differ from what the artist drew."""
    ink = (grey < HALF).astype(np.uint8)
    if not ink.any():
        return False
    near = cv2.dilate(ink, np.ones((5, 5), np.uint8)) > 0  # anti-aliasing is ~2 px
    away = grey[~near]
    if away.size == 0 or float((away < CLEAN_PAPER).mean()) > CLEAN_SHARE:
        return False
    marks = grey[grey < CLEAN_PAPER]
    return float(np.percentile(marks, 2)) <= CLEAN_INK
