"""What the two direct read paths share: ``SqliteReader`` (store/reader.py, stdlib ``sqlite3``)
and ``PostgresReader`` (store/server_read.py, psycopg alone).

Each reads with its driver's own connection and SQL (``ReadSQL``, in the driver's parameter
style) and hands any driver error to the ORM store, whose message and exit code the user then
sees. Everything but the log's pages is the same logic on both, and lives here; ``iter_events``
and the connection's opening are each driver's own.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from irbook.errors import NotFoundError
from irbook.store.records import Incident, utc

if TYPE_CHECKING:
    from irbook.domain.eventlog import Event
    from irbook.store.decode import DamagedRow
    from irbook.store.store import Store


@dataclass(frozen=True)
class ReadSQL:
    """The statements of a direct reader, each with positional parameters."""

    incidents: str  # every incident, newest first
    incidents_with_status: str  # (status)
    incident: str  # (id)
    incident_any_case: str  # (id in upper case)
    incident_ids: str
    severities: str  # (incident_id, payload) of every severity_changed event, in log order
    last_seq: str  # (incident_id)
    events: str  # (incident_id, after_seq): every column of decode.StoredRow, in seq order


def stored_time(value: Any) -> Any:
    """An incident row's time as the ORM store hands it out: SQLite holds ISO text (read as
    SQLAlchemy's SQLite DateTime does), PostgreSQL hands back an aware datetime."""
    if isinstance(value, str):
        from datetime import datetime

        value = datetime.fromisoformat(value)
    return utc(value)


def _incident(row: tuple[Any, ...]) -> Incident:
    return Incident(
        id=row[0],
        title=row[1],
        severity=row[2],
        status=row[3],
        runbook_id=row[4],
        runbook_version=row[5],
        runbook_sha256=row[6],
        opened_at=stored_time(row[7]),
        opened_by=row[8],
        closed_at=stored_time(row[9]) if row[9] is not None else None,
    )


class DirectReader:
    """The reads both direct readers do alike (see the module docstring). A subclass sets
    ``sql`` and ``error`` (its driver's base exception) and provides ``where`` and
    ``iter_events``."""

    reads_in_parallel = True  # a forked child opens a connection of its own (report/split.py)
    sql: ReadSQL
    error: type[Exception]

    def __init__(self, url: str, connection: Any) -> None:
        self.url = url
        self._db = connection
        self._store: Store | None = None

    def close(self) -> None:
        self._db.close()
        if self._store is not None:
            self._store.close()

    def _orm(self) -> Store:
        if self._store is None:
            from irbook.store.store import open_store

            self._store = open_store(self.url, create=False)
        return self._store

    def _rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """One statement's rows; ``params`` in the driver's style (a tuple, or psycopg's dict)."""
        return list(self._db.execute(sql, params).fetchall())

    def incidents(self, *, status: str | None = None) -> list[Incident]:
        try:
            if status is None:
                rows = self._rows(self.sql.incidents)
            else:
                rows = self._rows(self.sql.incidents_with_status, (status,))
        except self.error:
            return self._orm().incidents(status=status)
        return [_incident(r) for r in rows]

    def incident(self, incident_id: str) -> Incident:
        """An incident by id (case-insensitive), or NotFoundError naming the close ones."""
        try:
            rows = self._rows(self.sql.incident, (incident_id,))
            if not rows:
                rows = self._rows(self.sql.incident_any_case, (incident_id.upper(),))
            if rows:
                return _incident(rows[0])
            ids = [r[0] for r in self._rows(self.sql.incident_ids)]
        except self.error:
            return self._orm().incident(incident_id)
        close = difflib.get_close_matches(incident_id, ids, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise NotFoundError(
            f"no incident '{incident_id}' in {self.where}",
            hint=f"{hint}`irbook list` shows the incidents in this database",
        )

    @property
    def where(self) -> str:
        raise NotImplementedError

    def latest_open(self) -> Incident | None:
        open_ones = self.incidents(status="open")
        return open_ones[0] if open_ones else None

    def changed_severities(self) -> dict[str, str]:
        """As ``Store.changed_severities``; a payload that is not a JSON object is passed over
        (verify names damaged rows)."""
        import json

        try:
            rows = self._rows(self.sql.severities)
        except self.error:
            return self._orm().changed_severities()
        latest: dict[str, str] = {}
        for incident_id, payload in rows:
            try:
                severity = json.loads(payload).get("severity")
            except (TypeError, ValueError, AttributeError, RecursionError):
                continue
            if isinstance(severity, str):
                latest[incident_id] = severity
        return latest

    def last_seq(self, incident_id: str) -> int:
        """The seq of the incident's last event (0 for none, or when it cannot be read here)."""
        try:
            rows = self._rows(self.sql.last_seq, (incident_id,))
        except self.error:
            return 0
        return rows[0][0] if rows and type(rows[0][0]) is int else 0

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
            rows = self._rows(self.sql.events, (incident_id, after_seq))
        except self.error:
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
