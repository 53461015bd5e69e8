"""Progress: a bar per page on a terminal, plain lines in CI logs."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from tqdm import tqdm


class Progress:
    """Counts pages; draws a tqdm bar on a TTY and prints one line per page otherwise."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._total = total
        self._done = 0
        self._label = label
        self._bar: Any = None  # a tqdm bar on a terminal
        if self._stream.isatty():
            self._bar = tqdm(total=total, desc=label, unit="page", file=self._stream)

    def advance(self, detail: str) -> None:
        self._done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(detail, refresh=False)
            self._bar.update(1)
        else:
            print(f"{self._label} {self._done}/{self._total}: {detail}", file=self._stream)

    def note(self, message: str) -> None:
        if self._bar is not None:
            self._bar.write(message, file=self._stream)
        else:
            print(message, file=self._stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
