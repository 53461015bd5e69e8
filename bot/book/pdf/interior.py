"""The interior PDF: front matter, coloring pages, blanks and page numbers, KDP geometry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.book.kdp import DPI, NUMBER_BAND, POINTS, Box, InteriorPlan, PageKind, PlannedPage
from bot.book.pages import G4Image
from bot.book.pdf.content import Content
from bot.book.pdf.document import BookDocument, BookFonts, book_info
from bot.book.pdf.textface import TextFace, wrap
from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue, Ref
from bot.book.spec import BookSpec
from bot.fsutil import atomic_open


def image_xobject(image: G4Image) -> dict[str, PdfValue]:
    """The dictionary of a 1-bit CCITT G4 image, its stream embedded as encoded."""
    return {
        "Type": Name("XObject"),
        "Subtype": Name("Image"),
        "Width": image.width,
        "Height": image.height,
        "ColorSpace": Name("DeviceGray"),
        "BitsPerComponent": 1,
        "Filter": Name("CCITTFaxDecode"),
        "DecodeParms": {
            "K": -1,
            "Columns": image.width,
            "Rows": image.height,
            "BlackIs1": image.black_is_1,
        },
    }


def fit_image(width_px: int, height_px: int, box: Box) -> Box:
    """Centre an image in `box` at 300 DPI, only ever scaled down (never below 300 DPI)."""
    natural_w, natural_h = width_px / DPI * POINTS, height_px / DPI * POINTS
    scale = min(1.0, box.w / natural_w, box.h / natural_h)
    w, h = natural_w * scale, natural_h * scale
    return Box(box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h)


def _fit_lines(
    font: TextFace, text: str, size: float, width: float, max_lines: int
) -> tuple[list[str], float]:
    """Wrap `text`, shrinking the size until it takes at most `max_lines` lines."""
    while True:
        lines = wrap(font, text, size, width)
        if (
            len(lines) <= max_lines and all(font.width(ln, size) <= width for ln in lines)
        ) or size <= 8:
            return lines, size
        size *= 0.9


def _title_page(c: Content, f: BookFonts, spec: BookSpec, live: Box) -> None:
    """The title in the cover's display face, the subtitle under a short rule, the author."""
    cx = live.x + live.w / 2
    display = f.title_font(spec.title)
    lines, size = _fit_lines(display, spec.title, min(44.0, live.w * 0.1), live.w, 3)
    y = live.y + live.h * 0.68
    for line in lines:
        c.text(display, size, cx, y, line, align="center")
        y -= size * 1.1
    c.line(cx - live.w * 0.08, y + size * 0.45, cx + live.w * 0.08, y + size * 0.45, 1.2)
    y -= 10
    if spec.subtitle:
        sub, sub_size = _fit_lines(f.regular, spec.subtitle, 18, live.w, 3)
        for line in sub:
            c.text(f.regular, sub_size, cx, y, line, align="center")
            y -= sub_size * 1.3
    author = f.title_font(spec.author)
    c.text(author, 18, cx, live.y + live.h * 0.2, spec.author, align="center")


def full_title(spec: BookSpec) -> str:
    """Title and subtitle on one line: "Title: Subtitle", or with a dash when the title
    has a colon or ends in punctuation of its own (never "Title: Part: Subtitle")."""
    if not spec.subtitle:
        return spec.title
    plain = ":" not in spec.title and spec.title[-1:].isalnum()
    joint = ": " if plain else " \u2014 "
    return f"{spec.title}{joint}{spec.subtitle}"


def copyright_lines(spec: BookSpec, credit: str | None) -> list[str]:
    """The copyright page's paragraphs: the full title, year (when the spec has one),
    author, rights, the credit for the pictures and the ISBN."""
    year = f"{spec.year} " if spec.year is not None else ""
    lines = [full_title(spec)]
    lines.append(f"Copyright \u00a9 {year}{spec.author}. All rights reserved.")
    lines.append(
        "No part of this book may be reproduced or transmitted in any form without "
        "written permission from the author, except for coloring its pages for "
        "personal use."
    )
    if credit:
        lines.append(credit)
    if spec.cover.isbn:
        lines.append(f"ISBN {spec.cover.isbn}")
    return lines


COPYRIGHT_SIZE = 10.0  # points: a book's copyright page, smaller than text, still easy
COPYRIGHT_LEADING = 1.45
COPYRIGHT_MEASURE = 4.2  # inches: the widest line, narrower than the page
COPYRIGHT_FOOT = 0.12  # share of the live height under the block


