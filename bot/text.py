"""Short one-line renderings of text for messages, tables and replies (pure)."""

from __future__ import annotations


def one_line(text: str | None, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut to `limit` with an
    ellipsis."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def shown(text: str, limit: int = 40) -> str:
    """Untrusted text, safe to quote in a reply: one line, short, no mentions or code."""
    return one_line(text.replace("`", "'").replace("@", "@\u200b"), limit)
