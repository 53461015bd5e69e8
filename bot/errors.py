"""Expected errors: each becomes one clear message and an exit code, never a traceback."""

from __future__ import annotations


class BotError(Exception):
    """An expected failure the user can act on; `exit_code` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def lines(self) -> list[str]:
        """The message, then one line per problem."""
        return [self.message, *(f"  {p}" for p in self.problems)]


class UserInputError(BotError):
    """Bad input from a person (a spec, an option, an issue body): exit 2."""

    exit_code = 2


class SpecError(UserInputError):
    """A spec file that cannot be loaded or does not validate."""


class PreflightError(BotError):
    """A built PDF broke a print rule."""


class QualityError(BotError):
    """Pages still failed line-art QA after their retries (only with --strict)."""
