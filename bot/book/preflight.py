"""`ebook-bot check`: print preflight of a PDF against KDP's rules, read back with pypdf."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream

from bot.book.kdp import BLEED, MAX_PAGES, MIN_PAGES, PAPER_FACTOR, POINTS
from bot.book.spec import Paper, Trim
from bot.errors import UserInputError

MAX_FILE_BYTES = 650 * 1024 * 1024
MIN_DPI = 300
TOLERANCE_PT = 0.75  # about 0.01 in


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


def _mult(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


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
            ctm = _mult([float(x) for x in operands], ctm)
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


def check_pdf(path: Path) -> list[str]:
    """Every way `path` breaks KDP's print rules, one line each; empty when it passes.
    Raises UnreadablePdf when `path` is not a readable PDF."""
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
        return [f"{path}: has no pages"]
    first_w, first_h = _size(pages[0].mediabox)
    if len(pages) == 1 and first_w > first_h:
        problems += [f"{path}: {p}" for p in _check_cover(first_w, first_h)]
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
    return problems


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
    for number, page in enumerate(pages, start=1):
        pw, ph = _size(page.mediabox)
        if not (_close(pw, w) and _close(ph, h)):
            problems.append(f"page {number}: size differs from page 1")
        if bleed:
            trim_w, trim_h = _size(page.trimbox)
            if not (_close(trim_w, tw) and _close(trim_h, th)):
                problems.append(f"page {number}: TrimBox is not the {trim.value} in trim")
    return problems


def _check_cover(w: float, h: float) -> list[str]:
    for trim in Trim:
        tw, th = (x * POINTS for x in trim.inches)
        if not _close(h, th + 2 * BLEED * POINTS):
            continue
        spine = w - 2 * tw - 2 * BLEED * POINTS
        max_spine = max(MAX_PAGES[p] * PAPER_FACTOR[p] for p in Paper) * POINTS
        if -TOLERANCE_PT <= spine <= max_spine + TOLERANCE_PT:
            return []
    return [
        f"cover size {w / POINTS:.3f} x {h / POINTS:.3f} in does not match any trim "
        "with a spine and 0.125 in bleed"
    ]
