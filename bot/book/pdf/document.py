"""The skeleton every book PDF shares: catalog, page tree, metadata and the fonts.

Their object numbers are reserved first, because pages refer to them, and the objects are
written last, once every page has used the fonts (a font's subset depends on its glyphs).
"""

from __future__ import annotations

from bot import __version__
from bot.book.pdf.fonts import BOLD, DISPLAY, REGULAR, EmbeddedFont
from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue
from bot.book.spec import BookSpec

PRODUCER = f"ebook-bot {__version__}"


class BookFonts:
    """The embedded fonts of a book PDF, as page resources F1 (text), F2 (bold text) and
    F3 (the display face of titles)."""

    def __init__(self) -> None:
        self.regular = EmbeddedFont(REGULAR, "F1")
        self.bold = EmbeddedFont(BOLD, "F2")
        self.display = EmbeddedFont(DISPLAY, "F3")

    def all(self) -> tuple[EmbeddedFont, ...]:
        return self.regular, self.bold, self.display

    def title_font(self, text: str) -> EmbeddedFont:
        """The display face, or DejaVu Sans Bold when the display face lacks a character
        of `text` (League Spartan covers Latin scripts only)."""
        return self.display if self.display.covers(text) else self.bold


class BookDocument:
    """Reserves the shared objects on `writer`; `finish` writes them and the trailer."""

    def __init__(self, writer: PdfStreamWriter, fonts: BookFonts) -> None:
        self.writer = writer
        self.fonts = fonts
        self.catalog, self.tree, self.info = writer.reserve(), writer.reserve(), writer.reserve()
        self.font_refs = {font.resource: writer.reserve() for font in fonts.all()}

    def finish(self, kids: list[PdfValue], info: dict[str, PdfValue]) -> None:
        w = self.writer
        w.add({"Type": Name("Pages"), "Kids": kids, "Count": len(kids)}, self.tree)
        for font in self.fonts.all():
            if font.used:
                font.write(w, self.font_refs[font.resource])
            else:  # reserved before the pages, never shown: nothing to subset or embed
                w.add(None, self.font_refs[font.resource])

        w.add({"Type": Name("Catalog"), "Pages": self.tree}, self.catalog)
        w.add(info, self.info)
        w.finish(self.catalog, self.info)

    def used_fonts(self) -> dict[str, PdfValue]:
        """Page resources for the fonts the document shows (call once the text is set)."""
        return {f.resource: self.font_refs[f.resource] for f in self.fonts.all() if f.used}


def book_info(
    spec: BookSpec, *, title: str | None = None, with_subject: bool = True
) -> dict[str, PdfValue]:
    """The document information dictionary (no dates: builds stay byte-identical)."""
    info: dict[str, PdfValue] = {"Title": title or spec.title, "Author": spec.author}
    if with_subject and spec.subtitle:
        info["Subject"] = spec.subtitle
    info["Creator"] = PRODUCER
    info["Producer"] = PRODUCER
    return info
