"""`ebook-bot check`: print preflight of a PDF against KDP's rules, read back with pypdf."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream

from bot.book.kdp import (
    BLEED,
    COVER_SAFE,
    MAX_PAGES,
    MIN_PAGES,
    PAPER_FACTOR,
    POINTS,
    Box,
)
from bot.book.preflight_text import FontCache, ShownText, mult, shown_texts
from bot.book.spec import Paper, Trim
from bot.errors import UserInputError

MAX_FILE_BYTES = 650 * 1024 * 1024
MIN_DPI = 300
TOLERANCE_PT = 0.75  # about 0.01 in
INTERIOR_MARGIN = 0.25  # inches: KDP's least margin; text must stay this far inside the trim


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE_PT


def _size(box: Any) -> tuple[float, float]:
    return float(box.width), float(box.height)


def _match_trim(w: float, h: float) -> tuple[Trim, bool] | None:
    """The trim (and whether bleed is included) an interior page size stands for."""
    for trim in Trim:
        tw, th = (x * POINTS for x in trim.inches)
        if _close(w, tw) and _close(h, th):
            return trim, False
        if _close(w, tw + BLEED * POINTS) and _close(h, th + 2 * BLEED * POINTS):
            return trim, True
    return None


def image_resolutions(page: Any) -> list[tuple[str, float]]:
    """(name, effective DPI) of every image the page draws, from its content stream."""
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    contents = page.get_contents()
    if contents is None:
        return []
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    found = []
    for operands, operator in ContentStream(contents, page.pdf).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q" and stack:
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = mult([float(x) for x in operands], ctm)
        elif operator == b"Do":
            name = str(operands[0])
            xobj = xobjects.get(name)
            if xobj is None:
                continue
            xobj = xobj.get_object()
            if xobj.get("/Subtype") != "/Image":
                continue
            shown_w = math.hypot(ctm[0], ctm[1]) / POINTS
            shown_h = math.hypot(ctm[2], ctm[3]) / POINTS
            if shown_w == 0 or shown_h == 0:
                continue
            dpi = min(int(xobj["/Width"]) / shown_w, int(xobj["/Height"]) / shown_h)
            found.append((name, dpi))
    return found


def unembedded_fonts(page: Any) -> list[str]:
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    missing = []
    for name, ref in fonts.items():
        font = ref.get_object()
        if font.get("/Subtype") == "/Type3":
            continue
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.append(f"{name} ({font.get('/BaseFont', '?')})")
    return missing


class UnreadablePdf(UserInputError):
    """Not a PDF at all (or not a file): a bad input, not a print problem."""


@dataclass(frozen=True)
class PdfFacts:
    """What pairing an interior with its cover needs: the page count (interior) or the
    wrap size (cover), in points."""

    path: Path
    pages: int
    width: float
    height: float
    cover: bool


def check_pdf(path: Path) -> list[str]:
    """Every way `path` breaks KDP's print rules, one line each; empty when it passes.
    Raises UnreadablePdf when `path` is not a readable PDF."""
    return inspect_pdf(path)[0]


def inspect_pdf(path: Path) -> tuple[list[str], PdfFacts | None]:
    """`check_pdf`'s problems, and the facts for pairing (None when it has no pages)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fp:
            head = fp.read(1024)
    except OSError as exc:
        raise UnreadablePdf(f"{path}: cannot read ({exc.strerror})") from None
    if b"%PDF-" not in head:
        raise UnreadablePdf(f"{path}: not a PDF (no %PDF- header)")
    problems: list[str] = []
    if size > MAX_FILE_BYTES:
        problems.append(f"{path}: file is {size / 2**20:.0f} MB; KDP takes at most 650 MB")
    try:
        reader = PdfReader(path)
        pages = list(reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise UnreadablePdf(f"{path}: not a readable PDF ({reason})") from None
    if not pages:
        return [f"{path}: has no pages"], None
    first_w, first_h = _size(pages[0].mediabox)
    cover = len(pages) == 1 and first_w > first_h
    if cover:
        problems += [f"{path}: {p}" for p in _check_cover(first_w, first_h, pages[0])]
    else:
        problems += [f"{path}: {p}" for p in _check_interior(pages)]
    for number, page in enumerate(pages, start=1):
        for name, dpi in image_resolutions(page):
            if dpi < MIN_DPI - 0.5:
                problems.append(
                    f"{path}: page {number}: image {name} prints at {dpi:.0f} DPI "
                    f"(KDP needs at least {MIN_DPI})"
                )
        for font in unembedded_fonts(page):
            problems.append(f"{path}: page {number}: font {font} is not embedded")
    return problems, PdfFacts(path, len(pages), first_w, first_h, cover)


def _quote(text: str) -> str:
    line = " ".join(text.split())
    return repr(line if len(line) <= 40 else line[:39] + "\u2026")


def _chars(text: str) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(text))


def glyph_problems(texts: list[ShownText]) -> list[str]:
    """A line per text that shows a character without a glyph in its font."""
    return [
        f"the text {_quote(t.text)} shows {_chars(t.missing)} without a glyph in font "
        f"{t.font} (it would print as an empty box or nothing)"
        for t in texts
        if t.missing
    ]


