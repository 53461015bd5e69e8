"""`install`: write the workflows and the issue form into a repository."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from bot.commands.base import Command, typed
from bot.runtime import Runtime


@dataclass(frozen=True)
class InstallArgs:
    repo: Path
    action: str
    force: bool


def install(args: InstallArgs, rt: Runtime) -> int:
    from bot.github.install import install

    for line in install(args.repo, args.action, force=args.force):
        print(line)
    return 0


def _configure(p: argparse.ArgumentParser) -> None:
    from bot.github.install import DEFAULT_ACTION

    p.add_argument("--repo", type=Path, default=Path("."), metavar="DIR", help="default: .")
    p.add_argument(
        "--action",
        default=DEFAULT_ACTION,
        metavar="REF",
        help="the bot's action, OWNER/REPO@REF (pin a release or a full SHA)",
    )
    p.add_argument("--force", action="store_true", help="replace files that differ")


COMMANDS = (
    Command(
        "install",
        "write the workflows and the issue form into a repository",
        """
        Write the bot's workflows (.github/workflows/ebook-*.yml, create-pr.yml) and the
        "Coloring book" issue form into the repository at DIR, using the bot's action at
        REF. Files you changed are kept unless --force.
        """,
        ("ebook-bot install --repo . --action OWNER/ebook-bot@FULL_COMMIT_SHA",),
        _configure,
        typed(InstallArgs, install),
    ),
)
