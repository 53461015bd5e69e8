"""What a command is: a name, its help, its own parser section and a typed function.

Each command's options are a frozen dataclass whose fields are its argparse `dest`s, made
from the parsed namespace in one place (`typed`), so a command body never reads an
untyped `Namespace`.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields, is_dataclass
from typing import Any, TypeVar

from bot.runtime import Runtime

A = TypeVar("A")
Runner = Callable[[argparse.Namespace, Runtime], int]


@dataclass(frozen=True)
class Command:
    """One `ebook-bot` command."""

    name: str
    summary: str  # the phrase in the top-level command list
    description: str  # the paragraph of its own --help
    examples: tuple[str, ...]  # shown under "examples:" in its --help
    configure: Callable[[argparse.ArgumentParser], None]  # its options
    run: Runner

    @property
    def epilog(self) -> str:
        lines = "\n".join(f"  {example}" for example in self.examples)
        return f"examples:\n{lines}" if self.examples else ""

    @property
    def help_text(self) -> str:
        return inspect.cleandoc(self.description)


def typed(options: type[A], body: Callable[[A, Runtime], int]) -> Runner:
    """`body` called with `options` built from the namespace (fields = argparse dests)."""
    if not is_dataclass(options):
        raise TypeError(f"{options.__name__} is not a dataclass")

    def run(namespace: argparse.Namespace, rt: Runtime) -> int:
        # a field with a default may be an option this command's parser does not have
        values: dict[str, Any] = {
            f.name: getattr(namespace, f.name)
            if f.default is MISSING
            else getattr(namespace, f.name, f.default)
            for f in fields(options)
        }
        return body(options(**values), rt)

    return run
