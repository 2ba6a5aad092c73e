"""The read path on a SQLite file with the stdlib ``sqlite3`` module: ``status``, ``list``,
``verify`` and ``report`` start without importing SQLAlchemy and SQLModel (about half of their
start-up time before; docs/performance.md). Its PostgreSQL twin, on psycopg alone, is
store/server_read.py; ``open_reader`` picks whichever applies, else the ORM store.

Same answers as the ORM store, by construction:

- used only for a plain ``sqlite:///path`` URL of an existing regular file whose schema version
  is the current one; anything else (a new file to create, an old or newer schema, PostgreSQL, a
  URL with options) is opened by ``store.open_store`` exactly as before;
- the file is made 0600 and the connection gets the same pragmas as the ORM's connections;
- the statements are the ones SQLAlchemy emits for the ORM store's queries, and the rows are
  decoded as its SQLite types do (``datetime.fromisoformat``, ``json.loads``);
- any ``sqlite3`` error (locked, corrupt, a missing table) hands the call to the ORM store, so
  the user sees the ORM store's message and exit code, never a second wording.

tests/store/test_reader.py compares both paths on the same databases.
"""

from __future__ import annotations

import difflib
import os
import sqlite3
import stat
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from irbook.errors import NotFoundError
from irbook.files.private import ensure_private_file
from irbook.store.records import SCHEMA_VERSION, SKIPPABLE_LENGTH, Incident, Reader, utc
from irbook.store.urls import busy_timeout_ms, plain_sqlite_path, resolve_url

if TYPE_CHECKING:
    from datetime import datetime

    from irbook.domain.eventlog import Event
    from irbook.store.decode import DamagedRow
    from irbook.store.store import Store

_INCIDENT_COLUMNS = (
    "SELECT incident.id, incident.title, incident.severity, incident.status, incident.runbook_id, "
    "incident.runbook_version, incident.runbook_sha256, incident.opened_at, incident.opened_by, "
    "incident.closed_at \nFROM incident"
)
_EVENTS = (
    "SELECT event.incident_id, event.seq, event.at, event.actor, event.host, event.kind, "
    "event.step_id, event.payload, event.prev_hash, event.hash, event.login \nFROM event \n"
    "WHERE event.incident_id = ? AND event.seq > ? ORDER BY event.seq"
)


def open_reader(url: str | None = None) -> Reader:
    """A reader for ``url`` (``--db``/``IRBOOK_DB``): the stdlib path when it applies, else the
    ORM store. A reader never creates a database: a missing one is "no database at ..."."""
    resolved = resolve_url(url)
    reader: Reader | None = SqliteReader.open(resolved)
    if reader is None:
        from irbook.store.server_read import PostgresReader

        reader = PostgresReader.open(resolved)
    if reader is not None:
        return reader
    from irbook.store.store import open_store

    return open_store(url, create=False)


def _datetime(value: Any) -> datetime:
    from datetime import datetime

    return utc(datetime.fromisoformat(value))  # SQLAlchemy's SQLite DateTime result processor


def _incident(row: tuple[Any, ...]) -> Incident:
    return Incident(
        id=row[0],
        title=row[1],
        severity=row[2],
        status=row[3],
        runbook_id=row[4],
        runbook_version=row[5],
        runbook_sha256=row[6],
        opened_at=_datetime(row[7]),
        opened_by=row[8],
        closed_at=_datetime(row[9]) if row[9] is not None else None,
    )


