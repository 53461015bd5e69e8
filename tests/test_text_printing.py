"""Every text prints with real glyphs, shaped and in order, or is refused up front; preflight
reads the text back (glyphs, panels); the cover is checked against its real interior."""

from __future__ import annotations

from pathlib import Path

import pytest
import uharfbuzz as hb
from PIL import Image
from pypdf import PdfReader

from bot.book.kdp import COVER_MAT, POINTS, cover_art_frame, plan_interior, spine_width
from bot.book.pdf.content import Content
from bot.book.pdf.cover import cover_layout, write_cover
from bot.book.pdf.cover_back import features
from bot.book.pdf.document import BookDocument, BookFonts
from bot.book.pdf.faces import font_path
from bot.book.pdf.interior import copyright_lines
from bot.book.pdf.shaping import bidi_runs
from bot.book.pdf.writer import Name, PdfStreamWriter
from bot.book.preflight import check_pdf, cover_panels
from bot.book.preflight_text import shown_texts
from bot.book.spec import Trim, parse_spec
from bot.cli import main
from bot.errors import SpecError
from tests.conftest import minimal_spec, write_spec

ARABIC = "مؤلف"  # "author": four letters that join
CJK_TITLE = "我的动物涂色书"
JAPANESE = "かわいい動物"


def _cover(tmp_path: Path, **spec: object) -> tuple[Path, object]:
    s = parse_spec(minimal_spec(**spec))
    plan = plan_interior(s)
    out = tmp_path / "cover.pdf"
    art = Image.new("RGB", (600, 400), "#9fc5e8")
    layout = write_cover(s, plan.page_count, art, out)
    return out, layout


def _texts(pdf: Path) -> list:
    return shown_texts(PdfReader(pdf).pages[0])


# --- shaping and order -------------------------------------------------------------------


def test_arabic_is_joined_and_right_to_left(tmp_path: Path) -> None:
    """مؤلف prints as its joined forms, drawn right to left: the leftmost glyph is the
    final form of ف, not the isolated glyphs of the character map in stored order."""
    pdf, _ = _cover(tmp_path, title=ARABIC, author="Ada")
    arabic = [t for t in _texts(pdf) if "Arabic" in t.font]
    assert len(arabic) == 2  # the front's title and the back's heading
    # the PDF shows the glyphs in visual order: the last letter first
    assert all(t.text == "فلؤم" for t in arabic)
    face = hb.Face(hb.Blob.from_file_path(str(font_path("NotoSansArabic-Bold.ttf"))))
    font = hb.Font(face)
    isolated = {font.get_nominal_glyph(ord(c)) for c in ARABIC}
    reader = PdfReader(pdf)
    shown = _shown_gids(reader, "NotoSansArabic")
    assert len(shown) == 8  # the front title and the back heading, four glyphs each
    assert not set(shown) & (isolated - {font.get_nominal_glyph(ord("ؤ"))})  # joined forms
    assert not check_pdf(pdf)


