"""The run ledger's tables: one row per `generate` run, one row per page of a book.

Times are naive UTC (`utcnow()`), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class PageStatus(StrEnum):
    """Where one asset of a book stands (the `pages.status` column)."""

    PENDING = "pending"
    RUNNING = "running"  # a worker holds it under a lease
    DONE = "done"
    FAILED = "failed"


class RunStatus(StrEnum):
    """How one `generate` run ended (the `runs.status` column)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    KILLED = "killed"  # its process died; found by the next run on that machine
    CANCELLED = "cancelled"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Run(Base):
    """One `generate` process: what it was asked for, where it ran, how it ended."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book: Mapped[str] = mapped_column(String(300), index=True)
    issue: Mapped[int | None] = mapped_column(Integer, index=True)
    spec_sha: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(500))
    runner: Mapped[str] = mapped_column(String(200))
    worker: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pages_made: Mapped[int] = mapped_column(Integer, default=0)
    gpu_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)


class Page(Base):
    """One asset of one book (the cover, or coloring page `idx`), across runs."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("book", "kind", "idx", name="uq_pages_book_kind_idx"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    idx: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    seed: Mapped[int] = mapped_column(BigInteger)
    input_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sha256: Mapped[str | None] = mapped_column(String(64))
    duration: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