class SqliteReader:
    """Reads one SQLite irbook database with ``sqlite3``; hands any error to the ORM store."""

    reads_in_parallel = True  # a child's own sqlite3 connection: never the parent's

    def __init__(self, url: str, connection: sqlite3.Connection) -> None:
        self.url = url
        self._db = connection
        self._store: Store | None = None

    @classmethod
    def open(cls, url: str) -> SqliteReader | None:
        """None when the stdlib path does not apply (see the module docstring)."""
        path = plain_sqlite_path(url)
        if path is None:
            return None
        try:
            info = os.lstat(path)
        except OSError:
            return None  # missing: the ORM path says "no database at ..."
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            # A symlink or a folder: the ORM path decides. An empty file must stay empty:
            # connecting in WAL mode would write a database header into it.
            return None
        ensure_private_file_of(path)
        timeout_ms = busy_timeout_ms()
        try:
            connection = sqlite3.connect(path, timeout=timeout_ms / 1000, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            # The ORM store's connect pragmas (store/database.py), so the file ends the same.
            connection.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            row = connection.execute(
                "SELECT irbook_meta.value \nFROM irbook_meta \nWHERE irbook_meta.key = ?",
                ("schema_version",),
            ).fetchone()
        except sqlite3.Error:
            connection.close()
            return None
        if row is None or row[0] != str(SCHEMA_VERSION):
            connection.close()
            return None  # an old, newer or damaged schema: the ORM store says which
        try:
            tables = {
                r[0]
                for r in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
                    ("incident", "event"),
                )
            }
        except sqlite3.Error:
            tables = set()
        if tables != {"incident", "event"}:
            connection.close()
            return None  # a dropped table: the ORM store calls the database corrupt (exit 2)
        return cls(url, connection)

    @property
    def where(self) -> str:
        return self.url  # a plain SQLite URL: SQLAlchemy renders it unchanged, with no password

    def close(self) -> None:
        self._db.close()
        if self._store is not None:
            self._store.close()

    def _orm(self) -> Store:
        if self._store is None:
            from irbook.store.store import open_store

            self._store = open_store(self.url, create=False)
        return self._store

    def incidents(self, *, status: str | None = None) -> list[Incident]:
        try:
            if status is None:
                rows = self._db.execute(f"{_INCIDENT_COLUMNS} ORDER BY incident.opened_at DESC")
            else:
                rows = self._db.execute(
                    f"{_INCIDENT_COLUMNS} \nWHERE incident.status = ? "
                    "ORDER BY incident.opened_at DESC",
                    (status,),
                )
            return [_incident(r) for r in rows.fetchall()]
        except sqlite3.Error:
            return self._orm().incidents(status=status)

    def last_seq(self, incident_id: str) -> int:
        """The seq of the incident's last event (0 for none, or when it cannot be read here)."""
        try:
            row = self._db.execute(
                "SELECT max(event.seq) \nFROM event \nWHERE event.incident_id = ?", (incident_id,)
            ).fetchone()
        except sqlite3.Error:
            return 0
        return row[0] if row and type(row[0]) is int else 0

    def incident(self, incident_id: str) -> Incident:
        """An incident by id (case-insensitive), or NotFoundError naming the close ones."""
        try:
            row = self._db.execute(
                f"{_INCIDENT_COLUMNS} \nWHERE incident.id = ?", (incident_id,)
            ).fetchone()
            if row is None:
                row = self._db.execute(
                    f"{_INCIDENT_COLUMNS} \nWHERE upper(incident.id) = ?", (incident_id.upper(),)
                ).fetchone()
            if row is not None:
                return _incident(row)
            ids = [r[0] for r in self._db.execute("SELECT incident.id \nFROM incident")]
        except sqlite3.Error:
            return self._orm().incident(incident_id)
        close = difflib.get_close_matches(incident_id, ids, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise NotFoundError(
            f"no incident '{incident_id}' in {self.where}",
            hint=f"{hint}`irbook list` shows the incidents in this database",
        )

    def latest_open(self) -> Incident | None:
        open_ones = self.incidents(status="open")
        return open_ones[0] if open_ones else None

    def changed_severities(self) -> dict[str, str]:
        """As ``Store.changed_severities``; a payload that is not JSON is passed over (verify
        names damaged rows)."""
        import json

        try:
            rows = self._db.execute(
                "SELECT incident_id, payload FROM event WHERE kind = 'severity_changed' "
                "ORDER BY incident_id, seq"
            ).fetchall()
        except sqlite3.Error:
            return self._orm().changed_severities()
        latest: dict[str, str] = {}
        for incident_id, payload in rows:
            try:
                severity = json.loads(payload).get("severity")
            except (TypeError, ValueError, AttributeError):
                continue
            if isinstance(severity, str):
                latest[incident_id] = severity
        return latest

    def events(self, incident_id: str, *, after_seq: int = 0) -> list[Event]:
        """As ``Store.events``: DamagedLogError when a row cannot be read as an event."""
        from irbook.store.decode import damaged_log_error

        events, damaged = self.scan(incident_id, after_seq=after_seq)
        if damaged:
            raise damaged_log_error(incident_id, damaged)
        return events

    def scan(self, incident_id: str, *, after_seq: int = 0) -> tuple[list[Event], list[DamagedRow]]:
        """As ``Store.scan``: every row as stored, decoded by the same ``decode_event``."""
        from irbook.domain.eventlog import Event
        from irbook.store.decode import StoredRow, decode_event

        try:
            rows = self._db.execute(_EVENTS, (incident_id, after_seq)).fetchall()
        except sqlite3.Error:
            return self._orm().scan(incident_id, after_seq=after_seq)
        events: list[Event] = []
        damaged: list[DamagedRow] = []
        for row in rows:
            decoded = decode_event(StoredRow(*row))
            if isinstance(decoded, Event):
                events.append(decoded)
            else:
                damaged.append(decoded)
        return events, damaged

    def iter_events(
        self,
        incident_id: str,
        *,
        after_seq: int = 0,
        payloads: frozenset[str] | None = None,
    ) -> Iterator[Event]:
        """As ``events``, one batch of rows at a time (``fetchmany``): a 100,000-event report
        or status holds one batch, not the log. DamagedLogError, naming every damaged row as
        ``events`` does, when a row cannot be read; the rows before it were already yielded.

        ``payloads``: only events of these kinds need their payload. The others' payloads are
        checked by SQLite (text, a JSON object) and handed out as ``{}``, not decoded; a row
        SQLite doubts, or one too long for its check to settle, is decoded as always."""
        from irbook.domain.eventlog import Event
        from irbook.store.decode import StoredRow, damaged_log_error, decode_event, decode_plain

        last = after_seq
        query: str = _EVENTS
        params: tuple[object, ...] = (incident_id, after_seq)
        if payloads is not None and sqlite3.sqlite_version_info >= (3, 38):
            marks = ", ".join("?" * len(payloads))
            query = _EVENTS.replace("event.payload,", _SKIPPED.format(marks), 1)
            params = (*sorted(payloads), incident_id, after_seq)
        try:
            cursor = self._db.execute(query, params)
            while rows := cursor.fetchmany(_BATCH):
                for row in rows:
                    event = decode_plain(row)
                    if event is None:
                        decoded = decode_event(StoredRow(*row))
                        if not isinstance(decoded, Event):
                            _, damaged = self.scan(incident_id, after_seq=last)
                            raise damaged_log_error(incident_id, damaged or [decoded])
                        event = decoded
                    last = event.seq
                    yield event
                del rows, row  # not alive beside the next batch: one batch held, not two
        except sqlite3.Error:
            # As every other read here: the ORM store gives its message (or the rest of the log).
            yield from self._orm().iter_events(incident_id, after_seq=last, payloads=payloads)


# '{}' (not decoded) for a payload that is sound JSON text holding an object, of a kind the caller
# does not read; SQLite's json_valid is RFC 8259 (Python's json also takes NaN: such a row is
# decoded). Only short ones (decode.SKIPPABLE_LENGTH): Python reads any of those.
_SKIPPED = (
    "CASE WHEN event.kind NOT IN ({}) AND typeof(event.payload) = 'text' "
    f"AND length(event.payload) <= {SKIPPABLE_LENGTH} AND json_valid(event.payload) "
    "AND json_type(event.payload) = 'object' THEN '{{}}' ELSE event.payload END,"
)
_BATCH = 1000  # rows per fetchmany: large enough to amortise the call, small beside the log


def ensure_private_file_of(path: str) -> None:
    """The ORM path's first step on a SQLite file (store/database.py): make it 0600."""
    from pathlib import Path

    ensure_private_file(Path(path), what="database file")
