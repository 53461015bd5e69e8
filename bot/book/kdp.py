"""Amazon KDP print geometry: page and cover sizes, margins, spine, and the interior plan.

Pure functions of the spec; all lengths in inches unless a name says points (1/72 in) or
pixels. Rules from KDP's "Paperback manuscript" and "Cover" help pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.book.spec import BookSpec, Paper, Trim
from bot.errors import SpecError

DPI = 300
POINTS = 72.0
BLEED = 0.125  # on the outside edge, top and bottom
OUTSIDE_MARGIN = 0.5  # KDP minimum: 0.25 in without bleed, 0.375 in with bleed
NUMBER_BAND = 0.3  # space below the art for the page number
MIN_PAGES = 24
MAX_PAGES = {Paper.WHITE: 828, Paper.CREAM: 776}
PAPER_FACTOR = {Paper.WHITE: 0.002252, Paper.CREAM: 0.0025}  # spine inches per page
SPINE_TEXT_MIN_PAGES = 79
SPINE_CLEARANCE = 0.0625
BARCODE_SIZE = (2.0, 1.2)
BARCODE_INSET = 0.25
COVER_SAFE = 0.125  # keep cover text this far inside the trim
COVER_MARGIN = 0.375  # the cover's design margin, well inside the safe zone
COVER_MAT = 0.0625  # the white mat round the front art
COVER_TITLE_ZONE = 0.2  # share of the trim height above the art: badge, title, subtitle
COVER_TITLE_MIN = 1.9  # inches: the least room a small or square book's title gets
COVER_FOOT = 0.75  # inches below the art: the author
COVER_ART_SIDE = 0.25  # inches left and right of the framed art (an image, not text)
COVER_ART_SHARE = 0.6  # the least share of the front the art fills, on every trim

# (largest page count, minimum inside margin)
_GUTTER = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))


def inside_margin(page_count: int) -> float:
    """KDP's minimum inside (gutter) margin for a book of `page_count` pages."""
    if page_count < 1:
        raise ValueError("page_count must be positive")
    for limit, margin in _GUTTER:
        if page_count <= limit:
            return margin
    raise ValueError(f"{page_count} pages is more than KDP prints (828)")


def page_size(trim: Trim, bleed: bool) -> tuple[float, float]:
    """Interior page size: the trim, plus bleed on the outside edge and top and bottom."""
    w, h = trim.inches
    return (w + BLEED, h + 2 * BLEED) if bleed else (w, h)


def spine_width(page_count: int, paper: Paper) -> float:
    return page_count * PAPER_FACTOR[paper]


def cover_size(trim: Trim, page_count: int, paper: Paper) -> tuple[float, float]:
    """Full-wrap cover: bleed + back + spine + front + bleed, by trim height + 2 bleeds."""
    w, h = trim.inches
    return 2 * BLEED + 2 * w + spine_width(page_count, paper), h + 2 * BLEED


def art_size_px(spec: BookSpec) -> tuple[int, int]:
    """Pixel size every coloring page is generated at (300 DPI).

    Sized for the narrowest gutter, so a longer book (wider gutter) only ever scales the
    art down: its effective resolution never drops under 300 DPI.
    """
    return art_box_px(spec.trim, spec.page_numbers)


def art_box_px(trim: Trim, page_numbers: bool = True) -> tuple[int, int]:
    """The art box of a trim at 300 DPI (see `art_size_px`)."""
    w, h = trim.inches
    art_w = w - OUTSIDE_MARGIN - _GUTTER[0][1]
    art_h = h - 2 * OUTSIDE_MARGIN - (NUMBER_BAND if page_numbers else 0.0)
    return round(art_w * DPI), round(art_h * DPI)


def cover_art_frame(trim: Trim) -> tuple[float, float, float, float]:
    """The framed art of the front cover: x, y, w, h in inches from the lower-left corner
    of the front panel's trim. It depends on the trim alone (not the title or the spine),
    so the art can be made before the book is laid out."""
    w, h = trim.inches
    top = max(h * COVER_TITLE_ZONE, COVER_TITLE_MIN)
    bottom = COVER_FOOT
    return COVER_ART_SIDE, bottom, w - 2 * COVER_ART_SIDE, h - top - bottom


