"""Fixtures for team mode: a fresh PostgreSQL database per test, and one SQLite file.

PostgreSQL comes from IRBOOK_TEST_PG_URL (``.ci/run`` starts a throwaway server through
``.ci/postgres.sh`` and sets it). On a user's clone without it the PostgreSQL tests skip with a
reason; in CI (``CI`` set) its absence fails, so the team tests can never be skipped there.
Administration (create/drop database, terminate backends) talks to psycopg directly: that is the
test's view from outside irbook, and SQLAlchemy lives in irbook.store only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from teamkit import libpq, server_url, with_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the test server (dropped afterwards), as an irbook --db URL."""
    import psycopg

    base = server_url()
    name = f"irbook_t_{secrets.token_hex(6)}"
    with psycopg.connect(libpq(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(base, name)
    finally:
        with psycopg.connect(libpq(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'team.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on one SQLite file and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the server `postgres`, so `-m "not postgres"` works offline."""
    for item in items:
        params = getattr(item, "callspec", None)
        on_pg = params is not None and params.params.get("db_url") == "postgresql"
        if on_pg or "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
