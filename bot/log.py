"""Logging: a level from EBOOK_BOT_LOG_LEVEL, one line per stage with its time, and under
GitHub Actions `::group::` folds and `::warning::` / `::error::` annotations, so problems
show on the run page.

Every line the bot prints goes through `redact`: the secrets `setup` was given (token,
database password, API key, Drive key) never reach the terminal or a log, whatever library
put them into an error message. Other libraries' log records and Python warnings
(transformers, diffusers, pypdf...) are shown only at DEBUG.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from bot.text import safe_text

LOGGER = "bot"
MASK = "***"
_actions = False  # set once by `setup`: running under GitHub Actions
_secrets: tuple[str, ...] = ()


def in_actions() -> bool:
    return _actions


def redact(text: str) -> str:
    """`text` with every known secret (and its URL-quoted form) masked."""
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


class _Redacting:
    """A text stream that masks secrets in what is written through it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def redacted_output() -> Iterator[None]:
    """stdout and stderr mask the secrets for as long as the block runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Redacting(sys.stdout), _Redacting(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _Formatter(logging.Formatter):
    """Plain lines, secrets masked; under Actions warnings and errors as workflow commands."""

    def format(self, record: logging.LogRecord) -> str:
        # a file name in a message may hold controls (an escape sequence rewrites the
        # terminal): each line printed with them escaped
        message = "\n".join(safe_text(line) for line in redact(super().format(record)).split("\n"))
        if not _actions:
            return message
        if record.levelno >= logging.ERROR:
            return "::error::" + message.replace("\n", "%0A")
        if record.levelno >= logging.WARNING:
            return "::warning::" + message.replace("\n", "%0A")
        return message


class _NotOurs(logging.Filter):
    """Records from other libraries only (the bot's own have their handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(LOGGER)


def setup(level: str = "INFO", *, actions: bool = False, secrets: Iterable[str] = ()) -> None:
    """Configure logging once per process (idempotent); `actions`: annotate for GitHub
    Actions; `secrets`: values never to print."""
    global _actions, _secrets
    from urllib.parse import quote

    _actions = actions
    values = {s for s in secrets if s and len(s) >= 4}
    _secrets = tuple(sorted(values | {quote(s, safe="") for s in values}, key=len, reverse=True))
    debug = level.upper() == "DEBUG"
    ours = _replace_handler(logging.getLogger(LOGGER), logging.StreamHandler(sys.stderr))
    ours.setLevel(getattr(logging, level.upper(), logging.INFO))
    # other libraries: on the terminal at DEBUG only (Python's last-resort handler would
    # print their warnings otherwise)
    theirs = logging.StreamHandler(sys.stderr) if debug else logging.NullHandler()
    theirs.addFilter(_NotOurs())
    _replace_handler(logging.getLogger(), theirs).setLevel(logging.DEBUG if debug else 100)
    logging.captureWarnings(True)
    warnings.simplefilter("default" if debug else "ignore")


def _replace_handler(logger: logging.Logger, handler: logging.Handler) -> logging.Logger:
    for old in list(logger.handlers):
        if getattr(old, "_ebook_bot", False):
            logger.removeHandler(old)
    handler._ebook_bot = True  # type: ignore[attr-defined]
    root = logger.name == "root"
    handler.setFormatter(_Formatter("%(name)s: %(message)s" if root else "%(message)s"))
    logger.addHandler(handler)
    return logger


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
