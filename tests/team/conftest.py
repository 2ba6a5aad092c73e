"""Fixtures for team mode: the same test on one SQLite file and on PostgreSQL (``db_url``).

The PostgreSQL database of each test (``pg_url``) comes from tests/conftest.py, shared with the
other folders' tests that run on PostgreSQL too.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'team.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on one SQLite file and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))
