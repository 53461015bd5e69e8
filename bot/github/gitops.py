"""Git in the job's checkout: one commit for the whole book, pushed to the book's branch.

Every argument is passed as a list (never through a shell); branch names are built from
the issue number, never taken from untrusted text.
"""

from __future__ import annotations

import base64
import os
import re
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
    }


# Settings that make git run a program; a book branch must never reach one. Command-line
# `-c` wins over every config file; the checkout's own config is also checked below.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.sshCommand=false",
    "core.gitProxy=",
    "core.askPass=",
    "core.editor=false",
    "core.pager=cat",
    "credential.helper=",
    "protocol.file.allow=user",  # our own push to a local remote (tests), never a submodule's
    "protocol.ext.allow=never",
    "submodule.recurse=false",
    "safe.directory=*",  # the runner's checkout may belong to another user
)
# keys in the checkout's .git/config that could run something or pull in more config
RISKY_KEY = re.compile(
    r"(include|includeif\..*|filter\..*|diff\..*\.(command|textconv)|merge\..*\.driver|"
    r"core\.(fsmonitor|hookspath|sshcommand|gitproxy|askpass|editor|pager|worktree)|"
    r"credential\..*|alias\..*|remote\..*\.(uploadpack|receivepack|vcs)|uploadpack\..*|"
    r"sequence\.editor|gpg\..*|commit\.gpgsign|tag\.gpgsign|extensions\.worktreeconfig)(\..*)?"
)
_ENV_KEPT = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A scrubbed environment for git: no token, no secret, no system or global config,
    no HOME (so no ~/.gitconfig): only what git needs, plus `extra` (the push's auth)."""
    env = {k: os.environ[k] for k in _ENV_KEPT if k in os.environ}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        HOME=os.devnull,
        XDG_CONFIG_HOME=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_ATTR_NOSYSTEM="1",
        GIT_NO_REPLACE_OBJECTS="1",
    )
    return {**env, **(extra or {})}


def git(
    checkout: Path, *args: str, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
) -> str:
    """Run git in `checkout` with a scrubbed environment and config-run commands off."""
    config = [x for item in SAFE_CONFIG for x in ("-c", item)]
    identity = ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]
    try:
        result = subprocess.run(
            ["git", *config, *identity, *args],
            cwd=checkout,
            env=git_env(env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed on this runner") from None
    if result.returncode not in ok:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else result.returncode}")
    return result.stdout.strip() if result.returncode == 0 else str(result.returncode)


def check_repository_config(checkout: Path) -> None:
    """Refuse a checkout whose own git config sets anything that runs a program (written by
    actions/checkout, it never does: one that does was tampered with)."""
    if not (checkout / ".git").is_dir() or (checkout / ".git").is_symlink():
        raise GitError(f"{checkout}/.git: not a plain git folder")
    names = git(checkout, "config", "--local", "--name-only", "--list", ok=(0, 1))
    for name in names.splitlines() if names != "1" else []:
        if RISKY_KEY.fullmatch(name.lower()):
            raise GitError(f"{checkout}/.git/config: sets {name}, which could run a program")


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
    check_repository_config(checkout)
    git(checkout, "add", "--all", "--", *paths)
    staged = git(
        checkout, "diff", "--cached", "--quiet", "--no-ext-diff", "--no-textconv", ok=(0, 1)
    )
    committed = staged == "1"
    if committed:
        git(checkout, "commit", "--quiet", "-m", message)
    if push:
        git(checkout, "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", env=auth)
    return git(checkout, "rev-parse", "HEAD"), committed
