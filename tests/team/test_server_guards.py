"""The server itself refuses what would break an incident's record, whoever connects.

Each test writes to the tables from outside irbook (sqlite3 or psycopg, as a script or a psql
session would) and checks the database refuses, and that irbook carries on with an intact log.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from teamkit import DRILL, assert_log_intact, raw_connect, sql, write_answers

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


GUARDS = [
    ("event", "event_follows_head"),
    ("event", "event_closes_incident"),
    ("incident", "incident_follows_log"),
]


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
        for table, trigger in GUARDS:
            if url.startswith("sqlite"):
                conn.execute(f"DROP TRIGGER {trigger}")
            else:
                conn.execute(f"DROP TRIGGER {trigger} ON {table}")
        if url.startswith("sqlite"):
            conn.execute("DROP TRIGGER incident_opens_open")  # PostgreSQL: incident_follows_log
        else:
            for function in ("event_follows_head", "event_closes_incident", "incident_follows_log"):
                conn.execute(f"DROP FUNCTION irbook_{function}()")
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


def row_refused(url: str) -> type[Exception]:
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.IntegrityError
    import psycopg

    return psycopg.errors.InsufficientPrivilege


def test_the_incident_row_changes_only_with_its_close_event(db_url: str, tmp_path: Any) -> None:
    incident = opened(db_url)
    forge = "UPDATE incident SET status = 'completed', closed_at = ? WHERE id = ?"

    with pytest.raises(
        row_refused(db_url), match=r"irbook: .*changes only with its incident_closed"
    ):
        sql(db_url, forge, ("2026-05-11 20:00:00", incident))
    with pytest.raises(row_refused(db_url), match="irbook: a new incident is open"):
        sql(
            db_url,
            "INSERT INTO incident SELECT 'IR-X', title, severity, 'completed', runbook_id, "
            "runbook_version, runbook_sha256, opened_at, opened_by, NULL FROM incident",
        )
    assert sql(db_url, "SELECT status, closed_at FROM incident") == [("open", None)]

    store = open_store(db_url)
    steps = {s.id: "done" for _, s in load_runbook(DRILL).runbook.steps()}
    answers = write_answers(tmp_path / "a.json", steps | {"affected-devices": ["ci-4"]})
    assert run(["resume", incident, "--answers", str(answers), "--db", db_url]) == 0
    assert run(["close", incident, "--db", db_url]) == 0

    closed = store.incident(incident)
    assert (closed.status, closed.closed_at) == ("completed", store.events(incident)[-1].at)
    with pytest.raises(row_refused(db_url), match="irbook: "):
        sql(db_url, "UPDATE incident SET status = 'open', closed_at = NULL")
    with pytest.raises(row_refused(db_url), match="irbook: "):
        sql(db_url, "UPDATE incident SET severity = 'SEV4'")
    assert store.incident(incident).status == "completed"
    store.close()


def test_the_upgrade_repairs_an_incident_left_open_by_the_old_two_step_close(
    db_url: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Schema 1 closed in two transactions; a kill between them left the row open while the log
    said closed (issue 11, finding 6). `db init` makes the row follow the log."""
    incident = opened(db_url)
    steps = {s.id: "done" for _, s in load_runbook(DRILL).runbook.steps()}
    answers = write_answers(tmp_path / "a.json", steps | {"affected-devices": ["ci-4"]})
    assert run(["resume", incident, "--answers", str(answers), "--db", db_url]) == 0
    assert run(["close", incident, "--db", db_url]) == 0
    downgrade_to_schema_1(db_url)
    sql(db_url, "UPDATE incident SET status = 'open', closed_at = NULL")  # the killed close

    assert run(["db", "init", "--db", db_url]) == 0
    capsys.readouterr()

    assert run(["list", "--open", "--json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out) == []
    store = open_store(db_url)
    assert store.incident(incident).status == "completed"
    assert store.incident(incident).closed_at == store.events(incident)[-1].at
    store.close()
