"""Cover colours: a harmonious palette from the spec's two colours, and WCAG contrast.

Pure functions on '#rrggbb' strings. Hues are picked in OKLCH (perceptual lightness, chroma,
hue; Björn Ottosson's OKLab), contrast follows WCAG 2.x relative luminance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.book.spec import Audience, BookSpec

MIN_CONTRAST = 4.5  # WCAG AA for normal text; the cover holds every text to it
GREY_CHROMA = 0.03  # below this a colour has no usable hue
# fill tints for the art: (lightness, chroma) pairs, light enough for black lines to read
_TINTS = ((0.92, 0.06), (0.82, 0.13))
_VIVID_TINTS = ((0.92, 0.07), (0.80, 0.17))  # young children's books: brighter fills
YELLOW_HUE = 100.0  # OKLCH: yellows turn olive unless they are lighter than other hues
# analogous neighbours and the split complement of the base hue, in degrees
_HUE_OFFSETS = (0.0, 35.0, -35.0, 150.0, 210.0)

RGB = tuple[float, float, float]


def hex_to_rgb(colour: str) -> RGB:
    """'#rrggbb' as sRGB components in 0..1."""
    value = colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def rgb_to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def luminance(colour: str) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in hex_to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def to_oklch(colour: str) -> tuple[float, float, float]:
    """(lightness 0..1, chroma, hue in degrees)."""
    r, g, b = (_linear(c) for c in hex_to_rgb(colour))
    lm = 0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b
    mm = 0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b
    sm = 0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b
    l_, m_, s_ = (math.copysign(abs(v) ** (1 / 3), v) for v in (lm, mm, sm))
    lab_l = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_
    lab_a = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_
    lab_b = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_
    return lab_l, math.hypot(lab_a, lab_b), math.degrees(math.atan2(lab_b, lab_a)) % 360


def _oklch_rgb(lightness: float, chroma: float, hue: float) -> RGB:
    a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
    l_ = lightness + 0.3963377774 * a + 0.2158037573 * b
    m_ = lightness - 0.1055613458 * a - 0.0638541728 * b
    s_ = lightness - 0.0894841775 * a - 1.2914855480 * b
    lm, mm, sm = l_**3, m_**3, s_**3
    return (
        4.0767416621 * lm - 3.3077115913 * mm + 0.2309699292 * sm,
        -1.2684380046 * lm + 2.6097574011 * mm - 0.3413193965 * sm,
        -0.0041960863 * lm - 0.7034186168 * mm + 1.7076147010 * sm,
    )


def from_oklch(lightness: float, chroma: float, hue: float) -> str:
    """The sRGB colour nearest to (L, C, h): chroma is reduced until it fits the gamut."""
    lightness = min(1.0, max(0.0, lightness))
    for _ in range(40):
        rgb = _oklch_rgb(lightness, chroma, hue)
        if all(-1e-4 <= c <= 1 + 1e-4 for c in rgb):
            break
        chroma *= 0.9
    else:
        rgb = _oklch_rgb(lightness, 0.0, hue)
    return rgb_to_hex(tuple(_gamma(min(1.0, max(0.0, c))) for c in rgb))  # type: ignore[arg-type]


def ensure_contrast(text: str, under: str, minimum: float = MIN_CONTRAST) -> str:
    """`text`, or the nearest colour of its hue (darker or lighter) with `minimum` contrast
    against `under`."""
    if contrast_ratio(text, under) >= minimum:
        return text
    lightness, chroma, hue = to_oklch(text)
    # go the way that can reach the contrast: towards black or towards white
    darker = contrast_ratio("#000000", under) >= contrast_ratio("#ffffff", under)
    lo, hi = (0.0, lightness) if darker else (lightness, 1.0)
    best = "#000000" if darker else "#ffffff"
    for _ in range(30):  # bisect for the step that is just enough, keeping the hue
        mid = (lo + hi) / 2
        candidate = from_oklch(mid, chroma, hue)
        if contrast_ratio(candidate, under) >= minimum:
            best = candidate
            lo, hi = (mid, hi) if darker else (lo, mid)
        else:
            lo, hi = (lo, mid) if darker else (mid, hi)
    return best


def mix(a: str, b: str, t: float) -> str:
    """`a` moved a fraction `t` towards `b` (in sRGB)."""
    ra, rb = hex_to_rgb(a), hex_to_rgb(b)
    return rgb_to_hex(tuple(x + (y - x) * t for x, y in zip(ra, rb, strict=True)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CoverPalette:
    """The colours of one cover."""

    background: str  # the wrap's ground and the title plate
    ink: str  # title, subtitle, author and blurb: title_color, adjusted for contrast
    accent: str  # the badge's plate
    accent_ink: str  # text on the accent
    fills: tuple[str, ...]  # light tints the art is coloured with
    line: str  # the art's outlines
    base_hue: float

    @property
    def shadow(self) -> str:
        return mix(self.background, "#000000", 0.35)


def _tint_lightness(lightness: float, hue: float) -> float:
    """Lift the lightness of hues near yellow (up to +0.08), where a mid tint looks olive."""
    near = max(0.0, math.cos(math.radians(hue - YELLOW_HUE))) ** 4
    return min(0.97, lightness + 0.08 * near)


def base_hue(background: str, title_color: str, fallback: float) -> float:
    """The hue the palette grows from: the background's, else the title colour's."""
    for colour in (background, title_color):
        _, chroma, hue = to_oklch(colour)
        if chroma >= GREY_CHROMA:
            return hue
    return fallback % 360


def cover_palette(
    background: str, title_color: str, *, fallback_hue: float = 200.0, vivid: bool = False
) -> CoverPalette:
    """A few related hues (analogous and split-complementary) around the spec's colours."""
    hue = base_hue(background, title_color, fallback_hue)
    fills = tuple(
        from_oklch(_tint_lightness(lightness, hue + offset), chroma, hue + offset)
        for lightness, chroma in (_VIVID_TINTS if vivid else _TINTS)
        for offset in _HUE_OFFSETS
    )
    bg_l, _, _ = to_oklch(background)
    # the accent stands out from the ground: the split complement, away from its lightness
    accent = from_oklch(0.42 if bg_l > 0.6 else 0.82, 0.15, hue + 180.0)
    on_white = contrast_ratio("#ffffff", accent) >= contrast_ratio("#000000", accent)
    accent_ink = "#ffffff" if on_white else "#141414"
    return CoverPalette(
        background=background,
        ink=ensure_contrast(title_color, background),
        accent=accent,
        accent_ink=ensure_contrast(accent_ink, accent),
        fills=fills,
        line="#1c1c1c",
        base_hue=hue,
    )


def spec_palette(spec: BookSpec) -> CoverPalette:
    """The palette of a book's cover: brighter for young children; the seed picks the hue
    only when both of the spec's colours are greys (137.5 degrees, the golden angle,
    spreads seeds round the wheel)."""
    vivid = spec.audience in (Audience.AGES_3_5, Audience.AGES_6_8)
    return cover_palette(
        spec.cover.background,
        spec.cover.title_color,
        fallback_hue=spec.seed * 137.508,
        vivid=vivid,
    )
