"""Paths to test data, importable from any test module as ``from shared import ...``.

(Not in conftest.py: several conftest modules exist, and ``from conftest import`` would pick
whichever was imported last.)

The real data in ../shared/data (OSV records, JSON schemas, lockfile fixtures) is used by relative
path. On a user's clone it is absent and those tests skip with a reason; in CI (``CI`` set) it is
always there, so its absence fails instead of hiding work.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; skip (or, in CI, fail) when it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"real data not available: {path} (it lives beside the checkout in ../shared/data)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it", pytrace=False)
        pytest.skip(reason)
    return path


# --- PostgreSQL (team mode; the `pg_url` fixture is in tests/conftest.py) -------------------


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
