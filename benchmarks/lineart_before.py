"""The line-art stage before issue 14 (a fixed threshold): the "before" of benchmarks.lineart.

Pipeline: flatten to grey, upscale to print size with Lanczos (before thresholding, so
edges stay smooth), threshold to 1-bit, remove specks, optionally thicken lines. QA flags
large solid black fills (nothing left to colour) and mid-grey residue (shading or noise
that a threshold turns into speckle).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from bot.book.kdp import DPI


@dataclass(frozen=True)
class LineArtOptions:
    threshold: int = 150  # grey levels below this become black ink
    min_speck_px: int = 36  # black components smaller than this (about 0.02 in) are noise
    thicken_px: int = 0  # grow every line by this many pixels on each side
    solid_block_px: int = DPI // 10  # a 0.1 in block that is all ink counts as solid fill
    max_solid_fraction: float = 0.005  # about half a square inch on a letter page
    grey_band: tuple[int, int] = (96, 176)
    max_grey_fraction: float = 0.15


@dataclass(frozen=True)
class QAReport:
    black_fraction: float
    solid_fraction: float
    grey_fraction: float
    specks_removed: int
    reasons: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def badness(self, options: LineArtOptions) -> float:
        """Lower is better: how far past its limit the worst measure is."""
        return max(
            self.solid_fraction / options.max_solid_fraction,
            self.grey_fraction / options.max_grey_fraction,
        )


def _to_grey(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert("L")


def _fit(grey: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to fit inside `size` (Lanczos) and centre on white."""
    if grey.size == size:
        return grey
    scale = min(size[0] / grey.width, size[1] / grey.height)
    new = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    resized = grey.resize(new, Image.Resampling.LANCZOS)
    if new == size:
        return resized
    canvas = Image.new("L", size, 255)
    canvas.paste(resized, ((size[0] - new[0]) // 2, (size[1] - new[1]) // 2))
    return canvas


def grey_fraction(grey: Image.Image, band: tuple[int, int]) -> float:
    """Share of pixels in the mid-grey band, measured at the source resolution."""
    hist = grey.histogram()
    return sum(hist[band[0] : band[1] + 1]) / max(1, grey.width * grey.height)


def solid_fraction(ink: np.ndarray, block: int) -> float:
    """Share of the page covered by blocks that are (almost) all ink."""
    h, w = ink.shape
    bh, bw = h // block, w // block
    if bh == 0 or bw == 0:
        return 0.0
    blocks = ink[: bh * block, : bw * block].reshape(bh, block, bw, block).mean(axis=(1, 3))
    solid_px = int((blocks >= 0.98).sum()) * block * block
    return float(solid_px / (h * w))


def remove_specks(ink: np.ndarray, min_px: int) -> tuple[np.ndarray, int]:
    """Drop ink components smaller than `min_px` pixels (8-connected)."""
    if min_px <= 1:
        return ink, 0
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), bool))
    if count == 0:
        return ink, 0
    sizes = np.bincount(labels.ravel())
    small = sizes < min_px
    small[0] = False
    removed = int(small.sum())
    if removed:
        ink = ink & ~small[labels]
    return ink, removed


def to_line_art(
    img: Image.Image, size: tuple[int, int], options: LineArtOptions | None = None
) -> tuple[Image.Image, QAReport]:
    """A mode "1" image of exactly `size` pixels, and its QA report."""
    opts = options or LineArtOptions()
    if img.mode == "1" and img.size == size:
        grey_share = 0.0  # already 1-bit: nothing to threshold
        ink = ~np.asarray(img, dtype=bool)
    else:
        grey = _to_grey(img)
        grey_share = grey_fraction(grey, opts.grey_band)
        fitted = _fit(grey, size)
        ink = np.asarray(fitted) < opts.threshold
    ink, specks = remove_specks(ink, opts.min_speck_px)
    if opts.thicken_px > 0:
        ink = ndimage.binary_dilation(ink, iterations=opts.thicken_px)
    solid = solid_fraction(ink, opts.solid_block_px)
    reasons = []
    if solid > opts.max_solid_fraction:
        reasons.append(f"solid black fill covers {solid:.1%} of the page")
    if grey_share > opts.max_grey_fraction:
        reasons.append(f"mid-grey residue on {grey_share:.1%} of the source image")
    report = QAReport(
        black_fraction=float(ink.mean()),
        solid_fraction=solid,
        grey_fraction=grey_share,
        specks_removed=specks,
        reasons=tuple(reasons),
    )
    return Image.fromarray(~ink), report
