"""The run ledger on SQLite and on a real PostgreSQL server: migrations, claiming, leases."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.book.ledger import LedgerError, PageInput, open_ledger
from bot.book.ledger.db import (
    current_revision,
    downgrade,
    filesystem_type,
    head_revision,
    make_engine,
    upgrade,
)
from bot.errors import UserInputError


def inputs(n: int, key: str = "k") -> list[PageInput]:
    return [PageInput("page", i, f"subject {i}", 1000 + i, f"{key}{i}") for i in range(n)]


def test_migrations_upgrade_from_empty_and_downgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"runs", "pages", "alembic_version"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("pages")}
    assert {"status", "lease_expires", "lease_owner", "sha256", "attempts", "seed"} <= columns
    downgrade(engine)
    assert current_revision(engine) is None
    assert not {"runs", "pages"} & set(inspect(engine).get_table_names())
    upgrade(engine)  # and back up again
    assert current_revision(engine) == head_revision()


def test_migrations_match_the_models(db_url: str) -> None:
    """autogenerate finds nothing to do: the shipped migration and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from bot.book.ledger.models import Base

    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_unmigrated_database_is_refused_by_name(empty_db_url: str) -> None:
    with pytest.raises(LedgerError) as info:
        open_ledger(empty_db_url)
    message = str(info.value)
    assert "has no ledger tables" in message
    assert "ebook-bot db upgrade" in message


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(LedgerError, match="cannot connect") as info:
        open_ledger("postgresql://nobody:hunter2@127.0.0.1:1/none")
    assert "hunter2" not in str(info.value)


def test_bad_database_url_names_the_setting() -> None:
    with pytest.raises(UserInputError, match="DATABASE_URL: unsupported database 'mysql'"):
        open_ledger("mysql://x@localhost/db")


def test_default_sqlite_is_created_and_migrated_on_first_use(tmp_path: Path) -> None:
    ledger = open_ledger(None, state_dir=tmp_path / "state")
    assert (tmp_path / "state" / "ledger.sqlite").exists()
    assert current_revision(ledger.engine) == head_revision()


def test_sync_marks_only_changed_pages_and_drops_removed(db_url: str) -> None:
    ledger = open_ledger(db_url)
    ledger.sync("b", inputs(5))
    run = ledger.start_run(book="b", issue=None, spec_sha="x", provider="p", model=None, mode="all")
    for claim in ledger.claim("b", limit=5, run_id=run):
        assert ledger.complete(claim, sha256="s", attempts=1, reasons=[], duration=0.1, run_id=run)
    changed = inputs(4)
    changed[2] = PageInput("page", 2, "a sleeping fox", 1002, "new")
    assert ledger.sync("b", changed) == [("page", 2)]
    pages = {p.idx: p for p in ledger.pages("b")}
    assert sorted(pages) == [0, 1, 2, 3]  # page 4 is gone
    assert pages[2].status == "pending" and pages[2].subject == "a sleeping fox"
    assert pages[2].sha256 is None
    assert all(pages[i].status == "done" for i in (0, 1, 3))


def test_claim_takes_the_cover_first_then_page_order(db_url: str) -> None:
    ledger = open_ledger(db_url)
    ledger.sync("b", [*inputs(3), PageInput("cover", 0, "cover", 1, "c")])
    claims = ledger.claim("b", limit=2)
    assert [c.key for c in claims] == [("cover", 0), ("page", 0)]
    assert [c.key for c in ledger.claim("b", limit=5)] == [("page", 1), ("page", 2)]
    assert ledger.claim("b") == []


def test_claim_respects_only(db_url: str) -> None:
    ledger = open_ledger(db_url)
    ledger.sync("b", inputs(6))
    got = ledger.claim("b", limit=10, only=[("page", 1), ("page", 4)])
    assert [c.idx for c in got] == [1, 4]


