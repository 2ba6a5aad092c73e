"""The event store: incidents and their append-only, hash-chained event log.

Every append is its own committed transaction, so a kill -9 loses at most the answer being typed.
An append names the seq it expects; if another responder (process or machine) appended first, it
raises ``AppendConflict`` and the caller reloads. The same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, Table, Text, cast, func, type_coerce
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from irbook.domain.eventlog import canonical_around_seq
from irbook.domain.events import GENESIS_HASH, Event, NewEvent, canonical, chain_hash
from irbook.errors import AppendConflict, NotFoundError
from irbook.store import server_read
from irbook.store.append import Writer
from irbook.store.database import (
    create_db_engine,
    describe,
    ensure_schema,
    require_existing,
    resolve_url,
    translate_errors,
)
from irbook.store.decode import DamagedRow, damaged_log_error, decode_event
from irbook.store.records import Incident, utc
from irbook.store.tables import EventRow, IncidentRow


def _incident(row: IncidentRow) -> Incident:
    return Incident(
        id=row.id,
        title=row.title,
        severity=row.severity,
        status=row.status,
        runbook_id=row.runbook_id,
        runbook_version=row.runbook_version,
        runbook_sha256=row.runbook_sha256,
        opened_at=utc(row.opened_at),
        opened_by=row.opened_by,
        closed_at=utc(row.closed_at) if row.closed_at else None,
    )


def _event(row: Any) -> Event:  # an EventRow, or a Core row with the same columns
    return Event(
        incident_id=row.incident_id,
        seq=row.seq,
        at=utc(row.at),
        actor=row.actor,
        host=row.host,
        kind=row.kind,
        step_id=row.step_id,
        payload=row.payload,
        prev_hash=row.prev_hash,
        hash=row.hash,
        login=row.login,
    )


class Store:
    """Incidents and events in one database (``open_store`` makes one)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._session_user: str | None = None

    @property
    def where(self) -> str:
        return describe(self.url)

    @property
    def reads_in_parallel(self) -> bool:
        """PostgreSQL: a forked child opens an engine of its own (psycopg never closes a
        connection from a process that did not open it). A SQLite file opened here is left to
        one process: its URL has options the child's sqlite3 path would not apply."""
        return self._writer.postgres

    def close(self) -> None:
        self.engine.dispose()

    # --- incidents -----------------------------------------------------------------------------

    def create_incident(
        self, incident: Incident, opened: NewEvent, *, actor: str, host: str, at: datetime
    ) -> Event:
        """Insert the incident row and its first event in one transaction."""
        # UTC like every event time: `verify` compares the row's opened_at with the first event's
        row = incident.__dict__ | {"opened_at": utc(incident.opened_at)}
        writer = self._writer
        with translate_errors(self.url), writer.transaction() as cursor:
            writer.run(cursor, writer.insert_incident, row)
            login = self._login(cursor)
            return self._insert(
                cursor, incident.id, 1, GENESIS_HASH, opened, actor, host, at, login
            )

    def incidents(self, *, status: str | None = None) -> list[Incident]:
        with translate_errors(self.url), Session(self.engine) as session:
            query = select(IncidentRow).order_by(col(IncidentRow.opened_at).desc())
            if status is not None:
                query = query.where(IncidentRow.status == status)
            return [_incident(r) for r in session.exec(query)]

    def incident(self, incident_id: str) -> Incident:
        """An incident by id (case-insensitive), or NotFoundError naming the close ones."""
        with translate_errors(self.url), Session(self.engine) as session:
            row = session.get(IncidentRow, incident_id)
            if row is None:
                row = session.exec(
                    select(IncidentRow).where(func.upper(IncidentRow.id) == incident_id.upper())
                ).first()
            if row is not None:
                return _incident(row)
            ids = list(session.exec(select(IncidentRow.id)))
        close = difflib.get_close_matches(incident_id, ids, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise NotFoundError(
            f"no incident '{incident_id}' in {self.where}",
            hint=f"{hint}`irbook list` shows the incidents in this database",
        )

    def changed_severities(self) -> dict[str, str]:
        """Each incident's latest ``severity_changed`` severity (incidents never changed are
        absent): the row keeps the opening severity, which the guards and ``verify`` hold fixed."""
        table: Table = EventRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
        query = (
            table.select()
            .with_only_columns(table.c.incident_id, table.c.payload)
            .where(table.c.kind == "severity_changed")
            .order_by(table.c.incident_id, table.c.seq)
        )
        latest: dict[str, str] = {}
        with translate_errors(self.url), self.engine.connect() as conn:
            for incident_id, payload in conn.execute(query):
                severity = payload.get("severity") if isinstance(payload, dict) else None
                if isinstance(severity, str):
                    latest[incident_id] = severity
        return latest

    def latest_open(self) -> Incident | None:
        open_ones = self.incidents(status="open")
        return open_ones[0] if open_ones else None

    # --- events --------------------------------------------------------------------------------

    def events(
        self, incident_id: str, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Event]:
        """The incident's events after ``after_seq``, in order; DamagedLogError when a row cannot
        be read as an event (edited outside irbook): `irbook verify` names every such row."""
        events, damaged = self.scan(incident_id, after_seq=after_seq, limit=limit)
        if damaged:
            raise damaged_log_error(incident_id, damaged)
        return events

    def iter_events(
        self,
        incident_id: str,
        *,
        after_seq: int = 0,
        payloads: frozenset[str] | None = None,
    ) -> Iterator[Event]:
        """As ``events``, a page of rows at a time (one query per page): a big log is never held
        whole. DamagedLogError names every damaged row, as ``events`` does; the events before it
        were already yielded. ``payloads``: only events of these kinds need their payload; on
        PostgreSQL the others' may come as ``{}`` (store/server_read.py). A SQLite file opened
        here (a URL with options) reads every payload, a page at a time."""
        if self._writer.postgres:
            yield from self._iter_server_events(incident_id, after_seq, payloads)
            return
        last = after_seq
        while True:
            page, damaged = self.scan(incident_id, after_seq=last, limit=_PAGE)
            if damaged:
                _, damaged = self.scan(incident_id, after_seq=last)  # count them all
                raise damaged_log_error(incident_id, damaged)
            yield from page
            if len(page) < _PAGE:
                return
            last = page[-1].seq

    def _iter_server_events(
        self, incident_id: str, after_seq: int, payloads: frozenset[str] | None
    ) -> Iterator[Event]:
        """The pages of store/server_read.py, each fetched on a pooled connection (back in the
        pool while its rows are used)."""
        writer = self._writer

        def fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
            with writer.transaction(one_statement=True) as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())

        def rescan(seq: int) -> list[DamagedRow]:
            return self.scan(incident_id, after_seq=max(seq, after_seq))[1]

        with translate_errors(self.url):
            rows = server_read.pages(fetch, incident_id, after_seq=after_seq, payloads=payloads)
            yield from server_read.decoded(rows, incident_id, rescan)

    def scan(
        self, incident_id: str, *, after_seq: int = 0, limit: int | None = None
    ) -> tuple[list[Event], list[DamagedRow]]:
        """Every event row after ``after_seq``: the ones that decode, and the ones that do not."""
        # Core rows, not ORM objects: a 10,000-event log loads about twice as fast. Columns with
        # a type conversion are read as stored, so a damaged value is reported, not raised.
        table: Table = EventRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
        columns = [
            type_coerce(c, String()).label(c.name) if c.name in ("at", "payload") else c
            for c in table.c
        ]
        if self._writer.postgres:  # the JSON text the server holds, decoded (or refused) here,
            # not by the driver: a payload that is a JSON string is "text", not "not JSON", and
            # one nested past Python's limit a damaged row, not an error out of the driver
            columns[table.c.keys().index("payload")] = cast(table.c.payload, Text).label("payload")
        query = (
            core_select(*columns)
            .where(table.c.incident_id == incident_id, table.c.seq > after_seq)
            .order_by(table.c.seq)
            .limit(limit)
        )
        events: list[Event] = []
        damaged: list[DamagedRow] = []
        with translate_errors(self.url), self.engine.connect() as conn:
            for row in conn.execute(query):
                decoded = decode_event(row)
                if isinstance(decoded, Event):
                    events.append(decoded)
                else:
                    damaged.append(decoded)
        return events, damaged

    def last_seq(self, incident_id: str) -> int:
        with translate_errors(self.url), Session(self.engine) as session:
            value = session.exec(
                select(func.max(EventRow.seq)).where(EventRow.incident_id == incident_id)
            ).one()
            return int(value or 0)

    def append(
        self,
        incident_id: str,
        new: NewEvent,
        *,
        expected_seq: int | None,
        actor: str,
        host: str,
        at: datetime,
    ) -> Event:
        """Append ``new`` as event number ``expected_seq`` and commit it before returning.

        Raises AppendConflict when the log no longer ends at ``expected_seq - 1``. With None it
        goes at the end, after whatever other responders appended (an event that does not
        depend on the state: a note, evidence).
        """
        (event,) = self.append_many(
            incident_id, [new], expected_seq=expected_seq, actor=actor, host=host, at=at
        )
        return event

    def append_many(
        self,
        incident_id: str,
        news: Sequence[NewEvent],
        *,
        expected_seq: int | None = None,
        actor: str,
        host: str,
        at: datetime,
    ) -> list[Event]:
        """Append several events in one transaction: all of them are committed, or none.

        With ``expected_seq`` the first one must become that event number (AppendConflict when
        another writer got there first); without it they go at the end (imports, benchmarks).
        Writers of one incident queue for it (store/append.py) before reading its head.
        """
        writer = self._writer
        target = expected_seq or 0
        try:
            with translate_errors(self.url):
                if writer.server_appends:  # PostgreSQL: one call (store/server_append.py)
                    return self._append_on_server(incident_id, news, expected_seq, actor, host, at)
            with translate_errors(self.url), writer.transaction() as cursor:
                writer.queue(cursor, incident_id)
                seq, prev = writer.head(cursor, incident_id)
                if expected_seq is not None and seq != expected_seq - 1:
                    raise AppendConflict(incident_id, expected_seq)
                target = seq + 1
                login = self._login(cursor)
                out = []
                for new in news:
                    seq += 1
                    event = self._insert(
                        cursor, incident_id, seq, prev, new, actor, host, at, login
                    )
                    prev = event.hash
                    out.append(event)
                return out
        except IntegrityError:  # another writer's row took our seq (translate_errors let it by):
            # one that did not queue (an older irbook, a script), as every irbook writer does
            raise AppendConflict(incident_id, target) from None

    # --- internals -----------------------------------------------------------------------------

    @functools.cached_property
    def _writer(self) -> Writer:
        return Writer(self.engine)

    def _login(self, cursor: Any = None) -> str | None:
        """The login the server records on each event (guards.py sets it from session_user),
        asked once (on ``cursor``, or in a statement of its own): the hash covers it."""
        if not self._writer.postgres:
            return None
        if self._session_user is None:
            if cursor is not None:
                self._session_user = self._writer.session_user(cursor)
            else:
                with self._writer.transaction(one_statement=True) as own:
                    self._session_user = self._writer.session_user(own)
        return self._session_user

    def _append_on_server(
        self,
        incident_id: str,
        news: Sequence[NewEvent],
        expected_seq: int | None,
        actor: str,
        host: str,
        at: datetime,
    ) -> list[Event]:
        """The server picks each seq and finishes each hash (store/server_append.py); the client
        builds everything that does not depend on the head, before it queues."""
        at = utc(at)
        login = self._login()
        events = [
            Event(
                incident_id=incident_id,
                seq=0,  # set by the server, as are the two hashes
                at=at,
                actor=actor,
                host=host,
                kind=str(new.kind),
                step_id=new.step_id,
                payload=new.payload_json(),
                prev_hash="",
                hash="",
                login=login,
            )
            for new in news
        ]
        rows = []
        for e in events:
            before, after = canonical_around_seq(
                incident_id, at, actor, host, e.kind, e.step_id, e.payload, login
            )
            # every column the client knows; the seq and the two hashes are the server's
            known = {k: v for k, v in e.__dict__.items() if k not in ("seq", "prev_hash", "hash")}
            rows.append(known | {"before_seq": before, "after_seq": after})
        chained = self._writer.append_on_server(rows, expected_seq=expected_seq)
        return [
            replace(e, seq=seq, prev_hash=prev_hash, hash=hash_)
            for e, (seq, prev_hash, hash_) in zip(events, chained, strict=True)
        ]

    def _insert(
        self,
        cursor: Any,
        incident_id: str,
        seq: int,
        prev_hash: str,
        new: NewEvent,
        actor: str,
        host: str,
        at: datetime,
        login: str | None,
    ) -> Event:
        payload: dict[str, Any] = new.payload_json()
        at = utc(at)
        kind = str(new.kind)
        body = canonical(incident_id, seq, at, actor, host, kind, new.step_id, payload, login)
        event = Event(
            incident_id=incident_id,
            seq=seq,
            at=at,
            actor=actor,
            host=host,
            kind=kind,
            step_id=new.step_id,
            payload=payload,
            prev_hash=prev_hash,
            hash=chain_hash(prev_hash, body),
            login=login,
        )
        self._writer.run(cursor, self._writer.insert_event, event.__dict__)
        return event


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the database at ``url`` (``--db``/``IRBOOK_DB``, else the user data dir).

    ``create`` makes the file, its folder and the tables on first use. The CLI passes it only
    for `irbook start`: every other command needs an irbook database to be there already, so a
    mistyped --db is an error ("no database at ...") instead of a new empty database.
    """
    resolved = resolve_url(url)
    if not create:
        require_existing(resolved)
    engine = create_db_engine(resolved)
    ensure_schema(engine, resolved, create=create)
    return Store(engine, resolved)


_PAGE = 2000  # events per query in ``iter_events``
