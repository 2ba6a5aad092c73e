"""`status` and `report` on PostgreSQL (issue 17): the log is read with the driver's own cursor, a
page at a time, with only the payloads the command reads decoded (store/server_read.py).

Nothing a reader sees may change: every event as the careful scan decodes it (in UTC whatever the
session's time zone), the status of a fold of every event, reports byte for byte those of the
careful read, whether one process or two write them, and a damaged row still refused, even one
whose payload the command does not read.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from big_incident import GROWN_EVENTS
from scripted_incident import Scripted

from irbook.domain import engine
from irbook.domain.events import Event, Kind
from irbook.errors import DamagedLogError, IrbookError, NotFoundError, StoreUnavailableError
from irbook.report import FORMATS, split
from irbook.report.service import report_incident
from irbook.store import Reader, Store, open_reader, open_store, server_read
from irbook.store.server_read import PostgresReader
from irbook.usecases.incidents import load_state
from irbook.usecases.verify import verify_incident
from shared import libpq


def superuser_sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """A statement run from outside irbook, as the server's superuser in psql would, with the
    tables' triggers off (an edit behind irbook's back)."""
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def careful_events(store: Store, incident_id: str, **_: object) -> Iterator[Event]:
    """The log as ``Store.scan`` reads it: SQLAlchemy rows, every column checked by
    ``decode_event`` (the reference the fast read must equal)."""
    events, damaged = store.scan(incident_id)
    assert not damaged
    yield from events


def readers(scripted: Scripted) -> Iterator[Reader]:
    """The two fast paths: psycopg alone (what the read commands open), and the ORM store's
    pages on its pooled connection (the walker's resume)."""
    reader = open_reader(scripted.db_url)
    assert isinstance(reader, PostgresReader), "a current PostgreSQL database takes psycopg's path"
    try:
        yield reader
    finally:
        reader.close()
    yield scripted.store


@pytest.mark.parametrize("page", [server_read.PAGE, 7, 1000], ids=["one-page", "7", "1000"])
def test_every_event_reads_as_the_careful_scan_reads_it(
    grown_pg: Scripted, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_read, "PAGE", page)  # 1000: the last page is full, then empty
    careful = list(careful_events(grown_pg.store, grown_pg.incident_id))
    assert len(careful) == GROWN_EVENTS
    for reader in readers(grown_pg):
        assert list(reader.iter_events(grown_pg.incident_id)) == careful, reader
        assert list(reader.iter_events(grown_pg.incident_id, after_seq=2990)) == careful[2990:]
        lean = list(reader.iter_events(grown_pg.incident_id, payloads=engine.PAYLOAD_KINDS))
        assert [e.seq for e in lean] == [e.seq for e in careful]
        assert reader.events(grown_pg.incident_id, after_seq=2) == careful[2:]


def test_times_come_back_in_utc_whatever_the_session_time_zone(grown_pg: Scripted) -> None:
    name = grown_pg.db_url.rsplit("/", 1)[1]
    superuser_sql(grown_pg.db_url, f"ALTER DATABASE \"{name}\" SET timezone = 'Asia/Kolkata'")
    grown_pg.store.engine.dispose()  # its pooled sessions were opened before the change
    for reader in readers(grown_pg):
        events = list(reader.iter_events(grown_pg.incident_id))
        assert {e.at.utcoffset() for e in events} == {timedelta(0)}
        assert {e.at.tzinfo for e in events} == {UTC}
        assert events == list(careful_events(grown_pg.store, grown_pg.incident_id))
        opened = reader.incident(grown_pg.incident_id).opened_at
        assert opened.tzinfo is UTC and opened == events[0].at


def test_status_folds_without_the_payloads_it_does_not_read(grown_pg: Scripted) -> None:
    """The server checks the payloads the fold does not read (a JSON object, short enough for
    Python to read) and sends '{}' for them: the same view as a fold of every event, whole."""
    from irbook.usecases.status import status_view

    whole_state = load_state(grown_pg.store, grown_pg.incident_id)
    now = whole_state.last.at  # type: ignore[union-attr]  # the log is not empty
    for reader in readers(grown_pg):
        lean = load_state(reader, grown_pg.incident_id, keep_events=False)
        assert lean.events == [] and lean.event_count == whole_state.event_count
        assert status_view(lean, now=now) == status_view(whole_state, now=now)
        read = list(reader.iter_events(grown_pg.incident_id, payloads=engine.PAYLOAD_KINDS))
        skipped = {e.kind for e in read if not e.payload}
        assert Kind.NOTE_ADDED in skipped  # not decoded: notes are most of the log
        assert skipped <= {k for k in Kind if k not in engine.PAYLOAD_KINDS}
        assert all(e.payload for e in read if e.kind in engine.PAYLOAD_KINDS)


DEEP = '{"deep": ' + "[" * 5000 + "]" * 5000 + "}"


@pytest.mark.parametrize(
    ("payload", "cause"),
    [
        ("[1, 2]", "its payload is a list, not a JSON object"),
        ('"a note"', "its payload is text, not a JSON object"),
        (DEEP, "its payload is nested too deeply to read"),
    ],
    ids=["list", "text", "too-deep"],
)
def test_a_damaged_payload_it_does_not_read_is_still_refused(
    grown_pg: Scripted, payload: str, cause: str
) -> None:
    [(seq,)] = superuser_sql(
        grown_pg.db_url,
        "SELECT max(seq) FROM event WHERE incident_id = %s AND kind = 'note_added'",
        (grown_pg.incident_id,),
    )
    superuser_sql(
        grown_pg.db_url,
        "UPDATE event SET payload = %s::json WHERE incident_id = %s AND seq = %s",
        (payload, grown_pg.incident_id, seq),
    )
    for reader in readers(grown_pg):
        with pytest.raises(DamagedLogError) as refused:
            load_state(reader, grown_pg.incident_id, keep_events=False)
        assert f"event {seq}: {cause}" in refused.value.message
        verified = verify_incident(reader, grown_pg.incident_id)
        assert [str(row) for row in verified.damaged] == [f"event {seq}: {cause}"]


def report(reader: Reader, incident_id: str, fmt: str) -> str:
    exported = report_incident(reader, incident_id, fmt)
    try:
        return exported.text
    finally:
        exported.close()


def test_reports_are_those_of_the_careful_read_in_one_process_or_two(
    grown_pg: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    iid = grown_pg.incident_id
    with monkeypatch.context() as careful:
        careful.setattr(split, "SPLIT_FROM", 10**9)
        careful.setattr(Store, "iter_events", careful_events)
        expected = {fmt: report(grown_pg.store, iid, fmt) for fmt in FORMATS}
    for reader in readers(grown_pg):
        with monkeypatch.context() as one:
            one.setattr(split, "SPLIT_FROM", 10**9)
            for fmt in FORMATS:
                assert report(reader, iid, fmt) == expected[fmt], (reader, fmt)
        assert not forks
        for fmt in FORMATS:  # split: every log of over 100 events (the `forks` fixture)
            assert report(reader, iid, fmt) == expected[fmt], (reader, fmt)
        assert len(forks) == len(FORMATS) - 1  # not the follow-ups CSV: a handful of events
        forks.clear()


def test_every_record_equals_the_orm_stores(grown_pg: Scripted) -> None:
    reader = open_reader(grown_pg.db_url)
    store = grown_pg.store
    assert isinstance(reader, PostgresReader)
    try:
        assert reader.where == store.where and "***" in reader.where  # the test URL's password
        assert reader.incidents() == store.incidents()
        assert reader.incidents(status="open") == store.incidents(status="open")
        assert reader.latest_open() == store.latest_open()
        assert reader.changed_severities() == store.changed_severities()
        iid = grown_pg.incident_id
        assert reader.incident(iid.lower()) == store.incident(iid)
        assert reader.last_seq(iid) == store.last_seq(iid) == GROWN_EVENTS
        assert reader.scan(iid) == store.scan(iid)
        typo = iid[:-1] + "Z"
        with pytest.raises(NotFoundError) as fast:
            reader.incident(typo)
        with pytest.raises(NotFoundError) as orm:
            store.incident(typo)
        assert (fast.value.message, fast.value.hint) == (orm.value.message, orm.value.hint)
    finally:
        reader.close()


def test_a_server_error_hands_the_call_to_the_orm_store(grown_pg: Scripted) -> None:
    reader = open_reader(grown_pg.db_url)
    assert isinstance(reader, PostgresReader)
    try:
        superuser_sql(grown_pg.db_url, "DROP TABLE event CASCADE")
        with pytest.raises(IrbookError) as fast:
            reader.events(grown_pg.incident_id)
        with pytest.raises(IrbookError) as orm:  # a missing table: corrupt, from opening on
            open_reader(grown_pg.db_url)
        assert type(fast.value) is type(orm.value)
        assert (fast.value.message, fast.value.hint) == (orm.value.message, orm.value.hint)
        assert "table event is missing" in fast.value.message
    finally:
        reader.close()


def test_a_server_that_cannot_be_reached_is_reported_as_the_orm_store_reports_it(
    pg_url: str,
) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nobody listens there once it is closed
    parts = urlsplit(pg_url)
    down = urlunsplit(parts._replace(netloc=f"{parts.username}:pw@127.0.0.1:{port}"))
    with pytest.raises(StoreUnavailableError) as fast:
        open_reader(down)
    with pytest.raises(StoreUnavailableError) as orm:
        open_store(down, create=False)
    assert (fast.value.message, fast.value.hint) == (orm.value.message, orm.value.hint)
    assert "pw" not in fast.value.message


def _modules_after(*args: str) -> set[str]:
    code = (
        "import json, sys\n"
        "from irbook.cli import run\n"
        f"code = run({list(args)!r})\n"
        "print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules})]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    exit_code, loaded = json.loads(done.stdout.splitlines()[-1])
    assert exit_code == 0, done.stderr
    return set(loaded)


def test_status_list_and_verify_import_no_orm(grown_pg: Scripted) -> None:
    for args in (["status", grown_pg.incident_id], ["list"], ["verify", grown_pg.incident_id]):
        loaded = _modules_after(*args, "--db", grown_pg.db_url)
        assert "psycopg" in loaded  # the check sees what the command imports
        assert loaded.isdisjoint({"sqlalchemy", "sqlmodel"}) or args == ["list"], args
