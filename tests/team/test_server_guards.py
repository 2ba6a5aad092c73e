"""The server itself refuses what would break an incident's record, whoever connects.

Each test writes to the tables from outside irbook (sqlite3 or psycopg, as a script or a psql
session would) and checks the database refuses, and that irbook carries on with an intact log.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from teamkit import DRILL, assert_log_intact, raw_connect, sql

from irbook.cli import run
from irbook.domain.events import GENESIS_HASH, Kind, NewEvent, NoteAdded, event_hash
from irbook.errors import StoreError
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.store.tables import SCHEMA_VERSION
from irbook.usecases.incidents import Responder, record_anyway, start_incident

LEAD = Responder("lead", "h")
COLUMNS = "incident_id, seq, at, actor, host, kind, step_id, payload, prev_hash, hash"


def opened(url: str) -> str:
    store = open_store(url)
    incident = start_incident(load_runbook(DRILL), store=store, responder=LEAD).incident_id
    store.close()
    return incident


def forged_event(url: str, incident: str, seq: int, prev_hash: str) -> None:
    sql(
        url,
        f"INSERT INTO event ({COLUMNS}) VALUES (?, ?, ?, 'mallory', 'h', 'note_added', NULL, "
        '\'{"text": "x"}\', ?, ?)',
        (incident, seq, "2026-05-11 19:00:00", prev_hash, "f" * 64),
    )


def refused(url: str) -> type[Exception]:
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.IntegrityError
    import psycopg

    return psycopg.errors.IntegrityConstraintViolation


def test_the_server_refuses_an_event_that_is_not_the_next_or_does_not_link(db_url: str) -> None:
    incident = opened(db_url)
    [(head,)] = sql(db_url, "SELECT hash FROM event WHERE incident_id = ? AND seq = 1", (incident,))

    with pytest.raises(refused(db_url)) as far:
        forged_event(db_url, incident, 1_000_000, "0" * 64)
    with pytest.raises(refused(db_url)) as junk:
        forged_event(db_url, incident, 2, "0" * 64)
    with pytest.raises(refused(db_url)):
        forged_event(db_url, incident, 1, "0" * 64)  # a second seq 1 (the PK stops it too)

    assert "irbook: event" in str(far.value) and "irbook: event" in str(junk.value)
    assert sql(db_url, "SELECT count(*) FROM event") == [(1,)]
    # irbook goes on appending, and the chain verifies
    store = open_store(db_url)
    record_anyway(store, incident, NewEvent(Kind.NOTE_ADDED, NoteAdded(text="later")), LEAD)
    events = assert_log_intact(store, incident)
    assert events[1].prev_hash == head
    store.close()


def downgrade_to_schema_1(url: str) -> None:
    """What a database written by irbook 0.x (schema 1) looks like: no server-side guards, no
    login column, and hashes that never covered a login."""
    store = open_store(url)
    events = [e for i in store.incidents() for e in store.events(i.id)]
    store.close()
    conn: Any = raw_connect(url)
    try:
        prev = GENESIS_HASH
        for e in events:
            if e.seq == 1:
                prev = GENESIS_HASH
            v1 = replace(e, login=None, prev_hash=prev)
            prev = event_hash(v1)
            statement = "UPDATE event SET prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?"
            if not url.startswith("sqlite"):
                statement = statement.replace("?", "%s")
            conn.execute(statement, (v1.prev_hash, prev, e.incident_id, e.seq))
        if url.startswith("sqlite"):
            conn.execute("DROP TRIGGER event_follows_head")
        else:
            conn.execute("DROP TRIGGER event_follows_head ON event")
            conn.execute("DROP FUNCTION irbook_event_follows_head()")
        conn.execute("ALTER TABLE event DROP COLUMN login")
        conn.execute("UPDATE irbook_meta SET value = '1' WHERE key = 'schema_version'")
    finally:
        conn.close()


def test_an_older_database_is_refused_with_a_hint_then_upgraded_by_db_init(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = opened(db_url)
    downgrade_to_schema_1(db_url)

    with pytest.raises(StoreError) as caught:
        open_store(db_url)
    assert f"has schema 1, from an older irbook; this irbook needs schema {SCHEMA_VERSION}" in (
        caught.value.message
    )
    assert run(["list", "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert "hint: upgrade it once with `irbook db init --db" in err and "Traceback" not in err
    assert run(["db", "info", "--db", db_url]) == 0
    assert "from an older irbook (schema 1)" in capsys.readouterr().err

    assert run(["db", "init", "--db", db_url]) == 0
    assert f"from schema 1 to {SCHEMA_VERSION}; every incident and event is kept" in (
        capsys.readouterr().out
    )
    assert run(["db", "init", "--db", db_url]) == 0
    assert "nothing changed" in capsys.readouterr().out
    with pytest.raises(refused(db_url)):  # the guard is back
        forged_event(db_url, incident, 1_000_000, "0" * 64)
    store = open_store(db_url)
    record_anyway(store, incident, NewEvent(Kind.NOTE_ADDED, NoteAdded(text="after")), LEAD)
    events = assert_log_intact(store, incident)
    assert events[0].login is None  # written before logins were recorded
    assert events[1].login == (None if db_url.startswith("sqlite") else "irbook")
    store.close()
