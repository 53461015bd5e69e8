"""Render the example books' covers for the README: docs/images/cover-*.png.

python tools/readme_covers.py   (builds both examples offline into a temp folder)
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

from bot.book.preview import render_pdf_page
from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 1100  # pixels across the whole wrap
MAX_BYTES = 300_000


def render(spec: Path, name: str, work: Path) -> None:
    out = work / name
    if main(["build", str(spec), "--out", str(out)]) != 0:
        sys.exit(f"{spec}: build failed")
    wrap = render_pdf_page(out / "cover.pdf", WIDTH)
    for colours in (256, 128, 64):
        buf = io.BytesIO()
        wrap.quantize(colours, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
        if buf.tell() <= MAX_BYTES:
            break
    target = ROOT / "docs" / "images" / f"cover-{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buf.getvalue())
    print(f"{target.relative_to(ROOT)}: {buf.tell() / 1000:.0f} KB")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for example in ("mandalas-adults", "shapes-toddlers"):
            render(ROOT / "specs" / "examples" / f"{example}.yaml", example, Path(tmp))
