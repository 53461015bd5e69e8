"""Page content streams: text, lines, rectangles and images, in points."""

from __future__ import annotations

import math

from bot.book.pdf.fonts import EmbeddedFont
from bot.book.pdf.shaping import Glyph
from bot.book.pdf.textface import TextFace
from bot.book.pdf.writer import fmt_num


def _n(*values: float) -> str:
    return " ".join(fmt_num(v) for v in values)


def hex_rgb(colour: str) -> tuple[float, float, float]:
    """'#rrggbb' as PDF colour components in 0..1."""
    value = colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


class Content:
    """Builds one content stream and remembers which fonts and images it uses."""

    def __init__(self) -> None:
        self._ops: list[bytes] = []
        self.fonts: dict[str, EmbeddedFont] = {}
        self.images: dict[str, object] = {}

    def raw(self, op: str) -> None:
        self._ops.append(op.encode("ascii"))

    def fill_colour(self, colour: str) -> None:
        self.raw(f"{_n(*hex_rgb(colour))} rg")

    def fill_rect(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        self.raw("q")
        self.fill_colour(colour)
        self.raw(f"{_n(x, y, w, h)} re f")
        self.raw("Q")

    def stroke_rect(
        self, x: float, y: float, w: float, h: float, width: float, colour: str | None = None
    ) -> None:
        stroke = f"{_n(*hex_rgb(colour))} RG" if colour else "0 G"
        self.raw(f"q {_n(width)} w {stroke} {_n(x, y, w, h)} re S Q")

    def fill_circle(self, cx: float, cy: float, r: float, colour: str) -> None:
        """A disc, as four Bezier quarter arcs."""
        k = 0.5523 * r  # control-point distance that best approximates a quarter circle
        self.raw(f"q {_n(*hex_rgb(colour))} rg {_n(cx + r, cy)} m")
        self.raw(f"{_n(cx + r, cy + k, cx + k, cy + r, cx, cy + r)} c")
        self.raw(f"{_n(cx - k, cy + r, cx - r, cy + k, cx - r, cy)} c")
        self.raw(f"{_n(cx - r, cy - k, cx - k, cy - r, cx, cy - r)} c")
        self.raw(f"{_n(cx + k, cy - r, cx + r, cy - k, cx + r, cy)} c f Q")

    def fill_pill(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        """A rectangle with half-round ends (`w` >= `h`)."""
        r = h / 2
        self.fill_rect(x + r, y, w - h, h, colour)
        self.fill_circle(x + r, y + r, r, colour)
        self.fill_circle(x + w - r, y + r, r, colour)

    def push_turn(self, cx: float, cy: float, degrees: float) -> None:
        """Save the state and move the origin to (cx, cy), turned by `degrees`; `pop` ends it."""
        a = math.radians(degrees)
        self.raw(f"q {_n(math.cos(a), math.sin(a), -math.sin(a), math.cos(a), cx, cy)} cm")

    def pop(self) -> None:
        self.raw("Q")

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float) -> None:
        self.raw(f"q {_n(width)} w 0 G {_n(x1, y1)} m {_n(x2, y2)} l S Q")

    def image(self, name: str, x: float, y: float, w: float, h: float) -> None:
        self.raw(f"q {_n(w, 0, 0, h, x, y)} cm /{name} Do Q")

    def text(
        self,
        face: TextFace,
        size: float,
        x: float,
        y: float,
        text: str,
        *,
        align: str = "left",
        colour: str | None = None,
        rotate: bool = False,
    ) -> None:
        """One line of shaped text; `x` is the left, centre or right edge by `align`.

        With `rotate`, the line runs top to bottom (a spine) and `x`, `y` are its start.
        """
        width = face.width(text, size)
        if align == "center":
            offset = width / 2
        elif align == "right":
            offset = width
        else:
            offset = 0.0
        fill = f"{_n(*hex_rgb(colour))} rg " if colour else "0 g "
        out = [f"q {fill}BT".encode("ascii")]
        for piece in face.layout(text):
            font = piece.font
            self.fonts[font.resource] = font
            font.use(piece.glyphs)
            start = piece.x * size / 1000 - offset  # from the anchor along the line
            matrix = _n(0, -1, 1, 0, x, y - start) if rotate else _n(1, 0, 0, 1, x + start, y)
            out.append(f"/{font.resource} {_n(size)} Tf {matrix} Tm".encode("ascii"))
            out += _show(font, piece.glyphs, size)
        out.append(b"ET Q")
        self._ops.append(b" ".join(out))

    def data(self) -> bytes:
        return b"\n".join(self._ops) + b"\n"


def _show(font: EmbeddedFont, glyphs: tuple[Glyph, ...], size: float) -> list[bytes]:
    """TJ arrays that put each glyph where shaping placed it: the array's numbers move
    the pen by the difference between the shaped advance (kerning, marks) and the font's
    width, and a glyph raised or lowered (a mark) gets its own text rise (Ts)."""
    out: list[bytes] = []
    rise = 0.0
    array: list[str] = []

    def flush() -> None:
        if array:
            out.append(("[" + " ".join(array) + "] TJ").encode("ascii"))
            array.clear()

    for g in glyphs:
        if g.dy != rise:
            flush()
            rise = g.dy
            out.append(f"{_n(rise * size / 1000)} Ts".encode("ascii"))
        if g.dx:
            array.append(_n(-g.dx))
        array.append(f"<{g.gid:04X}>")
        after = font.pdf_width(g.gid) - g.advance + g.dx
        if abs(after) > 0.005:
            array.append(_n(after))
    flush()
    if rise:
        out.append(b"0 Ts")
    return out