def _shown_gids(reader: PdfReader, font_name: str) -> list[int]:
    """Glyph ids the cover shows in the font whose name contains `font_name`."""
    page = reader.pages[0]
    fonts = {
        str(k): str(v.get_object()["/BaseFont"]) for k, v in page["/Resources"]["/Font"].items()
    }
    from pypdf.generic import ContentStream

    gids: list[int] = []
    current = ""
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"Tf":
            current = fonts.get(str(operands[0]), "")
        elif op == b"TJ" and font_name in current:
            for item in operands[0]:
                raw = getattr(item, "original_bytes", None)
                if raw is not None or isinstance(item, bytes):
                    data = bytes(raw if raw is not None else item)
                    gids += [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    return gids


def test_mixed_direction_runs_in_visual_order() -> None:
    assert bidi_runs(f"Book {ARABIC} end") == [("Book ", False), (ARABIC, True), (" end", False)]
    # a number after Arabic letters is an Arabic number: it stays left of them (rule W2)
    assert bidi_runs(f"Book {ARABIC} 2") == [("Book ", False), ("2", False), (f"{ARABIC} ", True)]
    assert bidi_runs(f"{ARABIC} ABC") == [("ABC", False), (f"{ARABIC} ", True)]


@pytest.mark.parametrize(
    ("title", "font"),
    [
        (CJK_TITLE, "NotoSansCJKsc"),
        (JAPANESE, "NotoSansCJKsc"),
        ("שרה כהן", "NotoSansHebrew"),
        ("रंग भरो", "NotoSansDevanagari"),
        ("สมุดระบายสี", "NotoSansThai"),
        ("Ελληνικά Кириллица", "DejaVuSans"),
    ],
)
def test_scripts_print_with_real_glyphs(tmp_path: Path, title: str, font: str) -> None:
    """Every script ebook-bot supports prints in its face: no '?' and no .notdef, on the
    cover and the title page, and the text extracts as written."""
    pdf, _ = _cover(tmp_path, title=title)
    assert not check_pdf(pdf)
    texts = [t for t in _texts(pdf) if t.text.strip()]
    assert any(font in t.font for t in texts)
    assert all("?" not in t.text for t in texts)
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(title=title))
    assert main(["build", str(spec), "--out", str(tmp_path / "o"), "--pages", "1"]) == 0
    interior = tmp_path / "o" / "interior.pdf"
    assert not check_pdf(interior)
    shown = "".join(t.text for t in shown_texts(PdfReader(interior).pages[0]))
    if font != "NotoSansHebrew":  # right-to-left text is stored in visual order
        assert title.split()[0] in shown


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("title", "தமிழ் வண்ணம்", "title: cannot be printed: the Tamil script"),
        ("author", "Ada 🦄", "author: cannot be printed: 🦄 (U+1F984 UNICORN FACE) is an emoji"),
        ("subtitle", "鬱𠀋", "subtitle: cannot be printed: the Han character 𠀋"),
    ],
)
def test_unprintable_text_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: str, says: str
) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(**{field: value}))
    out = tmp_path / "o"
    assert main(["build", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not out.exists()


def test_back_text_and_badge_are_checked_too() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(minimal_spec(cover={"back_text": "Hello தமிழ்", "badge": "ages ⟁"}))
    text = "\n".join(caught.value.problems)
    assert "cover.back_text: cannot be printed: the Tamil script" in text
    assert "cover.badge: cannot be printed" in text


# --- preflight reads the text back --------------------------------------------------------


def _one_text_pdf(path: Path, page_w: float, page_h: float, x: float, text: str) -> Path:
    """A one-page PDF showing `text` at `x` (with the book's fonts and writer)."""
    fonts = BookFonts()
    with path.open("wb") as fp:
        doc = BookDocument(PdfStreamWriter(fp), fonts)
        c = Content()
        c.text(fonts.regular, 12, x, page_h / 2, text)
        contents = doc.writer.add_stream({}, c.data())
        page = doc.writer.add(
            {
                "Type": Name("Page"),
                "Parent": doc.tree,
                "MediaBox": [0, 0, page_w, page_h],
                "Resources": {"Font": doc.used_fonts()},
                "Contents": contents,
            }
        )
        doc.finish([page], {"Title": "t"})
    return path


def test_preflight_reports_a_glyph_the_font_lacks(tmp_path: Path) -> None:
    """Text the main face lacks with no script face behind it (Tamil) shows .notdef:
    preflight names the character and the font."""
    w, h = (2 * 8.5 + 0.25 + 0.0541) * POINTS, 11.25 * POINTS
    pdf = _one_text_pdf(tmp_path / "c.pdf", w, h, 100, "Hello த")
    problems = check_pdf(pdf)
    assert any("shows U+0BA4 without a glyph in font" in p and "DejaVuSans" in p for p in problems)
    fine = _one_text_pdf(tmp_path / "ok.pdf", w, h, 100, "Hello")
    assert not check_pdf(fine)


def test_preflight_reports_text_across_the_spine(tmp_path: Path) -> None:
    w, h = (2 * 8.5 + 0.25 + 0.0541) * POINTS, 11.25 * POINTS
    panels = cover_panels(w, h)
    assert panels is not None
    fold = panels["spine"].x
    pdf = _one_text_pdf(tmp_path / "c.pdf", w, h, fold - 40, "runs over the fold")
    assert any("runs outside the back panel or spine or front panel" in p for p in check_pdf(pdf))


def test_long_back_text_without_spaces_stays_on_the_back(tmp_path: Path) -> None:
    """600 characters without a space used to run across the spine and the front."""
    for trim in ("6x9", "8.5x8.5"):
        pdf, layout = _cover(tmp_path, trim=trim, cover={"back_text": "x" * 600})
        assert not check_pdf(pdf)
        back = layout.safe(layout.back)
        blurb = layout.runs("blurb")
        assert len(blurb) > 5 and "".join(r.text for r in blurb) == "x" * 600
        for run in blurb:
            box = run.box
            assert back.x <= box.x and box.x + box.w <= back.x + back.w


# --- what the back and the copyright page say -------------------------------------------


@pytest.mark.parametrize(
    ("trim", "line"),
    [
        ("6x9", "6 \u00d7 9 in pages"),
        ("8.5x11", "Large 8.5 \u00d7 11 in pages"),
        ("8.27x11.69", "Large A4 (8.27 \u00d7 11.69 in) pages"),
    ],
)
def test_back_cover_names_the_real_trim(trim: str, line: str) -> None:
    assert features(parse_spec(minimal_spec(trim=trim)))[-1] == line


def test_copyright_line_never_doubles_a_colon() -> None:
    spec = parse_spec(minimal_spec(title="Dinosaurs: A Coloring Book", subtitle="For kids"))
    assert copyright_lines(spec, None)[0] == "Dinosaurs: A Coloring Book \u2014 For kids"
    plain = parse_spec(minimal_spec(title="Dinosaurs", subtitle="For kids"))
    assert copyright_lines(plain, None)[0] == "Dinosaurs: For kids"


def test_copyright_page_is_a_centred_block_low_on_the_page(built_book: Path) -> None:
    """Readable (10 pt), every line centred on the live area, the block in the lower half
    of the page: not 9 pt lines stuck to the bottom left."""
    from pypdf.generic import ContentStream

    from bot.book.kdp import OUTSIDE_MARGIN, inside_margin

    reader = PdfReader(built_book / "interior.pdf")
    page = reader.pages[1]  # a left-hand page: outside margin left, gutter right
    texts = [t for t in shown_texts(page) if t.text.strip()]
    assert len(texts) >= 5
    trim = page.trimbox
    left = float(trim.left) + OUTSIDE_MARGIN * POINTS
    right = float(trim.right) - inside_margin(len(reader.pages)) * POINTS
    for t in texts:
        assert (t.start[0] + t.end[0]) / 2 == pytest.approx((left + right) / 2, abs=0.5)
        assert t.start[1] < float(trim.top) / 2
    assert len({round(t.end[0] - t.start[0]) for t in texts}) > 1  # lines of their own length
    sizes = {
        float(operands[1])
        for operands, op in ContentStream(page.get_contents(), reader).operations
        if op == b"Tf"
    }
    assert sizes == {10.0}


# --- the front art and the spine ---------------------------------------------------------


@pytest.mark.parametrize("trim", list(Trim))
def test_front_art_fills_sixty_percent_of_the_front(trim: Trim) -> None:
    _, _, w, h = cover_art_frame(trim)
    tw, th = trim.inches
    share = (w - 2 * COVER_MAT) * (h - 2 * COVER_MAT) / (tw * th)
    assert share >= 0.6, f"{trim.value}: the art fills {share:.0%} of the front"
    layout = cover_layout(parse_spec(minimal_spec(trim=trim.value)), 24)
    assert layout.art.w * layout.art.h >= 0.6 * layout.front.w * layout.front.h


def test_cover_spine_is_the_interior_real_page_count(built_book: Path) -> None:
    """6 pictures make a 24-page interior: the spine is 24 pages wide, read back from both
    PDFs (a spine from the 6 pictures would be 0.0135 in, not 0.054 in)."""
    interior = PdfReader(built_book / "interior.pdf")
    cover = PdfReader(built_book / "cover.pdf")
    pages = len(interior.pages)
    assert pages == 24
    spine = float(cover.pages[0].mediabox.width) / POINTS - 2 * 8.5 - 0.25
    assert spine == pytest.approx(spine_width(pages, parse_spec(minimal_spec()).paper), abs=1e-4)


def test_check_pairs_an_interior_with_its_cover(
    built_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check interior.pdf cover.pdf` fails a cover whose spine was made for another page
    count (here: for the 6 pictures instead of the 24 pages)."""
    interior = built_book / "interior.pdf"
    assert main(["check", str(interior), str(built_book / "cover.pdf")]) == 0
    capsys.readouterr()
    spec = parse_spec(minimal_spec(pages={"subjects": ["a"], "count": 6}))
    wrong = tmp_path / "cover.pdf"
    write_cover(spec, spec.pages.total, Image.new("RGB", (300, 200), "#abcdef"), wrong)
    assert not check_pdf(wrong)  # on its own, a valid wrap
    assert main(["check", str(interior), str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "spine is 0.0135 in, but" in out and "has 24 pages, which need 0.0540 in" in out


# --- cover texts fit the trim, or the build is refused ------------------------------------

WIDE = {
    "title": "Wonderful " * 7 + "Worlds",
    "subtitle": "Marvellous Mandalas and Magnificent Meadows",
    "author": "Maximiliana Konstantinopoulou-Featherstonehaugh",
    "cover": {"badge": "W" * 40, "back_text": "W" * 600, "isbn": "978-0-306-40615-7"},
}


@pytest.mark.parametrize("trim", list(Trim))
def test_long_cover_texts_fit_every_trim(trim: Trim) -> None:
    """Long texts (a 600-letter word on the back, a 40-letter badge) stay inside their
    panel's safe area, clear of the art and the barcode area, on every trim."""
    from bot.book.pdf.cover_fit import cover_text_problems, misplaced

    spec = parse_spec(minimal_spec(trim=trim.value, **WIDE))
    for pages in (24, 400):
        assert misplaced(cover_layout(spec, pages)) == []
    assert cover_text_problems(spec) == []


def test_cover_texts_that_cannot_fit_are_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = minimal_spec(trim="6x9", title="W" * 200, subtitle="M" * 200)
    spec = write_spec(tmp_path / "s.yaml", data)
    out = tmp_path / "o"
    assert main(["build", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "title and subtitle: too long for the front cover (6x9 in trim)" in err
    assert "Traceback" not in err
    assert not (out / "pages").exists() or not any((out / "pages").iterdir())


def test_an_author_that_runs_off_the_foot_is_named() -> None:
    from bot.book.pdf.cover_fit import cover_text_problems

    spec = parse_spec(minimal_spec(trim="8x10", author="张伟" * 100))
    (line,) = cover_text_problems(spec)
    assert line.startswith("author: too long for the front cover (8x10 in trim)")
