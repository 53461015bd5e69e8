"""Ledger database: engines, migrations (shipped in the package), the at-head check.

The default is a SQLite file under the state folder, created and migrated on first use.
A database named by `DATABASE_URL` is never changed behind the operator's back: it has to
be migrated with `ebook-bot db upgrade`, and the bot refuses to use it until it is.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.errors import BotError, UserInputError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Network filesystems on which SQLite's locking cannot be trusted between machines.
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "9p", "afs", "ceph", "glusterfs"}
)


class LedgerError(BotError):
    """The ledger database is missing, unreachable, not migrated, damaged or unwritable."""

    exit_code = 2  # the operator's to fix (a file, a URL, a limit), not a bug


# What SQLite's words mean for the person who has to fix it.
_SQLITE_FIXES = (
    (
        ("not a database", "malformed", "file is encrypted"),
        "the file is damaged; it only records which pages are made (pages already in "
        "--out are adopted again): move it aside (mv {path} {path}.bad) and run again",
    ),
    (
        ("disk is full", "disk i/o error", "too large"),
        "free space on its disk or raise the file-size limit (ulimit -f), or set "
        "EBOOK_BOT_STATE_DIR to another folder",
    ),
    (
        ("readonly", "unable to open"),
        "check the permissions of the file and its folder, or set EBOOK_BOT_STATE_DIR "
        "to another folder",
    ),
    (("locked",), "another process held it for over 30 s: wait for it, then run again"),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA busy_timeout=30000")  # wait for another worker's write
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def make_engine(url: str, *, setting: str = "DATABASE_URL") -> Engine:
    """An engine for `url`; a bad URL or a missing driver names the setting."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserInputError(f"{setting}: not a database URL") from None
    if parsed.drivername in ("postgres", "postgresql"):
        # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3; we ship psycopg2.
        import importlib.util

        driver = "psycopg2" if importlib.util.find_spec("psycopg2") else "psycopg"
        parsed = parsed.set(drivername=f"postgresql+{driver}")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise UserInputError(
            f"{setting}: unsupported database {parsed.get_backend_name()!r} "
            "(use sqlite:///PATH or postgresql://...)"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise UserInputError(
            f"{setting}: the driver for {parsed.drivername} is not installed ({exc}); "
            "for PostgreSQL install `ebook-bot[postgres]`"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _as_ledger_error)
    return engine


def _as_ledger_error(context: Any) -> None:
    """Any database failure (a damaged file, a full disk, a file-size limit, a lost server)
    as one line naming the database and the fix, in place of SQLAlchemy's chained
    tracebacks (a LedgerError raised here replaces the original)."""
    original = context.original_exception
    if isinstance(original, BotError) or not isinstance(original, Exception):
        return  # ours already, or an interrupt: let it through
    connecting = context.connection is None  # the first connect failed
    raise ledger_problem(context.engine, original, connecting=connecting)


def ledger_problem(
    engine: Engine | None, exc: BaseException, *, connecting: bool = False
) -> LedgerError:
    """`exc` from the database as a LedgerError naming the database and the fix."""
    reason = _reason(exc)
    path = sqlite_path(engine) if engine is not None else None
    if path is None:
        where = redact(str(engine.url)) if engine is not None else "the ledger database"
        return LedgerError(
            f"database {where}: cannot connect ({reason})"
            if connecting
            else f"database {where}: {reason}"
        )
    for words, fix in _SQLITE_FIXES:
        if any(word in reason.lower() for word in words):
            return LedgerError(f"ledger {path}: {reason}; " + fix.format(path=path))
    return LedgerError(f"ledger {path}: {reason}")


def _alembic_config(engine: Engine, connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _run(engine: Engine, action: str, target: str) -> None:
    from alembic import command

    try:
        with engine.begin() as conn:
            config = _alembic_config(engine, conn)
            getattr(command, action)(config, target)
    except SQLAlchemyError as exc:
        raise ledger_problem(engine, exc) from None


def upgrade(engine: Engine, target: str = "head") -> None:
    _run(engine, "upgrade", target)


def downgrade(engine: Engine, target: str = "base") -> None:
    _run(engine, "downgrade", target)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_at_head(engine: Engine) -> None:
    """Refuse a database that is unreachable or not migrated to this bot's schema."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise LedgerError(
            f"database {redact(str(engine.url))}: cannot connect ({_reason(exc)})"
        ) from None
    head = head_revision()
    if current != head:
        state = "has no ledger tables" if current is None else f"is at revision {current}"
        raise LedgerError(
            f"database {redact(str(engine.url))} {state}; this ebook-bot needs revision {head}: "
            "run `ebook-bot db upgrade`"
        )


def filesystem_type(path: Path) -> str | None:
    """The filesystem type holding `path` (from /proc/mounts), or None when unknown."""
    with contextlib.suppress(OSError):
        target = path.resolve()
        best, kind = "", None
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                mount = parts[1].replace("\\040", " ")
                inside = str(target) == mount or str(target).startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, kind = mount, parts[2]
        return kind
    return None


def sqlite_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return Path(database) if database not in (None, "", ":memory:") else None
