"""Fixtures for team mode: a fresh PostgreSQL database per test, and one SQLite file.

PostgreSQL comes from IRBOOK_TEST_PG_URL (``.ci/run`` starts a throwaway server through
``.ci/postgres.sh`` and sets it). On a user's clone without it the PostgreSQL tests skip with a
reason; in CI (``CI`` set) its absence fails, so the team tests can never be skipped there.
Administration (create/drop database, terminate backends) talks to psycopg directly: that is the
test's view from outside irbook, and SQLAlchemy lives in irbook.store only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

TEAM_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "team"
DRILL = TEAM_FIXTURES / "team-drill.yaml"


def libpq(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy) -> postgresql://... (libpq/psycopg)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def server_url() -> str:
    url = os.environ.get("IRBOOK_TEST_PG_URL")
    if not url:
        reason = (
            "no PostgreSQL server: set IRBOOK_TEST_PG_URL=postgresql+psycopg://USER:PW@HOST/DB "
            "or run `bash .ci/postgres.sh .venv/bin/python -m pytest tests/team`"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the team tests on a real server", pytrace=False)
        pytest.skip(reason)
    return url


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


def big_runbook(path: Path, roles: list[str], steps_per_role: int) -> Path:
    """A runbook with ``steps_per_role`` confirm steps owned by each role (concurrency tests)."""
    lines = [
        "apiVersion: irbook/v1", "id: load-drill", "version: 1.0.0", "title: Load drill",
        f"roles: [{', '.join(roles)}]", "phases:",
    ]  # fmt: skip
    for role in roles:
        lines += [f"  - id: {role}-work", f"    title: Work of {role}", "    steps:"]
        for n in range(steps_per_role):
            lines += [
                f"      - id: {role}-{n:04d}", "        type: confirm",
                f"        text: Step {n} of {role}.", f"        role: {role}",
            ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
