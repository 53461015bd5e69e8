"""Render the README's before/after picture of real pages: docs/images/lineart-real.png.

Each row is a crop of one real drawing from tests/realart/ (clean, or made model-like
dirty by tests/realart.py): the source as given to `ebook-bot lineart`, the page an older
checkout made of it (before) and the page this checkout makes (after).

    git worktree add /tmp/old <older commit>   # the stage before
    (cd /tmp/old && python tools/readme_lineart_real.py make /tmp/before)  # or this file's copy
    python tools/readme_lineart_real.py make /tmp/after
    python tools/readme_lineart_real.py picture /tmp/before /tmp/after
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.realart, the corpus

OUT = ROOT / "docs" / "images" / "lineart-real.png"
CELL = 300  # pixels of each crop in the picture
LABEL = 18
# (kind, name, dirty, audience, crop of the page as fractions: left, top, right, bottom)
EXAMPLES = [
    ("pages", "daisy", False, "adults", (0.25, 0.30, 0.75, 0.62)),
    ("pages", "tiger_face", True, "adults", (0.30, 0.30, 0.70, 0.56)),
    ("bold", "bear", True, "3-5", (0.15, 0.25, 0.85, 0.70)),
]


def _name(kind: str, name: str, dirty: bool) -> str:
    return f"{kind}-{name}-{'dirty' if dirty else 'clean'}"


def make(folder: Path) -> None:
    """The pages this checkout's `ebook-bot lineart` makes of the examples, in `folder`."""
    from bot.cli import main
    from tests.realart import REALART, bold_dirty, model_dirty

    sources = folder / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    for kind, name, dirty, audience, _ in EXAMPLES:
        with Image.open(REALART / kind / f"{name}.png") as im:
            image = im.convert("L")
        if dirty:
            image = (bold_dirty if kind == "bold" else model_dirty)(image, 0)
        path = sources / f"{_name(kind, name, dirty)}.png"
        image.save(path)
        if main(["lineart", str(path), "--out", str(folder), "--audience", audience]) not in (0, 1):
            sys.exit(f"lineart failed on {path}")


def _crop(image: Image.Image, box: tuple[float, ...], page: tuple[int, int]) -> Image.Image:
    """The same part of the drawing in a source (placed as the stage places it) or a page."""
    from bot.book.lineart.stage import fit_box

    if image.size != page:  # a source: put it on the page as the stage does
        x, y, w, h = fit_box(image.size, page)
        placed = Image.new("RGB", page, "white")
        placed.paste(image.convert("RGB").resize((w, h), Image.Resampling.LANCZOS), (x, y))
        image = placed
    left, top, right, bottom = (round(v * page[i % 2]) for i, v in enumerate(box))
    part = image.convert("RGB").crop((left, top, right, bottom))
    scale = CELL / max(part.size)
    return part.resize((round(part.width * scale), round(part.height * scale)), Image.LANCZOS)


def picture(before: Path, after: Path) -> None:
    rows = []
    for kind, name, dirty, audience, box in EXAMPLES:
        stem = _name(kind, name, dirty)
        with Image.open(after / f"{stem}.png") as page:
            size = page.size
            cells = [_crop(Image.open(after / "sources" / f"{stem}.png"), box, size)]
            cells.append(_crop(Image.open(before / f"{stem}.png"), box, size))
            cells.append(_crop(page, box, size))
        label = f"{name} ({'model-like dirty' if dirty else 'clean'}, {audience})"
        rows.append((label, cells))
    width = 3 * CELL + 4 * 6
    height = sum(LABEL + max(c.height for c in cells) + 6 for _, cells in rows) + LABEL
    sheet = Image.new("RGB", (width, height), (200, 200, 200))
    draw = ImageDraw.Draw(sheet)
    for i, head in enumerate(("source", "before", "after")):
        draw.text((6 + i * (CELL + 6), 3), head, fill=(0, 0, 0))
    y = LABEL
    for label, cells in rows:
        draw.text((6, y + 3), label, fill=(0, 0, 0))
        y += LABEL
        for i, cell in enumerate(cells):
            sheet.paste(cell, (6 + i * (CELL + 6), y))
        y += max(c.height for c in cells) + 6
    OUT.parent.mkdir(parents=True, exist_ok=True)
    sheet.quantize(24).save(OUT, optimize=True)  # a small file: few tones are drawn
    print(f"{OUT} ({OUT.stat().st_size // 1000} KB)")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "picture":
        picture(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
