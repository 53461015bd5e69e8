"""A text face: a main font with the script faces behind it. It lays a line out as pieces of
shaped glyphs, one font each, in visual order, and measures it; `wrap` breaks paragraphs."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from bot.book.pdf.faces import choose_faces
from bot.book.pdf.fonts import EmbeddedFont
from bot.book.pdf.shaping import Glyph, bidi_runs, shape


@dataclass(frozen=True)
class Piece:
    """Glyphs of one font, starting `x` (1/1000 em) from the line's left end."""

    font: EmbeddedFont
    glyphs: tuple[Glyph, ...]
    x: float


class TextFace:
    """Sets text in `fonts[0]`, and a character that font lacks in the face of its script
    (`fonts` holds every face this one may use, each embedded once per PDF)."""

    def __init__(self, fonts: list[EmbeddedFont], bold: bool) -> None:
        self.main = fonts[0]
        self.bold = bold
        self._by_name = {f.name: f for f in fonts}
        self._layout = functools.lru_cache(maxsize=2048)(self._lay_out)

    @property
    def resource(self) -> str:
        return self.main.resource

    def covers(self, text: str) -> bool:
        """Whether the main font has every character of `text`."""
        return self.main.covers(text)

    def layout(self, text: str) -> tuple[Piece, ...]:
        """`text` (one line) as shaped pieces, left to right."""
        return self._layout(text)

    def _lay_out(self, text: str) -> tuple[Piece, ...]:
        pieces: list[Piece] = []
        x = 0.0
        for run, rtl in bidi_runs(text):
            faces = choose_faces(run, [self.main.name], self.bold)
            items: list[tuple[str, str]] = []  # (font name, text), logical order
            for ch, face in zip(run, faces, strict=True):
                name = face or self.main.name  # no face: .notdef, which preflight reports
                if items and items[-1][0] == name:
                    items[-1] = (name, items[-1][1] + ch)
                else:
                    items.append((name, ch))
            for name, part in reversed(items) if rtl else items:
                font = self._by_name[name]
                glyphs = shape(font.path, part, rtl)
                pieces.append(Piece(font, glyphs, x))
                x += sum(g.advance for g in glyphs)
        return tuple(pieces)

    def width(self, text: str, size: float) -> float:
        """Advance width of the shaped `text` in points at `size`."""
        return sum(g.advance for p in self.layout(text) for g in p.glyphs) * size / 1000

    def ascent(self, size: float) -> float:
        return self.main.ascent(size)

    def descent(self, size: float) -> float:
        return self.main.descent(size)

    def ink_extent(self, text: str, size: float) -> tuple[float, float]:
        """(lowest, highest) point of the shaped glyphs of `text` relative to the baseline,
        in points: the ink a reader sees, tighter than ascent and descent."""
        low, high = 0.0, 0.0
        for piece in self.layout(text):
            for g in piece.glyphs:
                extent = piece.font.glyph_extent(g.gid)
                if extent is not None:
                    low, high = min(low, extent[0] + g.dy), max(high, extent[1] + g.dy)
        return low * size / 1000, high * size / 1000


def _break_points(word: str) -> list[int]:
    """Where a word too long for a line may be broken: before any character that is not a
    combining mark (so no accent or vowel sign is left at a line start)."""
    return [i for i in range(1, len(word)) if not unicodedata.combining(word[i])]


def _split_word(face: TextFace, word: str, size: float, max_width: float) -> list[str]:
    """A word wider than the line, cut into pieces that fit (at least one character each)."""
    out: list[str] = []
    start = 0
    cuts = [*_break_points(word), len(word)]
    while start < len(word):
        end = next((c for c in cuts if c > start), len(word))
        for cut in cuts:
            if cut <= start:
                continue
            if face.width(word[start:cut], size) > max_width:
                break
            end = cut
        out.append(word[start:end])
        start = end
    return out


def wrap(face: TextFace, text: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line (a long name, text in a script written
    without spaces) is broken between characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for whole in paragraph.split():
            pieces = [whole]
            if face.width(whole, size) > max_width:
                pieces = _split_word(face, whole, size, max_width)
            for i, word in enumerate(pieces):
                joiner = " " if i == 0 else ""
                candidate = f"{current}{joiner}{word}" if current else word
                if current and face.width(candidate, size) > max_width:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
        lines.append(current)
    return lines
