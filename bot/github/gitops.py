"""Git in the job's checkout: one commit for the whole book, pushed to the book's branch.

Every argument is passed as a list (never through a shell); branch names are built from
the issue number, never taken from untrusted text.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bot.errors import BotError

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


class GitError(BotError):
    """A git command failed in the checkout."""


def auth_env(token: str, server_url: str) -> dict[str, str]:
    """Git config for one command, passed in the environment: the token is never written to
    .git/config (so no later step or artifact can leak it) and never appears in argv."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{server_url.rstrip('/')}/.extraheader",
        "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
        "GIT_TERMINAL_PROMPT": "0",
    }


def git(checkout: Path, *args: str, env: dict[str, str] | None = None) -> str:
    try:
        result = subprocess.run(
            ["git", "-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}", *args],
            cwd=checkout,
            env={**os.environ, **env} if env else None,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed on this runner") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else result.returncode}")
    return result.stdout.strip()


def commit_and_push(
    checkout: Path,
    paths: Sequence[str],
    message: str,
    branch: str,
    *,
    push: bool = True,
    auth: dict[str, str] | None = None,
) -> tuple[str, bool]:
    """Stage `paths`, commit them in one commit when anything changed, push the branch.

    Returns (HEAD sha, whether a commit was made)."""
    git(checkout, "add", "--all", "--", *paths)
    staged = subprocess.run(
        ["git", "diff", "--cached", "--quiet"], cwd=checkout, check=False
    ).returncode
    committed = staged == 1
    if committed:
        git(checkout, "commit", "--quiet", "-m", message)
    if push:
        git(checkout, "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", env=auth)
    return git(checkout, "rev-parse", "HEAD"), committed
