"""TrueType fonts embedded as subsets (Type0 / CIDFontType2, Identity-H) with a ToUnicode map,
so any Unicode title prints and text can be searched and extracted from the PDF."""

from __future__ import annotations

import functools
import hashlib
import io
from importlib import resources
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont

from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue, Ref

_FONT_DIR = resources.files("bot") / "fonts"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
DISPLAY = "LeagueSpartan-Bold.ttf"  # titles: cover and title page (OFL, see LICENSE.txt)


def font_path(name: str) -> Path:
    return Path(str(_FONT_DIR / name))


# A PDF shows glyphs by id: substitution and positioning tables (big in DejaVu) are never
# read, so they are dropped before fontTools decompiles them (most of subsetting's time).
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

    @property
    def used(self) -> bool:
        """Whether any text was set in this font (else it is not embedded)."""
        return bool(self._used)

    def _gid(self, ch: str) -> int:
        glyph = self._cmap.get(ord(ch)) or self._cmap.get(ord("?"), ".notdef")
        gid: int = self._tt.getGlyphID(glyph)
        return gid

    def encode(self, text: str) -> bytes:
        """Text as a hex string of glyph ids for `Tj`; records the glyphs for the subset."""
        out = []
        for ch in text:
            gid = self._gid(ch)
            self._used.setdefault(gid, ch)
            out.append(f"{gid:04X}")
        return ("<" + "".join(out) + ">").encode("ascii")

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` in points at `size`."""
        units = sum(self._hmtx[self._tt.getGlyphName(self._gid(ch))][0] for ch in text)
        return float(units) * size / self._upem

    def covers(self, text: str) -> bool:
        """Whether every character of `text` has a glyph (else it would print as '?')."""
        return all(ch.isspace() or ord(ch) in self._cmap for ch in text)

    def ascent(self, size: float) -> float:
        """The font's ascender height in points at `size` (room above the baseline)."""
        return float(self._tt["hhea"].ascent) * size / self._upem

    def descent(self, size: float) -> float:
        """The font's descender depth in points at `size`, as a positive number."""
        return -float(self._tt["hhea"].descent) * size / self._upem

    def ink_extent(self, text: str, size: float) -> tuple[float, float]:
        """(lowest, highest) point of the glyphs of `text` relative to the baseline, in
        points: the ink a reader sees, tighter than ascent and descent."""
        glyf = self._tt["glyf"]
        low, high = 0.0, 0.0
        for ch in set(text):
            glyph = glyf[self._tt.getGlyphName(self._gid(ch))]
            if getattr(glyph, "numberOfContours", 0) == 0:
                continue  # a space has no ink
            low, high = min(low, float(glyph.yMin)), max(high, float(glyph.yMax))
        return low * size / self._upem, high * size / self._upem

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
        items = sorted(self._used.items())
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
            advance = self._hmtx[self._tt.getGlyphName(gid)][0]
            widths += [gid, [round(advance * scale, 2)]]
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


def wrap(font: EmbeddedFont, text: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line is kept whole on its own line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if current and font.width(candidate, size) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines
