"""Logging: a level from EBOOK_BOT_LOG_LEVEL, one line per stage with its time, and under
GitHub Actions `::group::` folds and `::warning::` / `::error::` annotations, so problems
show on the run page."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator

LOGGER = "bot"
_actions = False  # set once by `setup`: running under GitHub Actions


def in_actions() -> bool:
    return _actions


class ActionsFormatter(logging.Formatter):
    """Warnings and errors as workflow commands; the rest as plain lines."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        if record.levelno >= logging.ERROR:
            return "::error::" + message.replace("\n", "%0A")
        if record.levelno >= logging.WARNING:
            return "::warning::" + message.replace("\n", "%0A")
        return message


def setup(level: str = "INFO", *, actions: bool = False) -> None:
    """Configure the `bot` logger once (idempotent); `actions`: annotate for GitHub Actions."""
    global _actions
    _actions = actions
    name = level.upper()
    logger = logging.getLogger(LOGGER)
    logger.setLevel(getattr(logging, name, logging.INFO))
    for handler in list(logger.handlers):
        if getattr(handler, "_ebook_bot", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._ebook_bot = True  # type: ignore[attr-defined]
    handler.setFormatter(
        ActionsFormatter("%(message)s") if in_actions() else logging.Formatter("%(message)s")
    )
    logger.addHandler(handler)
    logger.propagate = True


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """A folded group on the run page, and one line with the stage's time."""
    log = logging.getLogger(f"{LOGGER}.stage")
    if in_actions():
        print(f"::group::{name}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    ok = False
    try:
        yield
        ok = True
    finally:
        if in_actions():
            print("::endgroup::", file=sys.stderr, flush=True)
        seconds = time.perf_counter() - started
        log.info("stage %s: %s in %.1f s", name, "done" if ok else "stopped", seconds)
