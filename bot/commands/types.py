"""argparse value types: each refuses a bad value with a message naming what it wants."""

from __future__ import annotations

import argparse

from bot.bookref import MAX_ISSUE

MAX_PAGES = 400  # bot.book.spec.MAX_PAGES (not imported: --help must not load pydantic)


def page_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_PAGES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PAGES}")
    return value


def issue_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ISSUE:
        raise argparse.ArgumentTypeError(f"not an issue number: {text!r}")
    return int(text)


def object_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) < 2**53:
        raise argparse.ArgumentTypeError(f"not a GitHub id: {text!r}")
    return int(text)


def provider_name(text: str) -> str:
    from bot.book.providers import provider_names
    from bot.text import did_you_mean

    known = provider_names()
    if text not in known:
        hint = did_you_mean(text, known)
        raise argparse.ArgumentTypeError(
            f"unknown provider {text!r}{hint} (known: {', '.join(known)})"
        )
    return text