def test_expired_lease_is_taken_over_and_the_old_worker_loses(db_url: str) -> None:
    slow = open_ledger(db_url, lease_seconds=0.2)
    fast = open_ledger(db_url)
    slow.sync("b", inputs(1))
    [held] = slow.claim("b")
    assert fast.claim("b") == []  # still leased
    time.sleep(0.3)
    [taken] = fast.claim("b")
    assert taken.id == held.id
    assert not slow.complete(held, sha256="a", attempts=1, reasons=[], duration=1, run_id=None)
    assert fast.complete(taken, sha256="b", attempts=1, reasons=[], duration=1, run_id=None)
    [page] = fast.pages("b")
    assert (page.status, page.sha256, page.claims) == ("done", "b", 2)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_pages_of_a_dead_worker_are_requeued_at_once(db_url: str) -> None:
    dead = open_ledger(db_url)  # a long lease: only the dead-process check frees its pages
    host = dead.worker.split("/")[0]
    dead.worker = f"{host}/{_dead_pid()}/gone"
    dead.sync("b", inputs(3))
    run = dead.start_run(book="b", issue=7, spec_sha="x", provider="p", model=None, mode="all")
    assert len(dead.claim("b", limit=2)) == 2
    fresh = open_ledger(db_url)
    assert [c.idx for c in fresh.claim("b", limit=5)] == [2]
    assert fresh.recover("b") == 2
    assert sorted(c.idx for c in fresh.claim("b", limit=5)) == [0, 1]
    [killed] = fresh.runs(book="b")
    assert killed.id == run and killed.status == "killed"


def test_pages_of_a_live_worker_elsewhere_are_left_alone(db_url: str) -> None:
    other = open_ledger(db_url)
    other.worker = "another-host/1/abc"  # not this machine: only its lease can free it
    other.sync("b", inputs(1))
    assert len(other.claim("b")) == 1
    fresh = open_ledger(db_url)
    assert fresh.recover("b") == 0
    assert fresh.claim("b") == []


def _worker(url: str, book: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ledger = open_ledger(url)
    made: list[int] = []
    while claims := ledger.claim(book, limit=2):
        for claim in claims:
            time.sleep(0.002)  # some work, so the workers interleave
            assert ledger.complete(
                claim, sha256=f"{claim.idx}", attempts=1, reasons=[], duration=0, run_id=None
            )
            made.append(claim.idx)
    queue.put(made)


def test_four_concurrent_workers_make_each_of_100_pages_exactly_once(db_url: str) -> None:
    ledger = open_ledger(db_url)
    ledger.sync("book", inputs(100))
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(db_url, "book", queue)) for _ in range(4)]
    for w in workers:
        w.start()
    made = [queue.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    everything = [i for share in made for i in share]
    assert sorted(everything) == list(range(100))  # each page once, none twice
    assert sum(1 for share in made if share) >= 2  # the work was really shared
    pages = ledger.pages("book")
    assert all(p.status == "done" and p.claims == 1 for p in pages)


def test_claiming_on_a_network_filesystem_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.book.ledger import db
    from bot.book.pipeline import check_claiming

    ledger = open_ledger(None, state_dir=tmp_path)
    check_claiming(ledger)  # a local disk is fine
    monkeypatch.setattr(db, "filesystem_type", lambda path: "nfs4")
    with pytest.raises(UserInputError, match=r"network filesystem \(nfs4\)"):
        check_claiming(ledger)


def test_filesystem_type_reads_the_mount_table(tmp_path: Path) -> None:
    if not Path("/proc/mounts").exists():
        pytest.skip("no /proc/mounts on this system")
    assert filesystem_type(Path("/")) is not None
    assert filesystem_type(tmp_path) is not None


def test_a_ledger_damaged_while_in_use_is_one_ledger_error(tmp_path: Path) -> None:
    """Any statement's failure (not only the migrations') names the ledger and the fix:
    a file overwritten between two runs' statements was a chained SQLAlchemy traceback."""
    ledger = open_ledger(state_dir=tmp_path)
    ledger.sync("b", inputs(2))
    ledger.engine.dispose()  # the next statement opens the file again
    (tmp_path / "ledger.sqlite").write_bytes(b"overwritten by something else " * 200)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"ledger.sqlite{suffix}").unlink(missing_ok=True)
    with pytest.raises(LedgerError) as info:
        ledger.pages("b")
    assert info.value.exit_code == 2
    assert str(info.value).startswith(
        f"ledger {tmp_path / 'ledger.sqlite'}: file is not a database"
    )
    assert "mv " in str(info.value)
