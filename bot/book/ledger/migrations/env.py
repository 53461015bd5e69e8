"""Alembic environment: runs on the connection `bot.book.ledger.db` hands it."""

from __future__ import annotations

from alembic import context

from bot.book.ledger.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
