"""The run ledger: which pages of a book are done, who is making which, and every run.

Claiming is the heart of it. A worker takes pending pages (or pages whose lease expired,
or whose worker on this machine is dead) and holds them under a lease until it records
them done. On PostgreSQL the claim is `SELECT ... FOR UPDATE SKIP LOCKED`, so many workers
share one queue without waiting on each other. SQLAlchemy drops `FOR UPDATE` on SQLite
without a word, so there each page is claimed with a conditional UPDATE whose row count
says whether this worker won it.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Engine, and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.book.assets import AssetKind, Key
from bot.book.ledger.claims import (
    UNLEASED,
    Claim,
    PageInput,
    local_worker_dead,
    make_worker_id,
)
from bot.book.ledger.models import Page, PageStatus, Run, RunStatus, utcnow

COVER, PAGE = AssetKind.COVER, AssetKind.PAGE
PENDING, RUNNING, DONE, FAILED = (
    PageStatus.PENDING,
    PageStatus.RUNNING,
    PageStatus.DONE,
    PageStatus.FAILED,
)


class Ledger:
    """Runs and pages in one database (SQLite or PostgreSQL)."""

    def __init__(
        self, engine: Engine, *, lease_seconds: float = 900.0, runner: str | None = None
    ) -> None:
        self.engine = engine
        self.runner = runner or socket.gethostname()
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.worker = make_worker_id()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # runs ---------------------------------------------------------------------------------
    def start_run(
        self,
        *,
        book: str,
        issue: int | None,
        spec_sha: str,
        provider: str,
        model: str | None,
        mode: str,
    ) -> int:
        with Session(self.engine) as s, s.begin():
            run = Run(
                book=book,
                issue=issue,
                spec_sha=spec_sha,
                provider=provider[:200],
                model=(model or None) and model[:500],
                runner=self.runner[:200],
                worker=self.worker,
                mode=mode,
                status=RunStatus.RUNNING,
                started_at=utcnow(),
                pages_made=0,
                gpu_seconds=0.0,
            )
            s.add(run)
            s.flush()
            return run.id

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        pages_made: int,
        gpu_seconds: float = 0.0,
        error: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(Run)
                .where(Run.id == run_id)
                .values(
                    status=status,
                    finished_at=utcnow(),
                    pages_made=pages_made,
                    gpu_seconds=round(gpu_seconds, 3),
                    error=error[:4000] if error else None,
                )
            )

    def runs(self, *, book: str | None = None, limit: int = 20) -> list[Run]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(Run).order_by(Run.id.desc()).limit(limit)
            if book is not None:
                stmt = stmt.where(Run.book == book)
            return list(s.scalars(stmt))

    # pages --------------------------------------------------------------------------------
    def sync(self, book: str, inputs: Iterable[PageInput]) -> list[Key]:
        """Make the ledger describe this version of the book; returns the keys that changed.

        New pages are inserted pending; a page whose input changed (subject, seed, style,
        provider, size...) goes back to pending; pages the book no longer has are removed.
        Safe to run from several workers at once.
        """
        wanted = list(inputs)
        now = utcnow()
        with self.engine.begin() as conn:
            existing = {
                (kind, idx): key
                for kind, idx, key in conn.execute(
                    select(Page.kind, Page.idx, Page.input_key).where(Page.book == book)
                )
            }
            fresh = [p for p in wanted if p.key not in existing]
            if fresh:
                conn.execute(self._insert(book, fresh, now))
            changed = [p for p in wanted if existing.get(p.key, p.input_key) != p.input_key]
            for p in changed:
                conn.execute(_reset(book, p, now))
            keep = {p.key for p in wanted}
            for kind, idx in (k for k in existing if k not in keep):
                conn.execute(
                    delete(Page).where(Page.book == book, Page.kind == kind, Page.idx == idx)
                )
        return [p.key for p in changed]

    def _insert(self, book: str, fresh: list[PageInput], now: dt.datetime) -> Any:
        """INSERT new pending pages, skipping any another worker inserted meanwhile."""
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        rows = [
            {
                "book": book,
                "kind": p.kind,
                "idx": p.idx,
                "subject": p.subject,
                "seed": p.seed,
                "input_key": p.input_key,
                "status": PENDING,
                "attempts": 0,
                "claims": 0,
                "reasons": "",
                "updated_at": now,
            }
            for p in fresh
        ]
        return insert(Page).values(rows).on_conflict_do_nothing()

    def recover(self, book: str) -> int:
        """Re-queue pages whose worker on this machine died, and failed pages; mark dead
        runs `killed`. (Pages whose lease expired are claimable without this.)"""
        now = utcnow()
        recovered = 0
        with self.engine.begin() as conn:
            held = conn.execute(
                select(Page.id, Page.lease_owner).where(Page.book == book, Page.status == RUNNING)
            ).all()
            for page_id, owner in held:
                if local_worker_dead(owner):
                    recovered += conn.execute(
                        update(Page)
                        .where(
                            Page.id == page_id, Page.lease_owner == owner, Page.status == RUNNING
                        )
                        .values(status=PENDING, **UNLEASED, updated_at=now)
                    ).rowcount
            recovered += conn.execute(
                update(Page)
                .where(Page.book == book, Page.status == FAILED)
                .values(status=PENDING, updated_at=now)
            ).rowcount
            live = conn.execute(
                select(Run.id, Run.worker).where(Run.book == book, Run.status == RunStatus.RUNNING)
            ).all()
            for run_id, worker in live:
                if local_worker_dead(worker):
                    conn.execute(
                        update(Run)
                        .where(Run.id == run_id, Run.status == RunStatus.RUNNING)
                        .values(
                            status=RunStatus.KILLED,
                            finished_at=now,
                            error="the worker process died before it finished",
                        )
                    )
        return recovered

    def _claimable(self, book: str, now: dt.datetime, only: Collection[Key] | None) -> list:  # type: ignore[type-arg]
        conditions = [
            Page.book == book,
            or_(
                Page.status == PENDING,
                and_(Page.status == RUNNING, Page.lease_expires < now),
            ),
        ]
        if only is not None:
            pages = sorted(i for k, i in only if k == PAGE)
            scope = [and_(Page.kind == PAGE, Page.idx.in_(pages))] if pages else []
            if (COVER, 0) in only:
                scope.append(Page.kind == COVER)
            conditions.append(or_(*scope) if scope else Page.id < 0)
        return conditions

    def claim(
        self,
        book: str,
        *,
        limit: int = 1,
        run_id: int | None = None,
        only: Collection[Key] | None = None,
    ) -> list[Claim]:
        """Take up to `limit` pages (the cover first, then in page order) under a lease."""
        now = utcnow()
        values = {
            "status": RUNNING,
            "lease_owner": self.worker,
            "lease_expires": now + self.lease,
            "claims": Page.claims + 1,
            "run_id": run_id,
            "updated_at": now,
        }
        order = (case((Page.kind == COVER, 0), else_=1), Page.idx)
        conditions = self._claimable(book, now, only)
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                ids = list(
                    conn.scalars(
                        select(Page.id)
                        .where(*conditions)
                        .order_by(*order)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                )
                if ids:
                    conn.execute(update(Page).where(Page.id.in_(ids)).values(**values))
            else:
                ids = []
                candidates = conn.scalars(
                    select(Page.id).where(*conditions).order_by(*order).limit(limit * 4 + 8)
                ).all()
                for page_id in candidates:
                    won = conn.execute(
                        update(Page).where(Page.id == page_id, *conditions).values(**values)
                    ).rowcount
                    if won == 1:
                        ids.append(page_id)
                        if len(ids) == limit:
                            break
            rows = conn.execute(
                select(Page.id, Page.kind, Page.idx, Page.subject, Page.input_key)
                .where(Page.id.in_(ids))
                .order_by(*order)
            ).all()
        return [Claim(*row) for row in rows]

    def _rows(self, statement: Any) -> int:
        """Run one UPDATE in its own transaction; the number of rows it changed."""
        with self.engine.begin() as conn:
            return int(conn.execute(statement).rowcount)

    def complete(
        self,
        claim: Claim,
        *,
        sha256: str,
        attempts: int,
        reasons: Iterable[str],
        duration: float,
        run_id: int | None,
    ) -> bool:
        """Record a claimed page as done; False when this worker no longer held it."""
        held = (
            Page.id == claim.id,
            Page.lease_owner == self.worker,
            Page.status == RUNNING,
            Page.input_key == claim.input_key,
        )
        done = {
            "status": DONE,
            "sha256": sha256,
            "attempts": attempts,
            "reasons": "; ".join(reasons),
            "duration": round(duration, 4),
            "error": None,
            "run_id": run_id,
        }
        return self._rows(_set(held, **done, **UNLEASED)) == 1

    def fail(self, claim: Claim, error: str) -> None:
        held = (Page.id == claim.id, Page.lease_owner == self.worker)
        self._rows(_set(held, status=FAILED, error=error[:4000], **UNLEASED))

    def adopt(self, book: str, key: Key, input_key: str, sha256: str, run_id: int | None) -> bool:
        """A page already on disk, made from exactly this input: record it done unmade."""
        page = (*_page(book, key), Page.input_key == input_key, Page.status.in_((PENDING, DONE)))
        return self._rows(_set(page, status=DONE, sha256=sha256, run_id=run_id)) == 1

    def requeue(self, book: str, key: Key) -> None:
        """A done page whose file is gone or changed: make it again."""
        self._rows(_set((*_page(book, key), Page.status == DONE), status=PENDING, sha256=None))

    def release(self, book: str) -> int:
        """Give back every page this worker holds (on a clean interrupt or an error)."""
        held = (Page.book == book, Page.lease_owner == self.worker, Page.status == RUNNING)
        return self._rows(_set(held, status=PENDING, **UNLEASED))

    def pages(self, book: str) -> list[Page]:
        with Session(self.engine, expire_on_commit=False) as s:
            return list(
                s.scalars(
                    select(Page)
                    .where(Page.book == book)
                    .order_by(case((Page.kind == COVER, 0), else_=1), Page.idx)
                )
            )


def _reset(book: str, p: PageInput, now: dt.datetime) -> Any:
    """UPDATE a page whose inputs changed back to pending, as if new."""
    return (
        update(Page)
        .where(
            Page.book == book,
            Page.kind == p.kind,
            Page.idx == p.idx,
            Page.input_key != p.input_key,
        )
        .values(
            subject=p.subject,
            seed=p.seed,
            input_key=p.input_key,
            status=PENDING,
            attempts=0,
            sha256=None,
            reasons="",
            error=None,
            **UNLEASED,
            updated_at=now,
        )
    )


def _page(book: str, key: Key) -> tuple[Any, ...]:
    """WHERE conditions naming one asset of a book."""
    return (Page.book == book, Page.kind == key[0], Page.idx == key[1])


def _set(where: tuple[Any, ...], **values: Any) -> Any:
    """UPDATE the pages matching `where` with `values`, stamping `updated_at`."""
    return update(Page).where(*where).values(**values, updated_at=utcnow())
