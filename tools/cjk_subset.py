"""Make bot/fonts/NotoSansCJKsc-Bold-subset.ttf: Noto Sans CJK SC Bold cut to common
characters and converted to TrueType outlines (the PDF embedder takes glyf fonts).

The whole face is 20 MB (65,535 glyphs); the bundled cut keeps the Han characters of
GB 2312 (simplified Chinese), JIS X 0208 level 1 and part of level 2 (Japanese kanji) and
Big5 level 1 (traditional Chinese), the 2,350 Hangul syllables of KS X 1001, kana, CJK
punctuation and full-width forms. Text with a character outside the cut is refused up front.

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x
    python tools/cjk_subset.py x/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc \
        bot/fonts/NotoSansCJKsc-Bold-subset.ttf
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

sys.path.insert(0, str(Path(__file__).parent))
from otf2ttf import convert

SC_INDEX = 2  # "Noto Sans CJK SC Bold" in the collection
# (codec, lead bytes, trail bytes) of each legacy character set whose ideographs are kept
_SETS = (
    ("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF)),
    ("shift_jis", range(0x88, 0xA0), range(0x40, 0xFD)),
    ("big5", range(0xA4, 0xC7), range(0x40, 0xFF)),
    ("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF)),
)
_RANGES = (
    range(0x3000, 0x3040),  # CJK symbols and punctuation
    range(0x3040, 0x3100),  # hiragana, katakana
    range(0x3130, 0x3190),  # Hangul compatibility jamo
    range(0x31F0, 0x3200),  # katakana phonetic extensions
    range(0xFF01, 0xFF5F),  # full-width forms
    range(0xFF61, 0xFFA0),  # half-width katakana
)
# horizontal text only: vertical forms and regional variants are left out
FEATURES = ["ccmp", "kern", "liga", "halt", "palt"]


def codepoints() -> set[int]:
    out: set[int] = set()
    for codec, leads, trails in _SETS:
        for lead in leads:
            for trail in trails:
                try:
                    out.update(ord(c) for c in bytes([lead, trail]).decode(codec))
                except UnicodeDecodeError:
                    continue
    for r in _RANGES:
        out.update(r)
    return out


def main(src: str, dst: str) -> None:
    font = TTFont(src, fontNumber=SC_INDEX, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = ["*"]
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=codepoints())
    sub.subset(font)
    with tempfile.TemporaryDirectory() as tmp:
        cff = Path(tmp) / "cut.otf"
        font.save(cff)
        convert(str(cff), dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
