"""Shared test fixtures. Paths to test data live in tests/shared.py (``from shared import``).

PostgreSQL (``pg_url``) comes from IRBOOK_TEST_PG_URL (``.ci/run`` starts a throwaway server
through ``.ci/postgres.sh`` and sets it). On a user's clone without it the PostgreSQL tests skip
with a reason; in CI (``CI`` set) its absence fails, so they can never be skipped there.
Administration (create/drop database, terminate backends) talks to psycopg directly: that is the
test's view from outside irbook, and SQLAlchemy lives in irbook.store only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from shared import FIXTURES, REPO, SHARED_DATA, libpq, server_url, shared_data, with_database

__all__ = ["FIXTURES", "REPO", "SHARED_DATA", "shared_data"]  # older tests import them from here


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the real user data directory: point every default somewhere private."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))  # the all.zip cache
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # the remembered actor name
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")  # no user.name from the machine's git
    monkeypatch.setenv("IRBOOK_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("IRBOOK_OUTPUT_DIR", str(home / "incidents"))
    for name in (
        "IRBOOK_DB",
        "IRBOOK_RUNBOOKS",
        "IRBOOK_TEMPLATES",
        "IRBOOK_ACTOR",
        "IRBOOK_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the server `postgres`, so `-m "not postgres"` works offline."""
    for item in items:
        params = getattr(item, "callspec", None)
        on_pg = params is not None and params.params.get("db_url") == "postgresql"
        if on_pg or "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
