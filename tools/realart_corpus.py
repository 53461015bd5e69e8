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
whose colours are only black and white (PAGES), and from coloured drawings with black
outlines whose fills are made white (WHITENED: the coloring page of a coloured drawing);
nothing else is edited.
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
    ("dragon_head", "animals/dragon_head_nicu_buculei_01.svg", "fantasy animal, eye solid"),
    ("ram", "animals/mammals/dall_sheep_ram_ganson.svg", "animal, fur strokes, solids"),
    ("dog_head", "animals/mammals/dogs/dog_head_nicu_buculei_02.svg", "animal, pupils and nose"),
    ("sleeping_cat", "animals/mammals/housecats/sleeping_cat_ron_golan_01.svg", "animal, whiskers"),
    ("muffin", "food/breads_and_carbs/muffin2_bw.svg", "food, small solids"),
    ("pancakes", "food/breads_and_carbs/pancakes_berries_bw.svg", "food, open syrup strokes"),
    ("flat_cake", "food/desserts/flat_cake_bw_jean-victor_01.svg", "food, candles and sparks"),
    ("apple_pie", "food/desserts/pie_apple_bw.svg", "food, many small areas"),
    ("strawberry", "food/fruit/strawberry_simple_bw.svg", "fruit, seeds as small solids"),
    ("spaghetti", "food/spaghetti_bw.svg", "food, dense open strokes"),
    ("brain", "people/bodypart/brain_jon_phillips_01.svg", "anatomy, dense detail"),
    ("eye", "people/bodypart/eye_nicu_buculei_.svg", "portrait detail, lashes, pupil"),
    ("daedalus", "recreation/religion/daedalus_and_ikarus_pete_01.svg", "scene in a frame"),
    ("daisy", "plants/flowers/flower2_juliane_krug_01.svg", "flower, solid centre, mandala-like"),
    ("baseball_glove", "recreation/sports/baseball_glove_bw_ganson.svg", "object, stitches"),
    ("principessa", "unsorted/principessa_bn.svg", "portrait, sketchy strokes"),
    ("old_sign", "buildings/old_sign_ganson.svg", "object, scrolls, solids"),
    ("capitol", "buildings/us_capitol_building_ink_01.svg", "building, dense ink detail"),
    ("triskell", "decorations/celtic_triskell_01.svg", "ornament, bold spirals"),
    ("tribal_corner", "decorations/left_bottom_corner_trib_.svg", "ornament, tattoo-style"),
    ("milk", "food/beverages/milk_bw.svg", "object, lettering"),
    ("watermelon", "food/fruit/watermelon_simple_bw.svg", "fruit, seeds as small solids"),
    ("certificate", "office/certificate.svg", "lettering, wavy frame"),
    ("praying_hands", "people/bodypart/hands_lorenzo_luengo_01.svg", "hands, solid cuff"),
    ("female_figure", "people/female_rollandin_frances_.svg", "figure, fine open lines"),
    ("hygieia", "people/hygieia_peterm_01.svg", "statue portrait, drapery"),
    ("team_sketch", "people/team_sketch_erich_schube_01.svg", "figures reaching the edge"),
    ("tree", "plants/arbre_modern_bw_jean-vic_01.svg", "plant, open strokes"),
    ("celtic_vine", "recreation/games/cards/celtic-vine-corner_steve_01.svg", "ornament, vine"),
    ("violins", "recreation/music/violin_mo_01.svg", "objects, engraving detail"),
    ("trefoil", "recreation/religion/trefoil_architectural_e_01.svg", "ornament, double line"),
    ("eris", "recreation/religion/eris_nurbldoff_ksc_.svg", "figure, portrait"),
    ("fsm", "recreation/religion/flying_spaghetti_monste_01.svg", "lettering, noodles"),
    ("karate", "recreation/sports/karate_kick_frouke_01.svg", "figure, solid belt"),
    ("domo", "recreation/toys/domo_kun_nicu_buculei_01.svg", "character, teeth"),
    ("caduceus", "unsorted/Simbol_medicina.svg", "emblem, wings"),
    ("sheep", "unsorted/pecorella.svg", "animal, bold outline"),
]