def _inside(box: Box, point: tuple[float, float]) -> bool:
    x, y = point
    return box.x - TOLERANCE_PT <= x <= box.x + box.w + TOLERANCE_PT and (
        box.y - TOLERANCE_PT <= y <= box.y + box.h + TOLERANCE_PT
    )


def panel_problems(texts: list[ShownText], panels: dict[str, Box]) -> list[str]:
    """A line per text whose baseline does not start and end inside one panel."""
    out = []
    for t in texts:
        if not t.text.strip():
            continue
        if not any(_inside(b, t.start) and _inside(b, t.end) for b in panels.values()):
            where = " or ".join(panels)
            out.append(f"the text {_quote(t.text)} runs outside the {where}")
    return out


def _check_interior(pages: list[Any]) -> list[str]:
    problems = []
    count = len(pages)
    if count < MIN_PAGES:
        problems.append(f"{count} pages; KDP needs at least {MIN_PAGES}")
    if count > max(MAX_PAGES.values()):
        problems.append(f"{count} pages; KDP prints at most {max(MAX_PAGES.values())}")
    if count % 2:
        problems.append(f"{count} pages; an interior needs an even page count")
    w, h = _size(pages[0].mediabox)
    match = _match_trim(w, h)
    if match is None:
        problems.append(
            f"page size {w / POINTS:.3f} x {h / POINTS:.3f} in is not a KDP trim "
            "(with or without bleed)"
        )
        return problems
    trim, bleed = match
    tw, th = (x * POINTS for x in trim.inches)
    fonts: FontCache = {}
    for number, page in enumerate(pages, start=1):
        pw, ph = _size(page.mediabox)
        if not (_close(pw, w) and _close(ph, h)):
            problems.append(f"page {number}: size differs from page 1")
        if bleed:
            trim_w, trim_h = _size(page.trimbox)
            if not (_close(trim_w, tw) and _close(trim_h, th)):
                problems.append(f"page {number}: TrimBox is not the {trim.value} in trim")
        texts = shown_texts(page, fonts)
        box, m = page.trimbox, INTERIOR_MARGIN * POINTS
        bw, bh = _size(box)
        live = Box(float(box.left) + m, float(box.bottom) + m, bw - 2 * m, bh - 2 * m)
        for line in glyph_problems(texts) + panel_problems(texts, {"page's live area": live}):
            problems.append(f"page {number}: {line}")
    return problems


def cover_panels(w: float, h: float) -> dict[str, Box] | None:
    """The safe areas of a wrap's back and front and the spine between its folds, from
    its size (None when the size is no trim's wrap)."""
    b, s = BLEED * POINTS, COVER_SAFE * POINTS
    for trim in Trim:
        tw, th = (x * POINTS for x in trim.inches)
        if not _close(h, th + 2 * b):
            continue
        spine = w - 2 * tw - 2 * b
        max_spine = max(MAX_PAGES[p] * PAPER_FACTOR[p] for p in Paper) * POINTS
        if -TOLERANCE_PT <= spine <= max_spine + TOLERANCE_PT:
            return {
                "back panel": Box(b + s, b + s, tw - 2 * s, th - 2 * s),
                "spine": Box(b + tw, b + s, max(spine, 0.0), th - 2 * s),
                "front panel": Box(b + tw + spine + s, b + s, tw - 2 * s, th - 2 * s),
            }
    return None


def _check_cover(w: float, h: float, page: Any) -> list[str]:
    panels = cover_panels(w, h)
    if panels is not None:
        texts = shown_texts(page)
        return glyph_problems(texts) + panel_problems(texts, panels)
    return [
        f"cover size {w / POINTS:.3f} x {h / POINTS:.3f} in does not match any trim "
        "with a spine and 0.125 in bleed"
    ]


def pair_problems(interior: PdfFacts, cover: PdfFacts) -> list[str]:
    """Whether `cover` is the wrap of `interior`: the same trim, and a spine as wide as
    the interior's real page count makes it on white or cream paper."""
    match = _match_trim(interior.width, interior.height)
    if match is None:
        return []  # the interior's own check already names its size
    trim, _ = match
    tw, th = (x * POINTS for x in trim.inches)
    b = BLEED * POINTS
    if not _close(cover.height, th + 2 * b):
        return [
            f"{cover.path}: is {cover.height / POINTS:.3f} in high; the {trim.value} in "
            f"interior {interior.path} needs {(th + 2 * b) / POINTS:.3f} in with bleed"
        ]
    spine = cover.width - 2 * tw - 2 * b
    needed = {p: interior.pages * PAPER_FACTOR[p] * POINTS for p in Paper}
    if any(_close(spine, want) for want in needed.values()):
        return []
    papers = " or ".join(f"{w / POINTS:.4f} in ({p.value} paper)" for p, w in needed.items())
    return [
        f"{cover.path}: spine is {spine / POINTS:.4f} in, but {interior.path} has "
        f"{interior.pages} pages, which need {papers}; rebuild the cover for this interior"
    ]


Inspected = tuple[list[str], PdfFacts | None]


def book_problems(interior: Inspected, cover: Inspected) -> list[str]:
    """The problems of a book's interior and cover, and of the two as a pair."""
    problems = interior[0] + cover[0]
    if interior[1] is not None and cover[1] is not None:
        problems += pair_problems(interior[1], cover[1])
    return problems
