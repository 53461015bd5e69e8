"""Every `ebook-bot` command: one module per command or small family, each a typed function
with its own parser section (`Command`); `bot.cli` combines them and handles errors."""

from __future__ import annotations

from bot.commands import book, check, github, install, job, lineart, ops, sender, spec_tools
from bot.commands.base import Command

COMMANDS: tuple[Command, ...] = (
    *book.COMMANDS,
    *check.COMMANDS,
    *lineart.COMMANDS,
    *spec_tools.COMMANDS,
    *github.COMMANDS,
    *sender.COMMANDS,
    *install.COMMANDS,
    *job.COMMANDS,
    *ops.COMMANDS,
)

__all__ = ["COMMANDS", "Command"]
