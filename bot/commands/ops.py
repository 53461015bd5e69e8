"""`doctor`, `db`, `runs` and `models`: for the people who run the bot."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.bookref import BookRef
from bot.commands.base import Command, typed
from bot.commands.types import issue_number
from bot.runtime import Runtime


@dataclass(frozen=True)
class DoctorArgs:
    json: bool


@dataclass(frozen=True)
class DbArgs:
    action: str
    revision: str | None


@dataclass(frozen=True)
class RunsArgs:
    issue: int | None
    book: str | None
    limit: int


@dataclass(frozen=True)
class PullArgs:
    model: str | None
    config: Path | None


def doctor(args: DoctorArgs, rt: Runtime) -> int:
    from bot.ops.doctor import as_json, as_text, healthy, run_checks

    results = run_checks(rt)
    print(as_json(results) if args.json else as_text(results), end="\n" if args.json else "")
    if _in_actions(rt):
        for name, check in results.items():
            if check.status != "ok":
                level = "error" if check.status == "fail" else "warning"
                print(f"::{level} title=doctor: {name}::{check.detail}", file=sys.stderr)
    return 0 if healthy(results) else 1


def _in_actions(rt: Runtime) -> bool:
    """Under Actions; False when the settings themselves are broken (doctor reports that)."""
    from bot.errors import BotError

    try:
        return rt.in_actions
    except BotError:
        return False


def db(args: DbArgs, rt: Runtime) -> int:
    from bot.book.ledger import db, default_url

    s = rt.settings
    url = s.database_url.get_secret_value() if s.database_url else default_url(rt.ledger_folder())
    engine = db.make_engine(url)
    shown = db.redact(url)
    head = db.head_revision()
    if args.action == "upgrade":
        db.upgrade(engine, args.revision or "head")
        print(f"{shown}: at revision {db.current_revision(engine)} (head {head})")
    elif args.action == "downgrade":
        db.downgrade(engine, args.revision or "base")
        print(f"{shown}: at revision {db.current_revision(engine) or 'base (no tables)'}")
    else:
        current = db.current_revision(engine)
        print(f"{shown}: at revision {current or 'none (not migrated)'} (head {head})")
        return 0 if current == head else 1
    return 0


def runs(args: RunsArgs, rt: Runtime) -> int:
    from bot.book.ledger.report import report

    ref = BookRef(args.issue) if args.issue is not None else None
    key = args.book or (ref.ledger_key if ref else None)
    name = ref.shown if ref and not args.book else None
    print(report(rt.ledger, book=key, name=name, limit=args.limit), end="")
    return 0


def models_pull(args: PullArgs, rt: Runtime) -> int:
    from bot.book.providers.models import pull

    config = rt.repo_config(args.config)
    token = rt.settings.hf_token.get_secret_value() if rt.settings.hf_token else None
    for line in pull(args.model, config.diffusers, token):
        print(line)
    return 0


def _doctor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable, stable shape")


def _db_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["upgrade", "current", "downgrade"])
    p.add_argument("revision", nargs="?", help="target revision (default: head / base)")


def _runs_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("issue", type=issue_number, nargs="?", metavar="ISSUE", help="one book's detail")
    p.add_argument("--book", metavar="KEY", help="a book by ledger key (e.g. dir:/path/out)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="runs to list")


def _models_options(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    q = actions.add_parser(
        "pull",
        help="download MODEL (default: the configured one) to the cache",
        description="Download MODEL (default: the configured one) and the configured VAEs "
        "into the Hugging Face cache, so that generation never downloads anything.",
    )
    q.add_argument("model", nargs="?", metavar="MODEL", help="hub id (default: from config)")
    q.add_argument("--config", type=Path, metavar="FILE", help="default: .github/ebook-bot.yml")


COMMANDS = (
    Command(
        "doctor",
        "health of settings, GitHub, database, GPU, model, storage, Drive",
        """
        Check everything the bot depends on, one line each (ok, WARN or FAIL with the
        reason): the settings and .github/ebook-bot.yml, the GitHub token, the ledger
        database, the GPU, the model cache, free disk and Google Drive. Exits 1 when
        anything failed. --json prints a stable shape for monitoring.
        """,
        ("ebook-bot doctor", "ebook-bot doctor --json | jq .checks.database"),
        _doctor_options,
        typed(DoctorArgs, doctor),
    ),
    Command(
        "db",
        "the run ledger's database: upgrade, current, downgrade",
        """
        Manage the run ledger's schema (Alembic migrations shipped in the package): `upgrade`
        a new or older database to this bot's revision (needed once for a DATABASE_URL),
        show the `current` revision (exit 1 when it is not this bot's), or `downgrade`.
        """,
        ("DATABASE_URL=postgresql://bot@db/ebook ebook-bot db upgrade", "ebook-bot db current"),
        _db_options,
        typed(DbArgs, db),
    ),
    Command(
        "runs",
        "runs and page states from the ledger (why is book N slow?)",
        """
        List the latest generation runs from the ledger; with an issue number (or --book),
        that book's runs, page states, pages held by workers, failures, QA flags and its
        slowest pages.
        """,
        ("ebook-bot runs", "ebook-bot runs 12", "ebook-bot runs --book dir:/home/me/out"),
        _runs_options,
        typed(RunsArgs, runs),
    ),
    Command(
        "models",
        "the diffusers model cache",
        """
        The diffusers provider loads its model only from this machine (never downloading in
        the middle of a book): `models pull` fills the cache beforehand, where there is
        network.
        """,
        ("ebook-bot models pull", "ebook-bot models pull stabilityai/sdxl-turbo"),
        _models_options,
        typed(PullArgs, models_pull),
    ),
)
