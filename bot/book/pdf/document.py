"""The skeleton every book PDF shares: catalog, page tree, metadata and the fonts.

Their object numbers are reserved first, because pages refer to them, and the objects are
written last, once every page has used the fonts (a font's subset depends on its glyphs).
"""

from __future__ import annotations

from bot import __version__
from bot.book.pdf.faces import BOLD, DISPLAY, REGULAR, SCRIPT_FACES, fallback_faces, script_of
from bot.book.pdf.fonts import EmbeddedFont
from bot.book.pdf.textface import TextFace
from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue
from bot.book.spec import BookSpec

PRODUCER = f"ebook-bot {__version__}"


class BookFonts:
    """The embedded fonts of a book PDF and the text faces set in them: `regular` (text),
    `bold` and `display` (titles), each with the script faces behind it."""

    def __init__(self) -> None:
        self._fonts: dict[str, EmbeddedFont] = {}
        for name in (REGULAR, BOLD, DISPLAY, *fallback_faces(False), *fallback_faces(True)):
            if name not in self._fonts:
                self._fonts[name] = EmbeddedFont(name, f"F{len(self._fonts) + 1}")
        regular = [self._fonts[n] for n in fallback_faces(False)]
        bold = [self._fonts[n] for n in fallback_faces(True)]
        self.regular = TextFace([self._fonts[REGULAR], *regular], bold=False)
        self.bold = TextFace([self._fonts[BOLD], *bold], bold=True)
        self.display = TextFace([self._fonts[DISPLAY], *bold], bold=True)

    def all(self) -> tuple[EmbeddedFont, ...]:
        return tuple(self._fonts.values())

    def title_font(self, text: str) -> TextFace:
        """The display face, or DejaVu Sans Bold when the display face lacks a character
        of `text` that no script face prints (League Spartan covers Latin only)."""
        own = "".join(ch for ch in text if script_of(ch) not in SCRIPT_FACES)
        return self.display if self.display.covers(own) else self.bold


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
