"""Short one-line renderings of text for messages, tables and replies (pure)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def one_line(text: str | None, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut to `limit` with an
    ellipsis."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def shown(text: str, limit: int = 40) -> str:
    """Untrusted text, safe to quote in a reply: one line, short, no mentions or code."""
    return one_line(text.replace("`", "'").replace("@", "@\u200b"), limit)


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """' (did you mean X?)' for a close match of `word` among `options`, else ''."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