def cover_art_size_px(spec: BookSpec) -> tuple[int, int]:
    """Pixel size of the front-cover art (inside the frame's mat) at 300 DPI."""
    _, _, w, h = cover_art_frame(spec.trim)
    return round((w - 2 * COVER_MAT) * DPI), round((h - 2 * COVER_MAT) * DPI)


class PageKind(StrEnum):
    TITLE = "title"
    COPYRIGHT = "copyright"
    BELONGS_TO = "belongs_to"
    ART = "art"
    BLANK = "blank"


@dataclass(frozen=True)
class PlannedPage:
    number: int  # 1-based; odd numbers are right-hand (recto) pages
    kind: PageKind
    art_index: int | None = None  # index into the spec's page subjects, for ART pages

    @property
    def recto(self) -> bool:
        return self.number % 2 == 1


@dataclass(frozen=True)
class Box:
    """A rectangle in points: x, y of the lower-left corner, width, height."""

    x: float
    y: float
    w: float
    h: float

    def as_list(self) -> list[float]:
        return [self.x, self.y, self.x + self.w, self.y + self.h]


@dataclass(frozen=True)
class InteriorPlan:
    pages: tuple[PlannedPage, ...]
    padding: int  # blank pages added at the end to reach an even count of at least 24
    page_w: float  # inches, bleed included
    page_h: float
    bleed: bool
    trim: Trim

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def inside(self) -> float:
        return inside_margin(self.page_count)

    def trim_box(self, page: PlannedPage) -> Box:
        """The trim box in points; bleed sits on the outside edge (right of a recto page)."""
        w, h = self.trim.inches
        if not self.bleed:
            return Box(0.0, 0.0, w * POINTS, h * POINTS)
        x = 0.0 if page.recto else BLEED * POINTS
        return Box(x, BLEED * POINTS, w * POINTS, h * POINTS)

    def live_box(self, page: PlannedPage, numbers: bool) -> Box:
        """Where content may go: inside the trim by the margins (gutter on the binding side)."""
        t = self.trim_box(page)
        inside, outside = self.inside * POINTS, OUTSIDE_MARGIN * POINTS
        left = inside if page.recto else outside
        right = outside if page.recto else inside
        bottom = outside + (NUMBER_BAND * POINTS if numbers else 0.0)
        return Box(t.x + left, t.y + bottom, t.w - left - right, t.h - outside - bottom)


def plan_interior(spec: BookSpec) -> InteriorPlan:
    """Lay out every interior page: front matter, art pages, blanks and padding."""
    pages: list[PlannedPage] = []

    def add(kind: PageKind, *, recto: bool = False, art_index: int | None = None) -> None:
        if recto and len(pages) % 2 == 1:  # the next page would be a left-hand page
            pages.append(PlannedPage(len(pages) + 1, PageKind.BLANK))
        pages.append(PlannedPage(len(pages) + 1, kind, art_index))

    fm = spec.front_matter
    if fm.title_page:
        add(PageKind.TITLE, recto=True)
    if fm.copyright_page:
        add(PageKind.COPYRIGHT)
    if fm.belongs_to:
        add(PageKind.BELONGS_TO, recto=True)
    for i in range(spec.pages.total):
        add(PageKind.ART, recto=spec.single_sided or i == 0, art_index=i)
    if spec.single_sided:
        add(PageKind.BLANK)  # the back of the last picture
    padding = 0
    while len(pages) < MIN_PAGES or len(pages) % 2:
        add(PageKind.BLANK)
        padding += 1
    limit = MAX_PAGES[spec.paper]
    if len(pages) > limit:
        raise SpecError(
            "invalid spec",
            [
                f"pages.count: {spec.pages.total} pictures make a {len(pages)}-page interior; "
                f"KDP prints at most {limit} pages on {spec.paper.value} paper"
            ],
        )
    w, h = page_size(spec.trim, spec.bleed)
    return InteriorPlan(tuple(pages), padding, w, h, spec.bleed, spec.trim)
