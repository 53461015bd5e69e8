"""The `ebook-bot` command line: the parser combined from `bot.commands`, and one error
handler. Heavy modules are imported inside the commands, so `ebook-bot --help` stays fast
and the light core never loads torch."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from bot import __version__
from bot.commands import COMMANDS
from bot.errors import BotError
from bot.runtime import Runtime

_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """' (did you mean X?)' for a close match among `options`, else ''."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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


def _parse(parser: Parser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse `argv`; an unknown option gets a suggestion from its own command's options."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = actions[0].choices[args.command] if actions else parser
        assert isinstance(chosen, Parser)
        chosen.error("; ".join(chosen.option_suggestions(unknown)))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; expected errors become one clear message and a non-zero exit."""
    args = _parse(build_parser(), argv)
    rt = Runtime()
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
        print(traceback.format_exc(limit=-3), file=sys.stderr, end="")
        message = "ebook-bot failed unexpectedly (a bug): please report the lines above"
        _print_error([message], actions)
        return 3


def _setup_logging(rt: Runtime) -> bool:
    """Logging from the settings; with broken settings, the defaults (the command that
    needs them reports the problem)."""
    from bot.log import setup

    try:
        level, actions = rt.settings.log_level, rt.settings.github_actions
    except BotError:
        level, actions = "INFO", False
    setup(level, actions=actions)
    return actions


def _os_error(exc: OSError) -> str:
    """'PATH: reason' for an OSError, without the errno noise."""
    reason = exc.strerror or type(exc).__name__
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else f"{reason}"


def _print_error(lines: list[str], actions: bool) -> None:
    for i, line in enumerate(lines):
        text = line.strip() if actions or i == 0 else line
        print(f"::error::{text}" if actions else text, file=sys.stderr)
