"""`status` and `report` on PostgreSQL (issue 17): the log is read with the driver's own cursor, a
page at a time, with only the payloads the command reads decoded (store/server_read.py).

Nothing a reader sees may change: every event as the careful scan decodes it (in UTC whatever the
session's time zone), the status of a fold of every event, reports byte for byte those of the
careful read, whether one process or two write them, and a damaged row still refused, even one
whose payload the command does not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

import pytest
from big_incident import GROWN_EVENTS
from scripted_incident import Scripted

from irbook.domain import engine
from irbook.domain.events import Event, Kind
from irbook.errors import DamagedLogError
from irbook.report import FORMATS, split
from irbook.report.service import report_incident
from irbook.store import Store, open_reader
from irbook.usecases.incidents import load_state
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


def test_every_event_reads_as_the_careful_scan_reads_it(grown_pg: Scripted) -> None:
    reader = open_reader(grown_pg.db_url)
    try:
        fast = list(reader.iter_events(grown_pg.incident_id))
    finally:
        reader.close()
    assert fast == list(careful_events(grown_pg.store, grown_pg.incident_id))
    assert len(fast) == GROWN_EVENTS


def test_times_come_back_in_utc_whatever_the_session_time_zone(grown_pg: Scripted) -> None:
    name = grown_pg.db_url.rsplit("/", 1)[1]
    superuser_sql(grown_pg.db_url, f"ALTER DATABASE \"{name}\" SET timezone = 'Asia/Kolkata'")
    reader = open_reader(grown_pg.db_url)
    try:
        events = list(reader.iter_events(grown_pg.incident_id))
    finally:
        reader.close()
    assert {e.at.utcoffset() for e in events} == {timedelta(0)}
    assert {e.at.tzinfo for e in events} == {UTC}
    assert events == list(careful_events(grown_pg.store, grown_pg.incident_id))


def test_status_folds_without_the_payloads_it_does_not_read(grown_pg: Scripted) -> None:
    """The server checks the payloads the fold does not read (a JSON object, short enough for
    Python to read) and sends '{}' for them: the same view as a fold of every event, whole."""
    from irbook.usecases.status import status_view

    whole_state = load_state(grown_pg.store, grown_pg.incident_id)
    now = whole_state.last.at  # type: ignore[union-attr]  # the log is not empty
    reader = open_reader(grown_pg.db_url)
    try:
        lean = load_state(reader, grown_pg.incident_id, keep_events=False)
        assert lean.events == [] and lean.event_count == whole_state.event_count
        assert status_view(lean, now=now) == status_view(whole_state, now=now)
        read = list(reader.iter_events(grown_pg.incident_id, payloads=engine.PAYLOAD_KINDS))
    finally:
        reader.close()
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
        (DEEP, "its payload is nested too deeply"),
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
    reader = open_reader(grown_pg.db_url)
    try:
        with pytest.raises(DamagedLogError) as refused:
            load_state(reader, grown_pg.incident_id, keep_events=False)
    finally:
        reader.close()
    assert f"event {seq}: {cause}" in refused.value.message


def report(url: str, incident_id: str, fmt: str) -> str:
    reader = open_reader(url)
    try:
        exported = report_incident(reader, incident_id, fmt)
        try:
            return exported.text
        finally:
            exported.close()
    finally:
        reader.close()


def test_reports_are_those_of_the_careful_read_in_one_process_or_two(
    grown_pg: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as careful:
        careful.setattr(split, "SPLIT_FROM", 10**9)
        careful.setattr(Store, "iter_events", careful_events)
        expected = {fmt: report(grown_pg.db_url, grown_pg.incident_id, fmt) for fmt in FORMATS}
    with monkeypatch.context() as one:
        one.setattr(split, "SPLIT_FROM", 10**9)
        for fmt in FORMATS:
            assert report(grown_pg.db_url, grown_pg.incident_id, fmt) == expected[fmt], fmt
    forked: list[int] = []
    real_fork = split.os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(split, "SPLIT_FROM", 100)
    monkeypatch.setattr(split.os, "fork", counting_fork)
    for fmt in FORMATS:
        assert report(grown_pg.db_url, grown_pg.incident_id, fmt) == expected[fmt], fmt
    assert len(forked) == len(FORMATS) - 1  # not the follow-ups CSV: a handful of events