# (name, path, what): coloured drawings with black outlines, made coloring pages by turning
# every fill that is not black white (their strokes are black already; see `whitened`)
WHITENED: list[tuple[str, str, str]] = [
    ("swan", "animals/birds/cigno_di_spalle_architet_01.svg", "bird, feathers"),
    ("rooster", "animals/birds/gallo_di_profilo_archite_01.svg", "bird, tail strokes"),
    ("turkey", "animals/birds/pollo_architetto_frances_01.svg", "bird, fan of feathers"),
    ("bison", "animals/bison_leif_lodahl_01.svg", "animal, fur strokes"),
    ("stegosaurus", "animals/dinosaurs/dinosauro_architetto_fra_01.svg", "animal, plates"),
    ("spiral_lizard", "animals/lucertola_maya_architett_01.svg", "animal, spirals"),
    ("bears", "animals/mammals/bears/orso_architetto_francesc_02.svg", "animals, fur, claws"),
    ("tiger_face", "animals/mammals/big_cats/tiger_graig_ryan_smith_-_01.svg", "animal, stripes"),
    ("tiger", "animals/mammals/big_cats/tigre03_architetto_franc_01.svg", "animal, stripes"),
    ("rabbit", "animals/mammals/coniglio_architetto_fran_01.svg", "animal, fur strokes"),
    ("bulldog", "animals/mammals/dogs/bobi_architetto_francesc_01.svg", "animal, collar"),
    ("horse", "animals/mammals/horses/cavallo_architetto_franc_01.svg", "animal, mane"),
    ("horse_head", "animals/mammals/horses/cavallo_architetto_franc_04.svg", "animal, mane"),
    ("two_cats", "animals/mammals/housecats/le_mie_tigri_preferite_a_01.svg", "animals, stripes"),
    ("raccoon", "animals/mammals/raccoon_ganson.svg", "animal, mask solids"),
    ("seal", "animals/seal_sek_.svg", "animal, whiskers"),
    ("column", "buildings/capitello_modanatura_mo_01.svg", "architecture, volutes"),
    ("bach", "people/bach_ganson.svg", "portrait, curls"),
    ("beethoven", "people/beethoveo_ganson.svg", "portrait, hair"),
    ("beach_trip", "people/beach_trip_ganson.svg", "scene, figures"),
    ("busy_mom", "people/busy_mom_with_child_and_01.svg", "scene, figures"),
    ("camper", "people/camper_sleeping_ganson.svg", "scene, tent, trees"),
    ("hiking", "people/hikinh_ganson.svg", "lettering, figure"),
    ("peace_circle", "people/pace_e_bene__architetto__01.svg", "scene, people around"),
    ("sailing_kids", "people/sailing_kids.svg", "scene, figures, waves"),
    ("woman_reading", "people/woman_reading_gerald_g._01.svg", "portrait, figure"),
    ("bamboo", "plants/bamboo_01.svg", "plant, many leaves"),
    ("fall_scene", "plants/fall_scene_in_a_circle_a_01.svg", "scene in a circle, foliage"),
    ("tulips", "plants/flowers/tulips_ganson.svg", "flowers reaching the edge"),
    ("christmas_tree", "plants/trees/evergreen/christmas_tree_01.svg", "tree, baubles"),
    ("cards", "recreation/games/cards/asso_carte_architetto_fr_01.svg", "ornament, scrolls"),
    ("french_horn", "recreation/music/french_horn_ganson.svg", "object, fine detail"),
    ("harp", "recreation/music/harp2_ganson.svg", "object, strings"),
    ("teddy_bear", "recreation/toys/simple_teddy_bear_gerald_01.svg", "toy, pupils and nose"),
    ("knot_bowline", "transportation/boating/knot_bowline.svg", "rope, many small areas"),
    ("port_starboard", "transportation/boating/boating_rules_.svg", "lettering, circle"),
    ("balloon", "transportation/pallone_aerestatico_arch_01.svg", "object, thin lines"),
]

