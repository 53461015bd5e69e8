"""The names of one book, from its issue number (a pure value used by both sides).

Every name is built from the number, never from untrusted text: the branch, the spec's
path, the book's folder, the ledger's key and the generation run's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_ISSUE = 999_999_999
_BRANCH = re.compile(r"ebook-generation-([1-9]\d{0,8})")
_SPEC_FILE = re.compile(r"ebook-([1-9]\d{0,8})\.ya?ml")


@dataclass(frozen=True)
class BookRef:
    """Book number `issue`: the issue that asked for it."""

    issue: int

    def __post_init__(self) -> None:
        if not 1 <= self.issue <= MAX_ISSUE:
            raise ValueError(f"not an issue number: {self.issue}")

    @property
    def branch(self) -> str:
        """The book's branch: its spec, then its pages and PDFs, and its draft PR's head."""
        return f"ebook-generation-{self.issue}"

    @property
    def spec_path(self) -> str:
        """Relative to the repository root, on the book's branch."""
        return f"specs/ebook-{self.issue}.yaml"

    @property
    def book_dir(self) -> str:
        """Where the finished book is committed, relative to the repository root."""
        return f"books/ebook-{self.issue}"

    @property
    def work_dir(self) -> str:
        """The runner's work folder for this book, relative to the state folder."""
        return f"work/ebook-{self.issue}"

    @property
    def ledger_key(self) -> str:
        """The book's name in the run ledger (and its Google Drive folder's property)."""
        return f"issue-{self.issue}"

    @property
    def run_title(self) -> str:
        """The generation run's name (its workflow's `run-name`), which `/cancel` looks for."""
        return f"ebook book #{self.issue}"

    @property
    def shown(self) -> str:
        """How messages name the book."""
        return f"#{self.issue}"

    @classmethod
    def from_branch(cls, name: str) -> BookRef | None:
        """The book whose branch is `name`, or None for any other branch."""
        match = _BRANCH.fullmatch(name)
        return cls(int(match.group(1))) if match else None

    @classmethod
    def from_spec_file(cls, path: str) -> BookRef | None:
        """The book whose spec file is named `path` (`.../ebook-N.yaml`), or None."""
        match = _SPEC_FILE.fullmatch(PurePosixPath(path).name)
        return cls(int(match.group(1))) if match else None
