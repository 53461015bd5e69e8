"""The `ebook-bot` command line: the parser combined from `bot.commands`, and one error
handler. Heavy modules are imported inside the commands, so `ebook-bot --help` stays fast
and the light core never loads torch."""

from __future__ import annotations

import argparse
import errno
import re
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from bot import __version__
from bot.commands import COMMANDS
from bot.errors import BotError
from bot.log import redact, redacted_output
from bot.runtime import Runtime
from bot.text import did_you_mean, safe_text

_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class Parser(argparse.ArgumentParser):
    """argparse with suggestions for a misspelt command, choice or option."""

    def error(self, message: str) -> NoReturn:
        match = _CHOICE.search(message)
        if match:
            choices = [c.strip().strip("'") for c in match.group(2).split(",")]
            message += did_you_mean(match.group(1), choices)
        super().error(message)

    def option_suggestions(self, unknown: Sequence[str]) -> list[str]:
        options = [o for action in self._actions for o in action.option_strings]
        return [
            f"unrecognized argument {word!r}{did_you_mean(word.split('=')[0], options)}"
            for word in unknown
        ]


def build_parser() -> Parser:
    parser = Parser(
        prog="ebook-bot",
        description="Turn a book spec (or a GitHub issue) into a print-ready coloring book.",
        epilog="Run `ebook-bot COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"ebook-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            help=command.summary,
            description=command.help_text,
            epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.configure(p)
        p.set_defaults(run=command.run)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _check_options(parser: Parser, argv: Sequence[str]) -> None:
    """A misspelt --option of the chosen command gets a suggestion before anything else
    (argparse would first complain that a required option is missing)."""
    chosen: argparse.ArgumentParser = parser
    for i, word in enumerate(argv):
        if word == "--":
            return
        command = _subcommands(chosen).get(word)
        if command is not None:
            chosen = command
            continue
        if word.startswith("--") and isinstance(chosen, Parser) and i:
            known = [o for action in chosen._actions for o in action.option_strings]
            if word.split("=")[0] not in known:
                chosen.error("; ".join(chosen.option_suggestions([word])))


def _parse(parser: Parser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse `argv`, with suggestions for misspelt commands, choices and options."""
    words = list(sys.argv[1:] if argv is None else argv)
    _check_options(parser, words)
    return parser.parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; expected errors become one clear message and a non-zero exit."""
    args = _parse(build_parser(), argv)
    rt = Runtime()
    with redacted_output():
        return _run(args, rt)


def _run(args: argparse.Namespace, rt: Runtime) -> int:
    actions = _setup_logging(rt)
    try:
        code: int = args.run(args, rt)
        return code
    except BotError as exc:
        _print_error(exc.lines(), actions)
        return exc.exit_code
    except OSError as exc:
        # a path the user gave that cannot be read or written: not a bug
        _print_error([_os_error(exc)], actions)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        # A bug, not a user mistake: a short traceback and where to report it.
        print(redact(traceback.format_exc(limit=-3)), file=sys.stderr, end="")
        message = "ebook-bot failed unexpectedly (a bug): please report the lines above"
        _print_error([message], actions)
        return 3


def _setup_logging(rt: Runtime) -> bool:
    """Logging from the settings; with broken settings, the defaults (the command that
    needs them reports the problem)."""
    from bot.log import setup

    try:
        s = rt.settings
    except BotError:
        setup("INFO")
        return False
    setup(s.log_level, actions=s.github_actions, secrets=s.secret_values())
    return s.github_actions


# what to do about the system's refusals that a user can act on
_OS_FIXES = {
    errno.EFBIG: "a file-size limit is in the way: raise it (ulimit -f) or write elsewhere",
    errno.ENOSPC: "the disk is full: free space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up: free space or write elsewhere",
    errno.EACCES: "permission denied: check the file's and its folder's permissions",
    errno.EPERM: "not permitted: check the file's and its folder's permissions",
    errno.EROFS: "a read-only filesystem: write elsewhere",
    errno.ELOOP: "a link loop (or a link where none is allowed): remove or fix the link",
}


def _os_error(exc: OSError) -> str:
    """'PATH: reason; fix' for an OSError, without the errno noise."""
    reason = exc.strerror or type(exc).__name__
    fix = _OS_FIXES.get(exc.errno or 0)
    if fix:
        reason = f"{reason} ({fix})"
    paths = [safe_text(str(p)) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else f"{reason}"


def _print_error(lines: list[str], actions: bool) -> None:
    # a file name in a message may hold controls: each line printed with them escaped
    lines = [part for line in lines for part in line.split("\n")]
    for i, line in enumerate(lines):
        text = safe_text(redact(line.strip() if actions or i == 0 else line))
        print(f"::error::{text}" if actions else text, file=sys.stderr)
