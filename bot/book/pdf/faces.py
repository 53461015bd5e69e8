"""Which bundled font prints each character, and the up-front refusal of text that none of
them can print (so a book never shows '?' or an empty box where a letter should be).

The main faces (DejaVu Sans, League Spartan for titles) print Latin, Greek, Cyrillic,
Armenian and Georgian; Noto Sans faces print Arabic, Hebrew, Devanagari and Thai; a cut of
Noto Sans CJK SC Bold prints the common Chinese, Japanese and Korean characters.
Pure: reads only the fonts' character maps (no spec, no PDF).
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources
from pathlib import Path

from fontTools import unicodedata as ucd
from fontTools.ttLib import TTFont

FONT_DIR = resources.files("bot") / "fonts"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
DISPLAY = "LeagueSpartan-Bold.ttf"  # titles: cover and title page (OFL, see LICENSE.txt)
CJK = "NotoSansCJKsc-Bold-subset.ttf"  # one weight: 3.5 MB for both (see LICENSE.txt)

# script code -> (regular face, bold face) for scripts the main faces do not print
SCRIPT_FACES: dict[str, tuple[str, str]] = {
    "Arab": ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    "Hebr": ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    "Deva": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    "Thai": ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    **{s: (CJK, CJK) for s in ("Hani", "Hira", "Kana", "Hang", "Bopo")},
}
SUPPORTED = (
    "Latin, Greek, Cyrillic, Armenian, Georgian, Arabic, Hebrew, Devanagari, Thai, "
    "and the common characters of Chinese, Japanese and Korean"
)
NEUTRAL = ("Zyyy", "Zinh", "Zzzz")  # common, inherited (marks), unknown: follow neighbours


def font_path(name: str) -> Path:
    return Path(str(FONT_DIR / name))


@functools.lru_cache(maxsize=32)
def cmap(name: str) -> frozenset[int]:
    """The code points the bundled font `name` has a glyph for."""
    font = TTFont(font_path(name), lazy=True)
    return frozenset(font.getBestCmap())


def fallback_faces(bold: bool) -> list[str]:
    """The script faces of one weight, each once, in a fixed order."""
    out: list[str] = []
    for pair in SCRIPT_FACES.values():
        name = pair[1] if bold else pair[0]
        if name not in out:
            out.append(name)
    return out


def script_of(ch: str) -> str:
    return str(ucd.script(ch))


def choose_faces(text: str, main: list[str], bold: bool) -> list[str | None]:
    """The font each character of `text` prints in (None: no bundled font has it).

    A character of a script with its own face takes that face; a neutral one (space,
    digit, punctuation, mark) stays in its neighbour's face when that face has it, so a
    run is shaped in one font."""
    chosen: list[str | None] = []
    for ch in text:
        script = script_of(ch)
        if script in SCRIPT_FACES:
            face = SCRIPT_FACES[script][1 if bold else 0]
            chosen.append(face if ord(ch) in cmap(face) else None)
        elif script in NEUTRAL:
            chosen.append(None if ch.isspace() else _any_face(ch, main, bold))
        else:
            chosen.append(next((f for f in main if ord(ch) in cmap(f)), None))
    # neutral characters join the face before them (or after them, at the start)
    for i, ch in enumerate(text):
        if script_of(ch) not in NEUTRAL:
            continue
        for j in (i - 1, i + 1):
            near = chosen[j] if 0 <= j < len(text) else None
            if near is not None and ord(ch) in cmap(near):
                chosen[i] = near
                break
        if chosen[i] is None and (ch.isspace() or ord(ch) in cmap(main[0])):
            chosen[i] = main[0]
    return chosen


def _any_face(ch: str, main: list[str], bold: bool) -> str | None:
    return next((f for f in [*main, *fallback_faces(bold)] if ord(ch) in cmap(f)), None)


def unprintable(text: str) -> str | None:
    """Why `text` cannot be printed with the bundled fonts (naming the script and the
    character), or None when every character has a glyph in both weights."""
    for main, bold in (([REGULAR], False), ([BOLD], True)):
        for ch, face in zip(text, choose_faces(text, main, bold), strict=True):
            if face is None:
                return _why(ch)
    return None


def _why(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed character")
    code = f"U+{ord(ch):04X}"
    script = script_of(ch)
    if script in SCRIPT_FACES:  # a rare character of a script we print
        what = f"the {ucd.script_name(script)} character {ch} ({code} {name})"
        return f"{what} is not in the bundled font; use a more common character"
    if script in NEUTRAL:
        kind = "an emoji" if unicodedata.category(ch) == "So" else "a symbol"
        return f"{ch} ({code} {name}) is {kind} no bundled font has; ebook-bot prints {SUPPORTED}"
    return (
        f"the {ucd.script_name(script)} script ({ch}, {code}) has no bundled font; "
        f"ebook-bot prints {SUPPORTED}"
    )
