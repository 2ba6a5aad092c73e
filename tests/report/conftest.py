"""Fixtures of the report tests (the scripted incident itself is in scripted_incident.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_incident import Scripted, script_incident

from irbook.store import open_store


@pytest.fixture
def scripted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scripted]:
    """A closed scripted incident in a fresh SQLite file."""
    db_path = tmp_path / "irbook.db"
    url = f"sqlite:///{db_path}"
    store = open_store(url)
    try:
        yield Scripted(store, url, db_path, script_incident(store, monkeypatch))
    finally:
        store.close()
