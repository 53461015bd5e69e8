"""The run ledger (SQLAlchemy): runs and pages, SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path

from bot.book.ledger.claims import Claim, PageInput
from bot.book.ledger.db import LedgerError, check_at_head, make_engine, upgrade
from bot.book.ledger.store import Ledger

__all__ = ["Claim", "Ledger", "LedgerError", "PageInput", "default_url", "open_ledger"]


def default_url(state_dir: Path) -> str:
    return f"sqlite:///{state_dir / 'ledger.sqlite'}"


def open_ledger(
    url: str | None = None,
    *,
    state_dir: Path | None = None,
    lease_seconds: float = 900.0,
    runner: str | None = None,
) -> Ledger:
    """The ledger at `url`, or the default SQLite file under `state_dir`.

    The default file is created and migrated on first use (a laptop needs no setup); a
    database named by a URL must already be at this bot's revision (`ebook-bot db upgrade`).
    """
    if url:
        engine = make_engine(url)
        check_at_head(engine)
    elif state_dir is None:
        raise ValueError("open_ledger: a database URL or a state folder")
    else:
        engine = make_engine(default_url(state_dir))
        upgrade(engine)
    return Ledger(engine, lease_seconds=lease_seconds, runner=runner)
