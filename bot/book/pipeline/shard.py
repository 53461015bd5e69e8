"""`--shard I/N`: one runner's fixed share of a book's pages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.book.assets import AssetKind
from bot.errors import UserInputError


@dataclass(frozen=True)
class Shard:
    """This worker makes pages I, I+N, I+2N... (1-based), and shard 1 the cover."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        left, sep, right = text.partition("/")
        if not (sep and left.isdigit() and right.isdigit()):
            raise UserInputError(f"--shard: expected I/N such as 2/4, got {text!r}")
        index, count = int(left), int(right)
        if not 1 <= index <= count <= 64:
            raise UserInputError(f"--shard: need 1 <= I <= N <= 64, got {text!r}")
        return cls(index, count)

    def owns(self, key: tuple[str, int]) -> bool:
        kind, idx = key
        if kind == AssetKind.COVER:
            return self.index == 1
        return idx % self.count == self.index - 1

    @property
    def single(self) -> bool:
        """One runner makes every page."""
        return self.count == 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
