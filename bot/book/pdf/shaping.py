"""Text to positioned glyphs: the Unicode bidi algorithm orders the runs, HarfBuzz shapes
each run in its font (Arabic joining, ligatures, marks, kerning, Indic reordering).

Pure and cached per (font file, text): a glyph's advance and offsets are in thousandths of
an em, the unit of a PDF font's widths.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from bidi import algorithm as uba


@dataclass(frozen=True)
class Glyph:
    """One shaped glyph: `text` is the characters it stands for ('' for the second and
    later glyphs of one cluster), advance and offsets in 1/1000 em."""

    gid: int
    text: str
    advance: float
    dx: float
    dy: float


@functools.lru_cache(maxsize=32)
def _hb_font(path: Path) -> tuple[hb.Font, int]:
    blob = hb.Blob.from_file_path(str(path))
    face = hb.Face(blob)
    return hb.Font(face), face.upem


@functools.lru_cache(maxsize=4096)
def shape(path: Path, text: str, rtl: bool) -> tuple[Glyph, ...]:
    """`text` (one direction, one font) shaped by HarfBuzz, in visual order (left to right)."""
    font, upem = _hb_font(path)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    scale = 1000 / upem
    infos, positions = buf.glyph_infos, buf.glyph_positions
    texts = _glyph_texts(font, text, [info.codepoint for info in infos], [i.cluster for i in infos])
    return tuple(
        Glyph(info.codepoint, t, pos.x_advance * scale, pos.x_offset * scale, pos.y_offset * scale)
        for info, pos, t in zip(infos, positions, texts, strict=True)
    )


def _glyph_texts(font: hb.Font, text: str, gids: list[int], clusters: list[int]) -> list[str]:
    """The characters each glyph stands for (for the PDF's ToUnicode map): in a cluster of
    several glyphs, a glyph that is a character's own (its cmap glyph) gets that character,
    the others share the rest in order; the first of a ligature gets all its characters."""
    starts = sorted(set(clusters))
    ends = {s: (starts[i + 1] if i + 1 < len(starts) else len(text)) for i, s in enumerate(starts)}
    out = [""] * len(gids)
    for start in starts:
        members = [i for i, c in enumerate(clusters) if c == start]
        chars = list(text[start : ends[start]])
        for ch in list(chars):
            own = font.get_nominal_glyph(ord(ch))
            match = next((i for i in members if gids[i] == own and not out[i]), None)
            if match is not None:
                out[match] = ch
                chars.remove(ch)
        rest = [i for i in members if not out[i]]
        if len(rest) == len(chars):
            for i, ch in zip(rest, chars, strict=True):
                out[i] = ch
        elif rest:
            out[rest[0]] = "".join(chars)
        elif chars:
            out[members[0]] += "".join(chars)
    return out


def bidi_runs(text: str) -> list[tuple[str, bool]]:
    """`text` (one line) as runs of one direction, (run, right_to_left), in visual order
    from left to right (rules X1-I2 and L2 of the Unicode bidi algorithm)."""
    if not text:
        return []
    if all(ord(c) < 0x590 for c in text):  # no right-to-left character: one run
        return [(text, False)]
    storage = uba.get_empty_storage()
    base = uba.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    uba.get_embedding_levels(text, storage, False, False)
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels = [int(ch["level"]) for ch in storage["chars"]]
    chars = [str(ch["ch"]) for ch in storage["chars"]]  # X9 removed the format characters
    runs: list[tuple[str, int]] = []
    for ch, level in zip(chars, levels, strict=True):
        if runs and runs[-1][1] == level:
            runs[-1] = (runs[-1][0] + ch, level)
        else:
            runs.append((ch, level))
    # L2: from the highest level down to the lowest odd one, reverse every sequence of
    # runs at that level or higher
    order = list(range(len(runs)))
    top = max(levels)
    lowest_odd = min(lv for lv in levels if lv % 2) if any(lv % 2 for lv in levels) else top + 1
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if runs[order[i]][1] >= level:
                j = i
                while j < len(order) and runs[order[j]][1] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [(runs[k][0], runs[k][1] % 2 == 1) for k in order]


def right_to_left(text: str) -> bool:
    """Whether a paragraph's first strong character is right-to-left (rules P2-P3)."""
    return bool(uba.get_base_level(text))
