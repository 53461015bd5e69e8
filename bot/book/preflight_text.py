"""Preflight of a PDF's text, read back from its content streams: every glyph shown exists
in its embedded font (no .notdef box, no empty glyph standing for a letter), and where each
line of text starts and ends on the page, so the caller can check it stays in its panel."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont
from pypdf.generic import ContentStream

Matrix = list[float]
_IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def mult(m: Matrix, n: Matrix) -> Matrix:
    """The product m x n of two PDF matrices [a b c d e f]."""
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


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


@dataclass(frozen=True)
class ShownText:
    """One text-showing operator: its text (from ToUnicode), its baseline's ends on the
    page in points, and the characters that have no glyph in its font."""

    text: str
    start: tuple[float, float]
    end: tuple[float, float]
    font: str
    missing: str


class _Font:
    """What preflight needs of one PDF font: code widths, ToUnicode, and the glyphs."""

    def __init__(self, font: Any) -> None:
        self.name = str(font.get("/BaseFont", "?")).lstrip("/")
        self.two_byte = font.get("/Subtype") == "/Type0"
        self.to_unicode = _parse_to_unicode(font.get("/ToUnicode"))
        self.widths: dict[int, float] = {}
        self.default_width = 1000.0 if self.two_byte else 0.0
        self.inked: set[int] | None = None  # glyph ids with an outline (embedded TrueType)
        self.glyph_count = 0
        if self.two_byte:
            cid = font["/DescendantFonts"][0].get_object()
            self.default_width = float(cid.get("/DW", 1000))
            self._read_w(cid.get("/W", []))
            descriptor = cid.get("/FontDescriptor")
            file2 = descriptor.get_object().get("/FontFile2") if descriptor else None
            if file2 is not None:
                try:
                    self._read_glyphs(file2.get_object().get_data())
                except Exception:  # a font fontTools cannot read
                    self.glyph_count, self.inked = 0, None  # its glyphs go unchecked
        else:
            first = int(font.get("/FirstChar", 0))
            for i, w in enumerate(font.get("/Widths", []) or []):
                self.widths[first + i] = float(w)

    def _read_w(self, w: Any) -> None:
        items = list(w)
        i = 0
        while i + 1 < len(items):
            first, nxt = int(items[i]), items[i + 1]
            if isinstance(nxt, list):
                for k, v in enumerate(nxt):
                    self.widths[first + k] = float(v)
                i += 2
            else:  # c_first c_last w
                for code in range(first, int(nxt) + 1):
                    self.widths[code] = float(items[i + 2])
                i += 3

    def _read_glyphs(self, data: bytes) -> None:
        font = TTFont(io.BytesIO(data), lazy=True)
        order = font.getGlyphOrder()
        self.glyph_count = len(order)
        if "glyf" not in font:
            return
        glyf = font["glyf"]
        self.inked = {
            gid
            for gid, name in enumerate(order)
            if name in glyf and getattr(glyf[name], "numberOfContours", 0) != 0
        }

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def missing(self, code: int) -> str:
        """The text a code stands for when it shows no glyph (.notdef or no outline)."""
        text = self.to_unicode.get(code, "")
        if not self.two_byte or not self.glyph_count:
            return ""
        if code == 0 or code >= self.glyph_count:
            return text or "?"
        if self.inked is not None and code not in self.inked and text.strip():
            return text
        return ""


def _parse_to_unicode(stream: Any) -> dict[int, str]:
    if stream is None:
        return {}
    data = stream.get_object().get_data().decode("latin-1")
    out: dict[int, str] = {}

    def text(hexs: str) -> str:
        return bytes.fromhex(hexs).decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            base = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + k) if base + k < 0x110000 else ""
    return out


class _State:
    def __init__(self) -> None:
        self.ctm = list(_IDENTITY)
        self.stack: list[Matrix] = []
        self.tm = list(_IDENTITY)
        self.tlm = list(_IDENTITY)
        self.font: _Font | None = None
        self.size = 0.0
        self.rise = 0.0
        self.char_space = 0.0
        self.word_space = 0.0
        self.scale = 1.0
        self.leading = 0.0

    def move(self, tx: float, ty: float) -> None:
        self.tlm = mult([1, 0, 0, 1, tx, ty], self.tlm)
        self.tm = list(self.tlm)


FontCache = dict[int, _Font]


def shown_texts(page: Any, cache: FontCache | None = None) -> list[ShownText]:
    """Every text-showing operator of `page` (its own content stream; text inside form
    XObjects is not followed). `cache` keeps fonts read between pages of one PDF."""
    contents = page.get_contents()
    if contents is None:
        return []
    resources = page.get("/Resources") or {}
    fonts_dict = resources.get("/Font") or {}
    cache = {} if cache is None else cache
    fonts: dict[str, _Font] = {}
    for name, ref in fonts_dict.items():
        key = getattr(ref, "idnum", None)
        font = cache.get(key) if key is not None else None
        if font is None:
            font = _Font(ref.get_object())
            if key is not None:
                cache[key] = font
        fonts[str(name)] = font
    st = _State()
    out: list[ShownText] = []
    for operands, op in ContentStream(contents, page.pdf).operations:
        _step(st, op, operands, fonts, out)
    return out


def _step(
    st: _State,
    op: bytes,
    operands: list[Any],
    fonts: dict[str, _Font],
    out: list[ShownText],
) -> None:
    if op == b"q":
        st.stack.append(st.ctm)
    elif op == b"Q" and st.stack:
        st.ctm = st.stack.pop()
    elif op == b"cm":
        st.ctm = mult([float(x) for x in operands], st.ctm)
    elif op == b"BT":
        st.tm, st.tlm = list(_IDENTITY), list(_IDENTITY)
    elif op == b"Tm":
        st.tlm = [float(x) for x in operands]
        st.tm = list(st.tlm)
    elif op == b"Td":
        st.move(float(operands[0]), float(operands[1]))
    elif op == b"TD":
        st.leading = -float(operands[1])
        st.move(float(operands[0]), float(operands[1]))
    elif op == b"T*":
        st.move(0.0, -st.leading)
    elif op == b"TL":
        st.leading = float(operands[0])
    elif op == b"Tf":
        st.font, st.size = fonts.get(str(operands[0])), float(operands[1])
    elif op == b"Ts":
        st.rise = float(operands[0])
    elif op == b"Tc":
        st.char_space = float(operands[0])
    elif op == b"Tw":
        st.word_space = float(operands[0])
    elif op == b"Tz":
        st.scale = float(operands[0]) / 100
    elif op in (b"Tj", b"TJ", b"'", b'"'):
        if op in (b"'", b'"'):
            st.move(0.0, -st.leading)
        items = operands[0] if op == b"TJ" else [operands[-1]]
        shown = _show(st, items)
        if shown is not None:
            out.append(shown)


def _bytes(item: Any) -> bytes | None:
    """The bytes of a string operand (pypdf decodes some to text), None for a number."""
    original = getattr(item, "original_bytes", None)
    if original is not None:
        return bytes(original)
    if isinstance(item, bytes):
        return bytes(item)
    if isinstance(item, str):
        return item.encode("latin-1", errors="replace")
    return None


def _show(st: _State, items: Any) -> ShownText | None:
    font = st.font
    if font is None:
        return None
    start = _apply(mult(st.tm, st.ctm), 0.0, st.rise)
    text, missing = [], []
    for item in items:
        data = _bytes(item)
        if data is not None:
            for code in font.codes(data):
                w = font.widths.get(code, font.default_width) / 1000
                space = st.word_space if not font.two_byte and code == 32 else 0.0
                tx = (w * st.size + st.char_space + space) * st.scale
                st.tm = mult([1, 0, 0, 1, tx, 0], st.tm)
                text.append(font.to_unicode.get(code, ""))
                missing.append(font.missing(code))
        else:  # a number in a TJ array: thousandths of the font size, leftwards
            tx = -float(item) / 1000 * st.size * st.scale
            st.tm = mult([1, 0, 0, 1, tx, 0], st.tm)
    end = _apply(mult(st.tm, st.ctm), 0.0, st.rise)
    return ShownText("".join(text), start, end, font.name, "".join(missing))
