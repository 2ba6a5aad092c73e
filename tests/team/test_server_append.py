"""PostgreSQL appends in one call on the server (store/server_append.py, issue 17).

The server picks the seq, reads the head's hash and finishes the event's hash from bytes the
client sent, so no client work happens while the incident's lock is held. These tests check that
the hash is still exactly the chain's (``irbook verify`` agrees), that a queued append really is
on the server whole while it waits, and that writers without the function (a database from
before it, a login without EXECUTE) share the same queue.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from teamkit import DRILL, assert_log_intact, libpq, run_drivers, write_answers

from irbook.domain.events import Event, Kind, NewEvent, NoteAdded, event_hash
from irbook.errors import AppendConflict
from irbook.loader.load import load_runbook
from irbook.store import Store, open_store
from irbook.store.server_append import ADVISORY_LOCK_CLASS, SIGNATURE
from irbook.usecases.incidents import Responder, start_incident

pytestmark = pytest.mark.postgres

AWKWARD = [
    'quotes " and \\ backslashes',
    "non-ASCII: é ü ß 漢字 😀, a line separator \u2028 and a NUL \x00",
    ',"seq":0,"step_id":null}',  # the tail the seq is spliced into, inside the payload
    "",
]


def note(text: str, step_id: str | None = None) -> NewEvent:
    return NewEvent(Kind.NOTE_ADDED, NoteAdded(text=text), step_id=step_id)


def opened(store: Store) -> str:
    state = start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    return state.incident_id


def test_hashes_the_server_computes_are_the_chains_and_verify_passes(pg_url: str) -> None:
    store = open_store(pg_url)
    incident_id = opened(store)
    at = datetime(2026, 11, 30, 8, 0, 0, 1, tzinfo=UTC)
    written: list[Event] = []
    for n, text in enumerate(AWKWARD):
        step_id = None if n % 2 else 'step "quoted" ü'
        seq = len(store.events(incident_id)) + 1
        written.append(
            store.append(
                incident_id, note(text, step_id), expected_seq=seq, actor="ä€", host="h", at=at
            )
        )
    written += store.append_many(
        incident_id, [note(t) for t in AWKWARD], actor="bob", host="laptop-b", at=at
    )

    stored = assert_log_intact(store, incident_id)  # gapless, and `irbook verify` passes
    # What append returned is what was stored, and each hash is the chain's definition.
    assert stored[-len(written) :] == written
    for event in stored:
        assert event.hash == event_hash(event)
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    store.close()


def test_an_out_of_date_expected_seq_is_a_conflict_and_nothing_is_written(pg_url: str) -> None:
    store = open_store(pg_url)
    incident_id = opened(store)
    before = store.events(incident_id)
    stale = len(before)  # the seq of the last event: already taken

    with pytest.raises(AppendConflict):
        store.append_many(
            incident_id,
            [note("a"), note("b")],
            expected_seq=stale,
            actor="a",
            host="h",
            at=datetime.now(UTC),
        )

    assert store.events(incident_id) == before  # the second event was not appended either
    store.close()


def test_an_append_waiting_for_the_incident_is_on_the_server_whole(pg_url: str) -> None:
    """While another transaction holds the incident's lock, the waiting append's statement is
    the whole append (lock, head, hash, insert): nothing is left for its process to do once the
    lock is granted. Before, the waiting statement was the lock alone; the head was read, the
    event hashed and the INSERT sent only after it."""
    import psycopg

    store = open_store(pg_url)
    incident_id = opened(store)
    results: list[Event] = []
    with psycopg.connect(libpq(pg_url)) as holder:  # a transaction that holds the lock
        holder.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (ADVISORY_LOCK_CLASS, incident_id)
        )
        appender = threading.Thread(
            target=lambda: results.append(
                store.append(
                    incident_id,
                    note("queued"),
                    expected_seq=None,
                    actor="a",
                    host="h",
                    at=datetime.now(UTC),
                )
            )
        )
        appender.start()
        with psycopg.connect(libpq(pg_url), autocommit=True) as watcher:
            waiting: list[tuple[str]] = []
            while not waiting and appender.is_alive():  # until it queues behind the holder
                waiting = watcher.execute(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                ).fetchall()
        assert len(waiting) == 1
        assert "irbook_append(" in waiting[0][0], waiting
        holder.commit()  # releases the lock
    appender.join()

    assert [e.payload["text"] for e in results] == ["queued"]
    assert assert_log_intact(store, incident_id)[-1] == results[0]
    store.close()


def test_a_database_without_the_function_appends_the_other_way(pg_url: str) -> None:
    """A database made by a build before the function existed (dropped here) still appends,
    queued and chained, the way SQLite does."""
    import psycopg

    store = open_store(pg_url)
    incident_id = opened(store)
    with psycopg.connect(libpq(pg_url), autocommit=True) as owner:
        owner.execute(f"DROP FUNCTION {SIGNATURE}")
    later = open_store(pg_url)

    later.append(
        incident_id, note("after"), expected_seq=None, actor="a", host="h", at=datetime.now(UTC)
    )

    events = assert_log_intact(later, incident_id)
    assert events[-1].payload["text"] == "after"
    later.close()
    store.close()


@pytest.fixture
def no_execute_login(pg_url: str) -> Iterator[str]:
    """A login that may read and append but not call irbook_append (EXECUTE revoked from
    PUBLIC, as a cautious administrator might): its store appends without the function."""
    import psycopg

    name, password = f"legacy_{secrets.token_hex(4)}", secrets.token_hex(8)
    open_store(pg_url).close()  # the tables and the function, as `irbook db init` makes them
    with psycopg.connect(libpq(pg_url), autocommit=True) as owner:
        owner.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
        owner.execute(f"GRANT SELECT ON irbook_meta TO {name}")
        owner.execute(f"GRANT SELECT, INSERT ON incident, event TO {name}")
        owner.execute(f"REVOKE EXECUTE ON FUNCTION {SIGNATURE} FROM PUBLIC")
    prefix, rest = pg_url.split("//", 1)
    try:
        yield f"{prefix}//{name}:{password}@{rest.split('@', 1)[1]}"
    finally:
        with psycopg.connect(libpq(pg_url), autocommit=True) as owner:
            owner.execute(f"DROP OWNED BY {name}")
            owner.execute(f"DROP ROLE {name}")


def test_writers_with_and_without_the_function_share_one_queue(
    pg_url: str, no_execute_login: str, tmp_path: Path
) -> None:
    """Two processes append through irbook_append and two without it, at the same moment, to
    one incident: both ways take the same lock, so none races another (zero conflicts), and the
    log is gapless and verifies."""
    store = open_store(pg_url)
    incident_id = opened(store)
    roles = ["a", "b", "c", "d"]
    steps = {r: {f"{r}-{n:04d}": "done" for n in range(60)} for r in roles}
    walkers = [
        (f"{r}-person", write_answers(tmp_path / f"{r}.json", steps[r]), None) for r in roles
    ]

    reports = run_drivers(
        pg_url,
        incident_id,
        walkers,
        mode="record",
        urls=[pg_url, pg_url, no_execute_login, no_execute_login],
    )

    assert [r["conflicts"] for r in reports] == [0, 0, 0, 0]
    events = assert_log_intact(store, incident_id)
    logins = {e.login for e in events if e.kind == Kind.STEP_COMPLETED}
    assert len(logins) == 2  # both logins wrote: the owner through the function, one without
    assert len([e for e in events if e.kind == Kind.STEP_COMPLETED]) == 4 * 60
    store.close()


def test_db_init_adds_the_function_to_a_database_made_before_it(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database made by a build before irbook_append has schema 2 like any other, so `db
    init` used to call it current and leave it on the slower path. It now adds the function
    (saying so), and says nothing changed when it is there."""
    import json

    import psycopg

    from irbook.cli import run

    store = open_store(pg_url)
    incident_id = opened(store)
    store.close()
    with psycopg.connect(libpq(pg_url), autocommit=True) as owner:
        owner.execute(f"DROP FUNCTION {SIGNATURE}")

    assert run(["db", "init", "--db", pg_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["append_function_added"] is True
    assert run(["db", "init", "--db", pg_url]) == 0
    assert "nothing changed" in capsys.readouterr().out
    with psycopg.connect(libpq(pg_url), autocommit=True) as owner:
        found = owner.execute("SELECT to_regprocedure(%s) IS NOT NULL", (SIGNATURE,)).fetchone()
    assert found == (True,)

    later = open_store(pg_url)
    assert later._writer.server_appends  # the fast path is back
    later.append(
        incident_id, note("after"), expected_seq=None, actor="a", host="h", at=datetime.now(UTC)
    )
    assert assert_log_intact(later, incident_id)[-1].payload["text"] == "after"
    later.close()
