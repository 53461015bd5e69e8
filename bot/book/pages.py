"""Finished pages on disk: `pages/NNN.png` to look at, `pages/NNN.tif` (CCITT G4) to print.

The TIFF is the print master: its single G4 strip goes into the PDF as it is, never decoded
or re-encoded. It records the SHA-256 of the PNG it was made with; if someone replaces the
PNG by hand, assembly notices and encodes the new PNG instead.
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, PngImagePlugin, TiffImagePlugin

from bot.book.assets import png_path, thumb_path, tif_path
from bot.book.kdp import DPI
from bot.fsutil import atomic_write

_DESCRIPTION = 270
_STRIP_OFFSETS, _STRIP_COUNTS, _PHOTOMETRIC, _COMPRESSION = 273, 279, 262, 259
_GROUP4 = 4
INPUT_CHUNK = "ebook-bot-input"  # PNG text chunk: the ledger input key the page was made for
PAGE_CHUNK = "ebook-bot-page"  # the thumbnail's text chunk: the SHA-256 of its page's PNG
THUMB_WIDTH = 170  # pixels: the preview's widest page thumbnail
PRINT_DPI = (DPI, DPI)  # in every page file's metadata, so viewers and tools print it right


@dataclass(frozen=True)
class G4Image:
    """A CCITT Group 4 image ready to embed: a PDF decodes `data` with these parameters."""

    width: int
    height: int
    data: bytes
    black_is_1: bool


def _pnginfo(input_key: str) -> PngImagePlugin.PngInfo | None:
    if not input_key:
        return None
    info = PngImagePlugin.PngInfo()
    info.add_text(INPUT_CHUNK, input_key)
    return info


def encode_png(img: Image.Image, input_key: str = "") -> bytes:
    buf = io.BytesIO()
    # run-length zlib suits line art: smaller than the default deflate, and twice as fast
    img.convert("1").save(
        buf, "PNG", compress_type=zlib.Z_RLE, pnginfo=_pnginfo(input_key), dpi=PRINT_DPI
    )
    return buf.getvalue()


def encode_g4_tiff(img: Image.Image, description: str = "") -> bytes:
    """A one-strip G4 TIFF (a PDF takes exactly one G4 stream per image)."""
    bitonal = img.convert("1")
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[_DESCRIPTION] = description
    buf = io.BytesIO()
    bitonal.save(
        buf,
        "TIFF",
        compression="group4",
        dpi=PRINT_DPI,
        strip_size=math.ceil(bitonal.width / 8) * bitonal.height,
        tiffinfo=info,
    )
    return buf.getvalue()


def read_g4(data: bytes) -> tuple[G4Image, str]:
    """The G4 stream of a one-strip TIFF and its description, without decoding pixels."""
    with Image.open(io.BytesIO(data)) as im:
        tags = im.tag_v2  # type: ignore[attr-defined]
        if tags.get(_COMPRESSION) != _GROUP4:
            raise ValueError("not a CCITT Group 4 TIFF")
        offsets, counts = tags[_STRIP_OFFSETS], tags[_STRIP_COUNTS]
        if len(offsets) != 1:
            raise ValueError("TIFF has more than one strip")
        start, length = int(offsets[0]), int(counts[0])
        # Photometric 1 (min-is-black) stores ink as 0 bits, which the fax coder sees as white.
        black_is_1 = tags.get(_PHOTOMETRIC, 0) == 1
        image = G4Image(im.width, im.height, data[start : start + length], black_is_1)
        return image, str(tags.get(_DESCRIPTION, ""))


def make_thumb(img: Image.Image, width: int = THUMB_WIDTH) -> Image.Image:
    """A grey thumbnail `width` wide: box-reduced first (fast), then Lanczos."""
    grey = img.convert("L")
    factor = max(1, grey.width // (2 * width))
    small = grey.reduce(factor) if factor > 1 else grey
    height = max(1, round(small.height * width / small.width))
    return small.resize((width, height), Image.Resampling.LANCZOS)


def encode_thumb(thumb: Image.Image, png_digest: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(PAGE_CHUNK, png_digest)
    buf = io.BytesIO()
    thumb.save(buf, "PNG", compress_level=6, pnginfo=info)
    return buf.getvalue()


def save_page(
    pages_dir: Path,
    index: int,
    img: Image.Image,
    input_key: str = "",
    before_png: Callable[[str], None] | None = None,
) -> str:
    """Write the page's PNG, G4 TIFF and thumbnail atomically; returns the PNG's SHA-256.

    The PNG carries the ledger input key it was made for, so a page on disk (say, checked
    out from the book's branch on a fresh runner) is recognised without making it again.
    The TIFF and the thumbnail record the PNG's hash: replaced by hand, the PNG wins.
    `before_png(digest)` runs just before the PNG appears (its provenance record goes
    first, so no stop leaves a page without one)."""
    png = encode_png(img, input_key)
    digest = hashlib.sha256(png).hexdigest()
    # not fsynced: a page that a crash left torn fails its hash check and is made again
    tif = encode_g4_tiff(img, f"png-sha256:{digest}")
    atomic_write(tif_path(pages_dir, index), tif, durable=False)
    thumb = encode_thumb(make_thumb(img), digest)
    atomic_write(thumb_path(pages_dir, index), thumb, durable=False)
    if before_png is not None:
        before_png(digest)
    atomic_write(png_path(pages_dir, index), png, durable=False)
    return digest


def png_digest(pages_dir: Path, index: int) -> str:
    return hashlib.sha256(png_path(pages_dir, index).read_bytes()).hexdigest()


def load_g4(pages_dir: Path, index: int, digest: str | None = None) -> G4Image:
    """The page's G4 stream: from its TIFF when that matches the PNG (`digest`, its hash
    when the caller has it), else encoded from the PNG."""
    digest = digest or png_digest(pages_dir, index)
    tif = tif_path(pages_dir, index)
    if tif.exists():
        image, description = read_g4(tif.read_bytes())
        if description == f"png-sha256:{digest}":
            return image
    with Image.open(png_path(pages_dir, index)) as im:
        return read_g4(encode_g4_tiff(im))[0]


def load_thumb(pages_dir: Path, index: int, digest: str | None = None) -> Image.Image:
    """The page's thumbnail: the one made with it when it matches the PNG, else made now."""
    digest = digest or png_digest(pages_dir, index)
    try:
        with Image.open(thumb_path(pages_dir, index)) as im:
            if getattr(im, "text", {}).get(PAGE_CHUNK) == digest:
                im.load()
                return im.convert("L")
    except (OSError, SyntaxError, ValueError):
        pass  # missing or unreadable: make it from the page
    with Image.open(png_path(pages_dir, index)) as page:
        return make_thumb(page)


def load_png(pages_dir: Path, index: int) -> Image.Image:
    """The page's PNG, decoded (for the cover's sample pages)."""
    with Image.open(png_path(pages_dir, index)) as im:
        im.load()
        return im


def encode_rgb_png(img: Image.Image, input_key: str = "") -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(
        buf, "PNG", compress_level=6, pnginfo=_pnginfo(input_key), dpi=PRINT_DPI
    )
    return buf.getvalue()


def page_identity(path: Path) -> tuple[str, str | None] | None:
    """(SHA-256, recorded input key) of a page file, or None when it is missing or not a PNG."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    try:
        with Image.open(io.BytesIO(data)) as im:
            key = getattr(im, "text", {}).get(INPUT_CHUNK)
    except (OSError, SyntaxError, ValueError):
        return None
    return hashlib.sha256(data).hexdigest(), key
