"""TrueType fonts embedded as subsets (Type0 / CIDFontType2, Identity-H) with a ToUnicode map,
so shaped text prints as its glyphs and can be searched and extracted from the PDF."""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont

from bot.book.pdf.faces import BOLD, DISPLAY, REGULAR, font_path
from bot.book.pdf.shaping import Glyph
from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue, Ref

__all__ = ["BOLD", "DISPLAY", "REGULAR", "EmbeddedFont", "font_path", "subset_font"]

# A PDF shows glyphs by id, already shaped (HarfBuzz reads the bundled file's substitution
# and positioning tables): the embedded subset needs none of them, so they are dropped before
# fontTools decompiles them (most of subsetting's time).
_UNUSED_TABLES = ["FFTM", "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "morx", "feat"]


@functools.lru_cache(maxsize=32)
def subset_font(path: Path, gids: frozenset[int]) -> bytes:
    """The font at `path` cut to `gids` (glyph ids kept), cached per font and glyph set."""
    font = TTFont(path, recalcTimestamp=False, lazy=True)
    options = subset.Options()
    options.retain_gids = True  # glyph ids stay as encoded: CIDToGIDMap /Identity
    options.notdef_outline = True
    options.layout_features = []
    options.drop_tables += _UNUSED_TABLES
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    sub = subset.Subsetter(options)
    sub.populate(gids=sorted(gids))
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


@functools.lru_cache(maxsize=8)
def _parsed(path: Path) -> tuple[TTFont, dict[int, str], int, Any]:
    """A bundled font read once per process (read only): (font, cmap, units per em, hmtx)."""
    tt = TTFont(path, recalcTimestamp=False, lazy=True)
    return tt, tt.getBestCmap(), tt["head"].unitsPerEm, tt["hmtx"]


class EmbeddedFont:
    """One font of one PDF: encodes text, measures it, and writes its subset at the end."""

    def __init__(self, filename: str, resource: str) -> None:
        self.path = font_path(filename)
        self.resource = resource  # the name in page resources, e.g. "F1"
        self._tt, self._cmap, self._upem, self._hmtx = _parsed(self.path)
        self._used: dict[int, str] = {}  # glyph id -> the text it stands for
        self._bounds: dict[int, tuple[float, float] | None] = {}

    @property
    def name(self) -> str:
        """The font file's name, e.g. DejaVuSans.ttf."""
        return self.path.name

    @property
    def used(self) -> bool:
        """Whether any text was set in this font (else it is not embedded)."""
        return bool(self._used)

    def covers(self, text: str) -> bool:
        """Whether every character of `text` has a glyph in this font."""
        return all(ch.isspace() or ord(ch) in self._cmap for ch in text)

    def use(self, glyphs: tuple[Glyph, ...]) -> None:
        """Record shown glyphs for the subset and the ToUnicode map (first text wins)."""
        for g in glyphs:
            if not self._used.get(g.gid):
                self._used[g.gid] = g.text

    def pdf_width(self, gid: int) -> float:
        """The glyph's width as the font's /W array gives it (1/1000 em, 2 decimals)."""
        return round(float(self._hmtx[self._tt.getGlyphName(gid)][0]) * 1000 / self._upem, 2)

    def ascent(self, size: float) -> float:
        """The font's ascender height in points at `size` (room above the baseline)."""
        return float(self._tt["hhea"].ascent) * size / self._upem

    def descent(self, size: float) -> float:
        """The font's descender depth in points at `size`, as a positive number."""
        return -float(self._tt["hhea"].descent) * size / self._upem

    def glyph_extent(self, gid: int) -> tuple[float, float] | None:
        """(lowest, highest) ink of a glyph in 1/1000 em, None for a glyph without ink."""
        if gid not in self._bounds:
            glyph = self._tt["glyf"][self._tt.getGlyphName(gid)]
            if getattr(glyph, "numberOfContours", 0) == 0:
                self._bounds[gid] = None
            else:
                k = 1000 / self._upem
                self._bounds[gid] = (float(glyph.yMin) * k, float(glyph.yMax) * k)
        return self._bounds[gid]

    def _subset(self) -> bytes:
        return subset_font(self.path, frozenset({0, *self._used}))

    def _tag(self) -> str:
        digest = hashlib.sha256(repr(sorted(self._used)).encode()).digest()
        return "".join(chr(ord("A") + b % 26) for b in digest[:6])

    def _to_unicode(self) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        items = sorted((g, t) for g, t in self._used.items() if t)
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{g:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for g, ch in chunk]
            lines.append("endbfchar")
        lines += [
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
        return "\n".join(lines).encode("ascii")

    def write(self, writer: PdfStreamWriter, ref: Ref) -> None:
        """Write the subset and its font objects; `ref` is the Type0 font pages refer to."""
        data = self._subset()
        scale = 1000 / self._upem
        head, hhea, os2 = self._tt["head"], self._tt["hhea"], self._tt["OS/2"]
        base = Name(f"{self._tag()}+{self._tt['name'].getDebugName(6) or 'Font'}")
        fontfile = writer.add_stream({"Length1": len(data)}, data, compress=True)
        descriptor = writer.add(
            {
                "Type": Name("FontDescriptor"),
                "FontName": base,
                "Flags": 32,
                "FontBBox": [
                    round(head.xMin * scale),
                    round(head.yMin * scale),
                    round(head.xMax * scale),
                    round(head.yMax * scale),
                ],
                "ItalicAngle": 0,
                "Ascent": round(hhea.ascent * scale),
                "Descent": round(hhea.descent * scale),
                "CapHeight": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
                "StemV": 80,
                "FontFile2": fontfile,
            }
        )
        widths: list[PdfValue] = []
        for gid in sorted(self._used):
            widths += [gid, [self.pdf_width(gid)]]  # what Content's TJ arrays assume
        cid_font = writer.add(
            {
                "Type": Name("Font"),
                "Subtype": Name("CIDFontType2"),
                "BaseFont": base,
                "CIDSystemInfo": {"Registry": "Adobe", "Ordering": "Identity", "Supplement": 0},
                "FontDescriptor": descriptor,
                "W": widths,
                "CIDToGIDMap": Name("Identity"),
            }
        )
        to_unicode = writer.add_stream({}, self._to_unicode(), compress=True)
        writer.add(
            {
                "Type": Name("Font"),
                "Subtype": Name("Type0"),
                "BaseFont": base,
                "Encoding": Name("Identity-H"),
                "DescendantFonts": [cid_font],
                "ToUnicode": to_unicode,
            },
            ref,
        )
