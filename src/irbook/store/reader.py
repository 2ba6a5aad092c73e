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

The reads both direct readers do alike are in store/direct.py; the opening and the log's
batches are this module's. tests/report/test_read_path.py compares both paths on the same
databases.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from typing import TYPE_CHECKING

from irbook.files.private import ensure_private_file
from irbook.store.direct import DirectReader, ReadSQL
from irbook.store.records import SCHEMA_VERSION, SKIPPABLE_LENGTH, Reader
from irbook.store.urls import busy_timeout_ms, plain_sqlite_path, resolve_url

if TYPE_CHECKING:
    from irbook.domain.eventlog import Event

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


class SqliteReader(DirectReader):
    """Reads one SQLite irbook database with ``sqlite3``; hands any error to the ORM store."""

    sql = ReadSQL(
        incidents=f"{_INCIDENT_COLUMNS} ORDER BY incident.opened_at DESC",
        incidents_with_status=(
            f"{_INCIDENT_COLUMNS} \nWHERE incident.status = ? ORDER BY incident.opened_at DESC"
        ),
        incident=f"{_INCIDENT_COLUMNS} \nWHERE incident.id = ?",
        incident_any_case=f"{_INCIDENT_COLUMNS} \nWHERE upper(incident.id) = ?",
        incident_ids="SELECT incident.id \nFROM incident",
        severities=(
            "SELECT incident_id, payload FROM event WHERE kind = 'severity_changed' "
            "ORDER BY incident_id, seq"
        ),
        last_seq="SELECT max(event.seq) \nFROM event \nWHERE event.incident_id = ?",
        events=_EVENTS,
    )
    error = sqlite3.Error

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
# decoded). Only short ones (records.SKIPPABLE_LENGTH): Python reads any of those.
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
