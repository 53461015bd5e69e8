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
    unpinned: bool = False
    server: str = "https://github.com"


def install(args: InstallArgs, rt: Runtime) -> int:
    from bot.github.install import install

    lines = install(
        args.repo, args.action, force=args.force, pin=not args.unpinned, server=args.server
    )
    for line in lines:
        print(line)
    return 0


def _configure(p: argparse.ArgumentParser) -> None:
    from bot.github.install import DEFAULT_ACTION

    p.add_argument("--repo", type=Path, default=Path("."), metavar="DIR", help="default: .")
    p.add_argument(
        "--action",
        default=DEFAULT_ACTION,
        metavar="REF",
        help="the bot's action, OWNER/REPO@REF; a tag or branch is pinned to its full "
        "commit SHA (asked of --server with git ls-remote)",
    )
    p.add_argument("--force", action="store_true", help="replace files that differ")
    p.add_argument(
        "--unpinned", action="store_true", help="keep REF as given (a tag can be moved later)"
    )
    p.add_argument(
        "--server",
        default="https://github.com",
        metavar="URL",
        help="where the action's repository lives (GitHub Enterprise Server)",
    )


COMMANDS = (
    Command(
        "install",
        "write the workflows and the issue form into a repository",
        """
        Write the bot's workflows (.github/workflows/ebook-*.yml, create-pr.yml) and the
        "Coloring book" issue form into the repository at DIR, using the bot's action at
        REF, pinned to the full commit SHA REF names now (a tag can be moved; a SHA
        cannot). Files you changed are kept unless --force.
        """,
        ("ebook-bot install --repo . --action OWNER/ebook-bot@FULL_COMMIT_SHA",),
        _configure,
        typed(InstallArgs, install),
    ),
)