# (name, openmoji hexcode): bold emoji-style drawings, a book for ages 3-5
BOLD: list[tuple[str, str]] = [
    ("dog", "1F436"),
    ("cat", "1F431"),
    ("mouse", "1F42D"),
    ("rabbit", "1F430"),
    ("bear", "1F43B"),
    ("panda", "1F43C"),
    ("koala", "1F428"),
    ("tiger", "1F42F"),
    ("lion", "1F981"),
    ("cow", "1F42E"),
    ("pig", "1F437"),
    ("frog", "1F438"),
    ("monkey", "1F435"),
    ("chicken", "1F414"),
    ("penguin", "1F427"),
    ("bird", "1F426"),
    ("duck", "1F986"),
    ("owl", "1F989"),
    ("turtle", "1F422"),
    ("snail", "1F40C"),
    ("butterfly", "1F98B"),
    ("bee", "1F41D"),
    ("ladybird", "1F41E"),
    ("fish", "1F41F"),
    ("whale", "1F433"),
    ("octopus", "1F419"),
    ("crab", "1F980"),
    ("elephant", "1F418"),
    ("giraffe", "1F992"),
    ("zebra", "1F993"),
    ("unicorn", "1F984"),
    ("t_rex", "1F996"),
    ("apple", "1F34E"),
    ("strawberry", "1F353"),
    ("sunflower", "1F33B"),
    ("tulip", "1F337"),
    ("tree", "1F333"),
    ("house", "1F3E0"),
    ("car", "1F697"),
    ("rocket", "1F680"),
    ("sun", "2600"),
    ("rainbow", "1F308"),
    ("snowman", "26C4"),
    ("cake", "1F382"),
]


def _glob_one(base: Path, spec: str) -> Path:
    """The one file a manifest path names (a path, or a pattern with * for long names)."""
    hits = sorted(base.glob(spec))
    if len(hits) != 1:
        raise SystemExit(f"{spec}: {len(hits)} files match under {base}")
    return hits[0]


def _render(svg: Path, width: int, whiten: bool = False) -> Image.Image:
    text = svg.read_bytes()
    if whiten:
        text = whitened(text.decode("utf-8")).encode("utf-8")
    png = subprocess.run(
        ["rsvg-convert", "-w", str(width), "-b", "white"],
        input=text,
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def _dark(colour: str) -> bool:
    """Black or nearly (#000 to #303030)."""
    c = colour.strip().lower()
    if c == "black":
        return True
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", c)
    if not m:
        return False
    h = m.group(1) if len(m.group(1)) == 6 else "".join(x * 2 for x in m.group(1))
    return max(int(h[i : i + 2], 16) for i in (0, 2, 4)) <= 0x30


def whitened(svg: str) -> str:
    """The SVG with every fill that is not black (colours, gradients) made white."""

    def fix(m: re.Match[str]) -> str:
        value = m.group(2).strip().lower()
        if value in ("none", "inherit", "currentcolor") or _dark(value):
            return m.group(0)
        return "fill:#ffffff" if ":" in m.group(0) else 'fill="#ffffff"'

    svg = re.sub(r"(fill)\s*:\s*([^;\"']+)", fix, svg)
    return re.sub(r'(fill)="([^"]+)"', fix, svg)


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
    pages = [(*p, False) for p in PAGES] + [(*p, True) for p in WHITENED]
    for name, spec, what, whiten in pages:
        svg = _glob_one(openclipart, spec)
        page = _padded(_render(svg, WIDTH - 2 * PAD, whiten), PAD)
        _save(page, OUT / "pages" / f"{name}.png")
        title, author = _meta(svg)
        rel = svg.relative_to(openclipart)
        what += "; fills made white" if whiten else ""
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
