"""Build tests/realart/: real human-drawn line art rendered from its SVG, with SOURCES.md.

The sources are Debian's `openclipart-svg` (Open Clip Art Library, public domain) and npm's
`openmoji` (CC BY-SA 4.0). Unpack them first, then run this script:

    apt-get download openclipart-svg && dpkg -x openclipart-svg_*.deb /tmp/oc
    npm pack openmoji && tar xzf openmoji-*.tgz -C /tmp/om
    python tools/realart_corpus.py --openclipart /tmp/oc/usr/share/openclipart/svg \
        --openmoji /tmp/om/package

Each drawing is rendered by `rsvg-convert` (librsvg2-bin) on white, as greyscale with its
anti-aliasing; a coloring page gets a white margin (PAD) so its art does not touch the
picture's edge, as a drawn page would not. The pages are chosen by eye from the drawings
whose colours are only black and white (see MANIFEST); none is edited.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "realart"
WIDTH = 1024
PAD = 48  # white margin around a coloring page, pixels

# (name, path under openclipart-svg's svg/, what it is): coloring pages
PAGES: list[tuple[str, str, str]] = [
    ("dove", "animals/birds/dove_symbol.svg", "bird, open strokes"),
    ("flamingo", "animals/birds/flamand_bw_jean-victor_b_01.svg", "bird, thin lines"),
    ("crawfish", "animals/crawfish1_bw_ganson.svg", "animal, fine detail, feelers"),
    ("dinosaur", "animals/dinosaurs/dino_architetto_francesc_07.svg", "animal"),
    ("dragon_head", "animals/dragon_head_nicu_buculei_01.svg", "fantasy animal, eye solid"),
    ("ram", "animals/mammals/dall_sheep_ram_ganson.svg", "animal, fur strokes, solids"),
    ("dog_head", "animals/mammals/dogs/dog_head_nicu_buculei_02.svg", "animal, pupils and nose"),
    ("sleeping_cat", "animals/mammals/housecats/sleeping_cat_ron_golan_01.svg", "animal, whiskers"),
    ("coffee_mug", "food/beverages/coffee_bw_ganson.svg", "object, zigzag band"),
    ("muffin", "food/breads_and_carbs/muffin2_bw.svg", "food, small solids"),
    ("pancakes", "food/breads_and_carbs/pancakes_berries_bw.svg", "food, open syrup strokes"),
    ("flat_cake", "food/desserts/flat_cake_bw_jean-victor_01.svg", "food, candles and sparks"),
    ("apple_pie", "food/desserts/pie_apple_bw.svg", "food, many small areas"),
    ("strawberry", "food/fruit/strawberry_simple_bw.svg", "fruit, seeds as small solids"),
    ("hamburger", "food/meats_and_eggs/hamburger_bw.svg", "food, detailed"),
    ("spaghetti", "food/spaghetti_bw.svg", "food, dense open strokes"),
    ("brain", "people/bodypart/brain_jon_phillips_01.svg", "anatomy, dense detail"),
    ("eye", "people/bodypart/eye_nicu_buculei_.svg", "portrait detail, lashes, pupil"),
    ("daedalus", "recreation/religion/daedalus_and_ikarus_pete_01.svg", "scene in a frame"),
    ("daisy", "plants/flowers/flower2_juliane_krug_01.svg", "flower, solid centre, mandala-like"),
    ("trumpet", "recreation/music/trumpet_pocket__ganson.svg", "object, fine detail"),
    ("baseball_glove", "recreation/sports/baseball_glove_bw_ganson.svg", "object, stitches"),
    ("keyring", "tools/keyring_as_.svg", "objects, overlapping"),
    ("principessa", "unsorted/principessa_bn.svg", "portrait, sketchy strokes"),
]

# (name, openmoji hexcode): bold emoji-style drawings, a book for ages 3-5
BOLD: list[tuple[str, str]] = [
    ("dog", "1F436"),
    ("cat", "1F431"),
    ("rabbit", "1F430"),
    ("bear", "1F43B"),
    ("lion", "1F981"),
    ("frog", "1F438"),
    ("turtle", "1F422"),
    ("butterfly", "1F98B"),
    ("fish", "1F41F"),
    ("house", "1F3E0"),
]


def _glob_one(base: Path, spec: str) -> Path:
    """The one file a manifest path names (a path, or a pattern with * for long names)."""
    hits = sorted(base.glob(spec))
    if len(hits) != 1:
        raise SystemExit(f"{spec}: {len(hits)} files match under {base}")
    return hits[0]


def _render(svg: Path, width: int) -> Image.Image:
    png = subprocess.run(
        ["rsvg-convert", "-w", str(width), "-b", "white", str(svg)],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def _padded(image: Image.Image, pad: int) -> Image.Image:
    page = Image.new("L", (image.width + 2 * pad, image.height + 2 * pad), 255)
    page.paste(image, (pad, pad))
    return page


def _save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)


DC = "{http://purl.org/dc/elements/1.1/}"


def _meta(svg: Path) -> tuple[str, str]:
    """The drawing's title and author from its RDF metadata, where it has them."""
    try:
        root = ET.parse(svg).getroot()  # noqa: S314 (a Debian package's files, not user input)
    except ET.ParseError:
        return "", ""
    title = author = ""
    for work in root.iter("{http://web.resource.org/cc/}Work"):
        t = work.find(f"{DC}title")
        title = (t.text or "").strip() if t is not None else ""
        c = work.find(f"{DC}creator")
        if c is not None:
            a = c.find(f".//{DC}title")
            author = (a.text or "").strip() if a is not None else ""
        break
    return title, re.sub(r"\s+", " ", author)


def build(openclipart: Path, openmoji: Path) -> None:
    rows = []
    for name, spec, what in PAGES:
        svg = _glob_one(openclipart, spec)
        _save(_padded(_render(svg, WIDTH - 2 * PAD), PAD), OUT / "pages" / f"{name}.png")
        title, author = _meta(svg)
        rel = svg.relative_to(openclipart)
        rows.append(
            f"| pages/{name}.png | {what} | openclipart-svg 1:0.18+dfsg-19 | "
            f"`/usr/share/openclipart/svg/{rel}` | {title or '-'} | {author or 'unknown'} | "
            "public domain (LICENSE-openclipart.txt) |"
        )
    names = {
        e["hexcode"]: e["annotation"]
        for e in json.loads((openmoji / "data" / "openmoji.json").read_text("utf-8"))
    }
    version = json.loads((openmoji / "package.json").read_text("utf-8"))["version"]
    for name, code in BOLD:
        svg = openmoji / "black" / "svg" / f"{code}.svg"
        _save(_render(svg, WIDTH), OUT / "bold" / f"{name}.png")
        rows.append(
            f"| bold/{name}.png | emoji-style bold drawing | npm openmoji {version} | "
            f"`black/svg/{code}.svg` | {names.get(code, '-')} | OpenMoji (HfG Schwäbisch Gmünd) "
            "| CC BY-SA 4.0 (LICENSE-openmoji.txt) |"
        )
    head = (OUT / "SOURCES.head.md").read_text("utf-8")
    table = "| file | what | package | original | title | author | licence |\n"
    table += "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    (OUT / "SOURCES.md").write_text(head + "\n" + table, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openclipart", type=Path, required=True)
    parser.add_argument("--openmoji", type=Path, required=True)
    args = parser.parse_args()
    build(args.openclipart, args.openmoji)


if __name__ == "__main__":
    main()
