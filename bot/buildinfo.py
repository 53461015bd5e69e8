"""Which ebook-bot is installed here: its version, a hash of its sources, its extras.

`python -P -m bot.buildinfo` prints them as JSON; `--matches DIR --extras gpu,postgres`
exits 0 only when the installed package has the same sources as DIR (the action's own `bot/`
folder) and every extra is importable, so the action can skip its pip install on a prepared
runner and never run a stale image's older code.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from bot import __version__

# What each extra brings that the bot imports (pyproject's optional-dependencies).
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "gpu": ("torch", "diffusers"),
    "postgres": ("psycopg2",),
    "drive": ("googleapiclient",),
}
# The files a wheel installs under bot/: modules and package data, not caches.
SOURCE_SUFFIXES = (".py", ".pyi", ".yml", ".mako", ".ttf", ".txt", ".typed")


def source_files(root: Path) -> list[str]:
    """The package's source files under `root`, as sorted POSIX paths relative to it."""
    found = []
    # followlinks: the repository's templates/workflows is a link to the one source
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        rel = Path(folder).relative_to(root)
        found += [(rel / f).as_posix() for f in files if f.endswith(SOURCE_SUFFIXES)]
    return sorted(found)


def source_hash(root: Path) -> str:
    """SHA-256 over the source files' paths and contents: equal only for the same code."""
    digest = hashlib.sha256()
    for rel in source_files(root):
        data = (root / rel).read_bytes()
        # path and length framed, so moving bytes between files changes the hash
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_extras(
    extras: Iterable[str], importable: Callable[[str], bool] = _importable
) -> list[str]:
    """'EXTRA (no module M)' for each wanted extra that is unknown or not importable here."""
    missing = []
    for extra in extras:
        modules = EXTRA_MODULES.get(extra)
        if modules is None:
            missing.append(f"{extra} (not an extra of ebook-bot)")
            continue
        absent = [m for m in modules if not importable(m)]
        if absent:
            missing.append(f"{extra} (no module {', '.join(absent)})")
    return missing


def installed_root() -> Path:
    """The folder of the bot package this interpreter imports."""
    return Path(__file__).resolve().parent


def check(action_bot: Path, extras: Sequence[str]) -> tuple[bool, str]:
    """Whether the installed bot can stand in for the action's; one line saying why."""
    mine = source_hash(installed_root())[:12]
    if not action_bot.is_dir():
        return False, f"{action_bot} is not a folder"
    theirs = source_hash(action_bot)[:12]
    if mine != theirs:
        return False, (
            f"the installed ebook-bot {__version__} (sources {mine}) is not the action's "
            f"(sources {theirs})"
        )
    missing = missing_extras(extras)
    if missing:
        return False, f"the installed ebook-bot lacks the extras {'; '.join(missing)}"
    return True, (
        f"using the ebook-bot {__version__} (sources {mine}) installed on this runner; "
        "skipping pip install"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the build info, or check it against the action's folder (exit 1: no match)."""
    parser = argparse.ArgumentParser(prog="python -m bot.buildinfo", description=__doc__)
    parser.add_argument("--matches", type=Path, metavar="DIR", help="the action's bot/ folder")
    parser.add_argument("--extras", default="", metavar="A,B", help="extras that must import")
    args = parser.parse_args(argv)
    if args.matches is None:
        info = {"version": __version__, "sources": source_hash(installed_root())}
        print(json.dumps({**info, "path": str(installed_root())}))
        return 0
    ok, message = check(args.matches, [e for e in args.extras.split(",") if e])
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
