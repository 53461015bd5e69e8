"""Shared fixtures: example specs and one small book built once per test session."""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "specs" / "examples"


@pytest.fixture(scope="session", autouse=True)
def _ledger_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The default SQLite ledger goes to a temp folder, never the tester's home."""
    saved = {k: os.environ.get(k) for k in ("EBOOK_BOT_STATE_DIR", "DATABASE_URL")}
    os.environ["EBOOK_BOT_STATE_DIR"] = str(tmp_path_factory.mktemp("state"))
    os.environ.pop("DATABASE_URL", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def minimal_spec(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Test Book",
        "author": "Tess Tester",
        "pages": {"subjects": ["mandala", "maze", "stained glass", "stars"]},
        "seed": 11,
    }
    data.update(overrides)
    return data


def write_spec(path: Path, data: dict[str, Any] | str) -> Path:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(inspect.cleandoc(text) + "\n" if isinstance(data, str) else text, "utf-8")
    return path


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The adult mandala example, cut to 6 pictures, built with the real CLI."""
    out = tmp_path_factory.mktemp("book") / "out"
    code = main(
        ["build", str(EXAMPLES / "mandalas-adults.yaml"), "--out", str(out), "--pages", "6"]
    )
    assert code == 0
    return out


@pytest.fixture(scope="session")
def bleed_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toddler example (8.5x8.5 with bleed), built with the real CLI."""
    out = tmp_path_factory.mktemp("bleed") / "out"
    assert main(["build", str(EXAMPLES / "shapes-toddlers.yaml"), "--out", str(out)]) == 0
    return out


@pytest.fixture
def copy_book(built_book: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "out"
    shutil.copytree(built_book, dest)
    return dest


def cuda_gpu() -> bool:
    """Whether torch sees a CUDA GPU here: the suite runs on the GPU runner too, where a
    test may not assume the CPU (fp32, no GPU)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


PG_URL_VARIABLE = "EBOOK_BOT_TEST_DATABASE_URL"


def _empty_postgres(url: str) -> str:
    """Drop everything the ledger made, so each test starts from an empty database."""
    from sqlalchemy import text

    from bot.book.ledger.db import make_engine

    engine = make_engine(url, setting="EBOOK_BOT_TEST_DATABASE_URL")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS pages, runs, alembic_version CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or the real PostgreSQL server `.ci/run` starts."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return postgres_url()


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database migrated to head."""
    from bot.book.ledger.db import make_engine, upgrade

    engine = make_engine(empty_db_url)
    upgrade(engine)
    engine.dispose()
    return empty_db_url


REQUIRE_PG_VARIABLE = "EBOOK_BOT_REQUIRE_POSTGRES"


def postgres_required(environ: Mapping[str, str]) -> bool:
    """In CI (and wherever EBOOK_BOT_REQUIRE_POSTGRES=1) a PostgreSQL test must run: a
    silent skip there would pass a suite that never touched the production database."""
    return environ.get(REQUIRE_PG_VARIABLE) == "1" or environ.get("CI") == "true"


def postgres_url() -> str:
    """The test server's URL, its database emptied; the test skips without one, and fails
    where PostgreSQL is required."""
    url = os.environ.get(PG_URL_VARIABLE)
    if not url:
        reason = f"{PG_URL_VARIABLE} is not set (`.ci/run` starts PostgreSQL and sets it)"
        if postgres_required(os.environ):
            pytest.fail(f"{reason}; required here (CI=true or {REQUIRE_PG_VARIABLE}=1)")
        pytest.skip(reason)
    return _empty_postgres(url)
