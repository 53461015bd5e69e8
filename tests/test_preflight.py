"""`ebook-bot check` finds what KDP would reject, in PDFs made by other tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from bot.book.preflight import UnreadablePdf, check_pdf
from bot.cli import main


def pillow_pdf(path: Path, pages: int, size_px: tuple[int, int], dpi: float) -> Path:
    images = [Image.new("1", size_px, 1) for _ in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def test_low_resolution_images_are_reported(tmp_path: Path) -> None:
    # 8.5x11 in at 150 DPI: right size, too few pixels
    pdf = pillow_pdf(tmp_path / "low.pdf", 24, (1275, 1650), 150)
    problems = check_pdf(pdf)
    assert len([p for p in problems if "prints at 150 DPI" in p]) == 24
    assert not any("page size" in p for p in problems)


def test_too_few_and_odd_pages(tmp_path: Path) -> None:
    pdf = pillow_pdf(tmp_path / "short.pdf", 3, (2550, 3300), 300)
    problems = check_pdf(pdf)
    assert any("3 pages; KDP needs at least 24" in p for p in problems)
    assert any("even page count" in p for p in problems)


def test_not_a_kdp_size(tmp_path: Path) -> None:
    pdf = pillow_pdf(tmp_path / "a5.pdf", 24, (1748, 2480), 300)  # A5
    assert any("is not a KDP trim" in p for p in check_pdf(pdf))


def test_unembedded_font_is_reported(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(24):
        page = writer.add_blank_page(612, 792)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
    path = tmp_path / "fonts.pdf"
    with path.open("wb") as fp:
        writer.write(fp)
    problems = check_pdf(path)
    assert len(problems) == 24 and "font /F1 (/Helvetica) is not embedded" in problems[0]


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_text("hello")
    with pytest.raises(UnreadablePdf, match="not a PDF"):
        check_pdf(path)
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")  # a header, then nothing
    with pytest.raises(UnreadablePdf, match="not a readable PDF"):
        check_pdf(path)


def test_wrong_cover_size(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(20 * 72, 11 * 72)  # no bleed height, no known wrap
    path = tmp_path / "cover.pdf"
    with path.open("wb") as fp:
        writer.write(fp)
    assert "does not match any trim" in check_pdf(path)[0]


def test_check_command_exits_1_with_one_line_per_failure(tmp_path: Path, capsys) -> None:
    pdf = pillow_pdf(tmp_path / "short.pdf", 3, (2550, 3300), 300)
    assert main(["check", str(pdf)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(str(pdf)) for line in lines)


def test_mixed_page_sizes(tmp_path: Path, built_book: Path) -> None:
    reader = PdfReader(built_book / "interior.pdf")
    writer = PdfWriter(clone_from=reader)
    writer.pages[3].mediabox.upper_right = (600, 780)
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as fp:
        writer.write(fp)
    assert any("page 4: size differs from page 1" in p for p in check_pdf(path))
