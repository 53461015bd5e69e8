"""Short one-line renderings of text for messages, tables and replies (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

# Controls (a file name may hold any byte but "/" and NUL: an escape sequence can rewrite
# the terminal), bidi marks and overrides (text shown in another order than stored), and
# the lone surrogates Python makes of bytes that are not UTF-8 (they cannot be printed)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def one_line(text: str | None, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut to `limit` with an
    ellipsis."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def shown(text: str, limit: int = 40) -> str:
    """Untrusted text, safe to quote in a reply: one line, short, no mentions or code."""
    return one_line(text.replace("`", "'").replace("@", "@\u200b"), limit)


def safe_text(text: str) -> str:
    """`text` (a file name, say) safe to print: controls, bidi marks and undecodable bytes
    escaped as Python writes them (`\\x1b`, `\\u202e`, `\\udcff`), the rest as it is."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """' (did you mean X?)' for a close match of `word` among `options`, else ''."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