def _copyright_page(
    c: Content, f: BookFonts, spec: BookSpec, live: Box, credit: str | None
) -> None:
    """The paragraphs as one centred block in the lower part of the page: the full title
    in bold, then each paragraph centred line by line, half a line between paragraphs."""
    width = min(live.w, COPYRIGHT_MEASURE * POINTS)
    size, lead = COPYRIGHT_SIZE, COPYRIGHT_SIZE * COPYRIGHT_LEADING
    paragraphs = [
        (f.bold if i == 0 else f.regular, wrap(f.bold if i == 0 else f.regular, p, size, width))
        for i, p in enumerate(copyright_lines(spec, credit))
    ]
    lines = sum(len(p) for _, p in paragraphs)
    height = (lines - 1) * lead + (len(paragraphs) - 1) * lead / 2
    cx = live.x + live.w / 2
    y = min(live.y + live.h * COPYRIGHT_FOOT + height, live.y + live.h - size)
    for face, para in paragraphs:
        for line in para:
            c.text(face, size, cx, y, line, align="center")
            y -= lead
        y -= lead / 2


def _belongs_to_page(c: Content, f: BookFonts, live: Box) -> None:
    cx = live.x + live.w / 2
    y = live.y + live.h * 0.6
    c.text(f.bold, 28, cx, y, "This book belongs to", align="center")
    c.line(live.x + live.w * 0.15, y - 72, live.x + live.w * 0.85, y - 72, 1.5)
    inset = 18.0
    c.stroke_rect(live.x + inset, live.y + inset, live.w - 2 * inset, live.h - 2 * inset, 3)


def write_interior(
    spec: BookSpec,
    plan: InteriorPlan,
    load_art: Callable[[int], G4Image],
    out: Path,
    *,
    credit: str | None = None,
) -> None:
    """Stream the interior to `out` (atomically): one art page in memory at a time.
    `credit` is the copyright page's line on who drew the pictures."""
    with atomic_open(out) as fp:
        doc = BookDocument(PdfStreamWriter(fp), BookFonts())
        kids: list[PdfValue] = [
            _write_page(doc, spec, plan, page, load_art, credit) for page in plan.pages
        ]
        doc.finish(kids, book_info(spec))


def _write_page(
    doc: BookDocument,
    spec: BookSpec,
    plan: InteriorPlan,
    page: PlannedPage,
    load_art: Callable[[int], G4Image],
    credit: str | None,
) -> Ref:
    w, fonts = doc.writer, doc.fonts
    numbered = spec.page_numbers and page.kind is PageKind.ART
    live = plan.live_box(page, numbers=spec.page_numbers)
    c = Content()
    xobjects: dict[str, PdfValue] = {}
    if page.kind is PageKind.TITLE:
        _title_page(c, fonts, spec, live)
    elif page.kind is PageKind.COPYRIGHT:
        _copyright_page(c, fonts, spec, live, credit)
    elif page.kind is PageKind.BELONGS_TO:
        _belongs_to_page(c, fonts, live)
    elif page.kind is PageKind.ART:
        assert page.art_index is not None
        art = load_art(page.art_index)
        xobjects["Im1"] = w.add_stream(image_xobject(art), art.data)
        placed = fit_image(art.width, art.height, live)
        c.image("Im1", placed.x, placed.y, placed.w, placed.h)
    if numbered:
        y = live.y - NUMBER_BAND * POINTS + 6
        c.text(fonts.regular, 10, live.x + live.w / 2, y, str(page.number), align="center")
    contents = w.add_stream({}, c.data(), compress=True)
    media: list[PdfValue] = [0.0, 0.0, plan.page_w * POINTS, plan.page_h * POINTS]
    resources: dict[str, PdfValue] = {}
    if c.fonts:
        resources["Font"] = {name: doc.font_refs[name] for name in sorted(c.fonts)}
    if xobjects:
        resources["XObject"] = xobjects
    page_dict: dict[str, PdfValue] = {
        "Type": Name("Page"),
        "Parent": doc.tree,
        "MediaBox": media,
        "TrimBox": [*plan.trim_box(page).as_list()],
        "BleedBox": media,
        "Resources": resources,
        "Contents": contents,
    }
    return w.add(page_dict)
