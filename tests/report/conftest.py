"""Fixtures of the report tests (the scripted incident itself is in scripted_incident.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from big_incident import GROWN_EVENTS, grow
from scripted_incident import Scripted, script_incident

from irbook.report import split
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


@pytest.fixture
def grown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scripted]:
    """The scripted incident, left open and grown to ``GROWN_EVENTS`` events of every kind a
    report lists (the streamed and split report tests)."""
    db_path = tmp_path / "irbook.db"
    url = f"sqlite:///{db_path}"
    store = open_store(url)
    try:
        iid = script_incident(store, monkeypatch, close=False)
        grow(store, iid, GROWN_EVENTS)
        yield Scripted(store, url, db_path, iid)
    finally:
        store.close()


@pytest.fixture
def grown_pg(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scripted]:
    """The same grown incident on PostgreSQL (``db_path`` is not a file there)."""
    store = open_store(pg_url)
    try:
        iid = script_incident(store, monkeypatch, close=False)
        grow(store, iid, GROWN_EVENTS)
        yield Scripted(store, pg_url, Path(), iid)
    finally:
        store.close()


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Split every log of over 100 events; the list grows by one for each child forked."""
    monkeypatch.setattr(split, "SPLIT_FROM", 100)
    forked: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(split.os, "fork", counting_fork)
    return forked
