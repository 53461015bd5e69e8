"""Render the line-art picture for the README: docs/images/lineart-dark.png, a dirty
model-like source (dark shading, broken outlines, noise, tinted JPEG paper) beside the page
`ebook-bot lineart` makes of it for ages 3-5, through the command itself.

python tools/readme_lineart.py
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.dirty, the synthetic corpus

HEIGHT = 520  # pixels of each half
GAP = 12
MAX_BYTES = 150_000


def picture(work: Path, seed: int = 5) -> Image.Image:
    from tests import dirty

    source = work / "source.jpg"
    dirty.make(seed, dark=True).image.save(source, quality=70)
    if main(["lineart", str(source), "--out", str(work), "--audience", "3-5"]) not in (0, 1):
        sys.exit("lineart failed")
    halves = []
    for path in (source, work / "source.png"):
        with Image.open(path) as im:
            im = im.convert("RGB")
            halves.append(im.resize((round(im.width * HEIGHT / im.height), HEIGHT), Image.LANCZOS))
    sheet = Image.new("RGB", (halves[0].width + halves[1].width + GAP, HEIGHT), (200, 200, 200))
    sheet.paste(halves[0], (0, 0))
    sheet.paste(halves[1], (halves[0].width + GAP, 0))
    ImageDraw.Draw(sheet).rectangle((0, 0, sheet.width - 1, HEIGHT - 1), outline=(120, 120, 120))
    return sheet


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        sheet = picture(Path(tmp))
    for colours in (64, 32, 16):
        buf = io.BytesIO()
        sheet.quantize(colours, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
        if buf.tell() <= MAX_BYTES:
            break
    target = ROOT / "docs" / "images" / "lineart-dark.png"
    target.write_bytes(buf.getvalue())
    print(f"{target.relative_to(ROOT)}: {buf.tell() / 1000:.0f} KB")
