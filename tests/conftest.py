"""Shared fixtures. Storage tests run on both backends through the `store` fixture.

PostgreSQL is reached at ``LAGESBILD_TEST_PG`` (default: the local server with trust auth,
database ``test``). Each test gets its own schema, dropped afterwards. If the server cannot
be reached the PostgreSQL variants fail rather than skip: ``scripts/test.sh`` starts it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lagesbild.privacy import Pseudonymizer
from lagesbild.settings import Settings, load_settings
from lagesbild.store import Store

PG_URL = os.environ.get("LAGESBILD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_KEY = bytes(range(32))


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {exc.orig}. Start it (scripts/start-services.sh).")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: sa.Engine) -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema of its own."""
    schema = "t_" + uuid.uuid4().hex[:12]
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on each backend (the test runs twice)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def pz() -> Pseudonymizer:
    return Pseudonymizer(TEST_KEY)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for a fresh data folder, on each backend."""
    return load_settings(home=str(tmp_path / "home"), db=db_url)
