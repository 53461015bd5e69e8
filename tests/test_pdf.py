"""The built PDFs, read back with pypdf: geometry, images, fonts, text, determinism."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.book.kdp import POINTS, spine_width
from bot.book.pdf.cover import cover_layout, write_cover
from bot.book.preflight import check_pdf, image_resolutions
from bot.book.spec import Paper, parse_spec
from bot.cli import main
from tests.conftest import EXAMPLES, minimal_spec, write_spec


def inches(value: float) -> float:
    return float(value) / POINTS


def test_interior_page_count_even_and_padded(built_book: Path) -> None:
    reader = PdfReader(built_book / "interior.pdf")
    assert len(reader.pages) == 24  # 4 front-matter pages + 6 pictures with backs, padded


def test_interior_boxes_match_trim_without_bleed(built_book: Path) -> None:
    for page in PdfReader(built_book / "interior.pdf").pages:
        assert (inches(page.mediabox.width), inches(page.mediabox.height)) == (8.5, 11.0)
        assert list(page.trimbox) == list(page.mediabox)


def test_interior_boxes_with_bleed(bleed_book: Path) -> None:
    pages = PdfReader(bleed_book / "interior.pdf").pages
    for number, page in enumerate(pages, start=1):
        assert inches(page.mediabox.width) == pytest.approx(8.625)
        assert inches(page.mediabox.height) == pytest.approx(8.75)
        assert inches(page.trimbox.width) == pytest.approx(8.5)
        assert inches(page.trimbox.height) == pytest.approx(8.5)
        assert list(page.bleedbox) == list(page.mediabox)
        # bleed on the outside edge: right of odd pages, left of even pages
        assert inches(page.trimbox.left) == pytest.approx(0 if number % 2 else 0.125)


def test_art_is_ccitt_g4_at_300_dpi_or_more(built_book: Path) -> None:
    reader = PdfReader(built_book / "interior.pdf")
    art_pages = 0
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            image = ref.get_object()
            assert image["/Filter"] == "/CCITTFaxDecode"
            assert image["/BitsPerComponent"] == 1
            assert image["/DecodeParms"]["/K"] == -1
            art_pages += 1
        for _, dpi in image_resolutions(page):
            assert dpi >= 300
    assert art_pages == 6


def test_embedded_g4_is_the_page_file_byte_for_byte(built_book: Path) -> None:
    from bot.book.pages import read_g4

    g4, _ = read_g4((built_book / "pages" / "001.tif").read_bytes())
    page = PdfReader(built_book / "interior.pdf").pages[4]
    image = next(iter(page["/Resources"]["/XObject"].values())).get_object()
    assert image._data == g4.data  # embedded as encoded, no re-encoding


def test_art_renders_as_the_page_png(built_book: Path) -> None:
    """Decode the embedded G4 through pypdf and compare pixels with pages/001.png."""
    page = PdfReader(built_book / "interior.pdf").pages[4]
    (embedded,) = page.images
    decoded = embedded.image.convert("1")
    with Image.open(built_book / "pages" / "001.png") as png:
        assert decoded.size == png.size
        same = sum(
            a == b for a, b in zip(decoded.tobytes(), png.convert("1").tobytes(), strict=True)
        )
        assert same / len(decoded.tobytes()) > 0.999


def test_title_page_text_and_metadata(built_book: Path) -> None:
    reader = PdfReader(built_book / "interior.pdf")
    title_text = reader.pages[0].extract_text()
    assert "Calm Mandalas" in title_text
    assert "Ada Brightwell" in title_text
    assert "Copyright \u00a9 Ada Brightwell" in reader.pages[1].extract_text()
    assert "This book belongs to" in reader.pages[2].extract_text()
    assert reader.metadata.title == "Calm Mandalas"
    assert reader.metadata.author == "Ada Brightwell"
    assert "/CreationDate" not in reader.metadata


def test_page_numbers_on_art_pages_only(built_book: Path) -> None:
    pages = PdfReader(built_book / "interior.pdf").pages
    assert pages[4].extract_text().strip() == "5"
    assert pages[5].extract_text().strip() == ""  # blank back of a picture


def test_fonts_are_embedded_subsets(built_book: Path) -> None:
    for name in ("interior.pdf", "cover.pdf"):
        reader = PdfReader(built_book / name)
        seen = 0
        for page in reader.pages:
            for ref in page["/Resources"].get("/Font", {}).values():
                font = ref.get_object()
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor
                assert str(font["/BaseFont"])[7] == "+"  # subset tag ABCDEF+
                seen += 1
        assert seen


def test_two_builds_are_byte_identical(built_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    spec = EXAMPLES / "mandalas-adults.yaml"
    assert main(["build", str(spec), "--out", str(out), "--pages", "6"]) == 0
    for name in ("interior.pdf", "cover.pdf", "preview.png", "pages/003.png", "pages/003.tif"):
        first = hashlib.sha256((built_book / name).read_bytes()).hexdigest()
        assert first == hashlib.sha256((out / name).read_bytes()).hexdigest(), name


def test_unicode_title_prints_and_extracts(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(title="Café Ñandú — Über Größe"))
    assert main(["build", str(spec), "--out", str(tmp_path / "o"), "--pages", "1"]) == 0
    text = PdfReader(tmp_path / "o" / "interior.pdf").pages[0].extract_text()
    assert "Café Ñandú — Über Größe" in text


@pytest.mark.parametrize(
    ("pages", "paper"),
    [(24, Paper.WHITE), (100, Paper.WHITE), (300, Paper.CREAM), (828, Paper.WHITE)],
)
def test_cover_width_includes_spine(tmp_path: Path, pages: int, paper: Paper) -> None:
    spec = parse_spec(minimal_spec(paper=paper.value, cover={"back_text": "About this book."}))
    out = tmp_path / "cover.pdf"
    write_cover(spec, pages, Image.new("RGB", (300, 200), "white"), out)
    page = PdfReader(out).pages[0]
    expected = 0.125 + 8.5 + spine_width(pages, paper) + 8.5 + 0.125
    assert inches(page.mediabox.width) == pytest.approx(expected, abs=1e-3)
    assert inches(page.mediabox.height) == pytest.approx(11.25)
    assert inches(page.trimbox.width) == pytest.approx(expected - 0.25, abs=1e-3)
    assert check_pdf(out) == []


def _text_positions(path: Path) -> list[tuple[str, float, float]]:
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append(
                (text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            )

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(("pages", "has_spine_text"), [(78, False), (79, True), (300, True)])
def test_spine_text_only_from_79_pages(tmp_path: Path, pages: int, has_spine_text: bool) -> None:
    spec = parse_spec(minimal_spec())
    out = tmp_path / "cover.pdf"
    layout = write_cover(spec, pages, Image.new("RGB", (300, 200), "white"), out)
    spine = layout.spine
    on_spine = [t for t in _text_positions(out) if spine.x - 1 <= t[1] <= spine.x + spine.w + 1]
    assert bool(on_spine) is has_spine_text
    if has_spine_text:
        content = PdfReader(out).pages[0].get_contents().get_data().decode("latin-1")
        size = float(content.split("/F2 ")[-1].split(" Tf")[0])  # the spine text is set last
        assert size <= (spine.w - 2 * 0.0625 * POINTS)


def test_barcode_area_stays_empty(tmp_path: Path) -> None:
    long_text = ("A very long description of this book. " * 16)[:600]
    spec = parse_spec(minimal_spec(trim="6x9", cover={"back_text": long_text}))
    out = tmp_path / "cover.pdf"
    layout = write_cover(spec, 120, Image.new("RGB", (300, 200), "white"), out)
    assert spec.cover.back_text is not None
    bc = layout.barcode
    assert inches(bc.w) == pytest.approx(2.0) and inches(bc.h) == pytest.approx(1.2)
    assert inches(bc.y - layout.back.y) == pytest.approx(0.25)
    assert inches(layout.back.x + layout.back.w - (bc.x + bc.w)) == pytest.approx(0.25)
    back_lines = [t for t in _text_positions(out) if t[1] < layout.spine.x]
    assert len(back_lines) > 5
    for _, x, y in back_lines:
        assert not (bc.x <= x <= bc.x + bc.w and bc.y <= y <= bc.y + bc.h + 12)


def test_cover_layout_panels_add_up() -> None:
    spec = parse_spec(minimal_spec(trim="6x9"))
    layout = cover_layout(spec, 200)
    assert layout.front.x + layout.front.w + 0.125 * POINTS == pytest.approx(layout.width)
    assert inches(layout.spine.w) == pytest.approx(200 * 0.002252)


def test_preview_is_small_and_shows_every_page(built_book: Path) -> None:
    path = built_book / "preview.png"
    assert path.stat().st_size <= 1_000_000
    with Image.open(path) as im:
        assert im.width >= 800 and im.height >= 200
