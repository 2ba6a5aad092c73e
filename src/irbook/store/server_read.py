"""The read path on PostgreSQL with psycopg alone: ``status``, ``verify`` and ``report`` on a
team's server start without SQLAlchemy and SQLModel (``list`` imports SQLAlchemy only to print
the URL without its password), and read a long log a page at a time with only the payloads they
read decoded (issue 17).

`status` and `report` of a 100,000-event incident on PostgreSQL took 2.1 s and 4.2-4.7 s, against
0.6 and 1.8 s on a SQLite file (docs/performance.md): SQLAlchemy and SQLModel cost a quarter of
a second to import, each row went through SQLAlchemy's result machinery, psycopg decoded every
JSON payload (most of which `status` never reads) and ``decode_event`` checked each column by
name. As ``SqliteReader`` does on a SQLite file (store/reader.py), and with the same answers as
the ORM store:

- ``PostgresReader`` is used only for a ``postgresql+psycopg://`` URL (what ``resolve_url``
  makes of a libpq URL) whose database holds the current schema; anything else, and any error
  after the connection is made, goes to the ORM store, so the user sees its message and exit
  code. A connection that cannot be made at all is reported in the ORM store's words here
  (``translate_errors``), without making the user wait for a second attempt;
- one statement per page of rows; the payload comes as the JSON text the server holds
  (``payload::text``: the `json` type keeps the text it was given), decoded by ``decode_plain``
  only when the caller reads it;
- a payload of a kind the caller does not read (``payloads``) is checked by the server and sent
  as '{}' when it is a JSON object short enough for Python to read (``SKIPPABLE_LENGTH``). The
  column's type has already made the server parse it as JSON, so a damaged one (a list, text, a
  long or deeply nested one) is still sent whole and refused like any other;
- a row ``decode_plain`` does not take goes to ``decode_event``, and a damaged one ends the read
  with ``scan``'s account of every damaged row.

The reads both direct readers do alike are in store/direct.py. The ORM store reads its pages
with the same statements (``pages``, on a pooled connection: the walker's ``resume`` on a long
log). tests/report/test_server_read.py compares both paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from irbook.store.direct import DirectReader, ReadSQL
from irbook.store.records import SCHEMA_VERSION, SKIPPABLE_LENGTH

if TYPE_CHECKING:
    from irbook.domain.eventlog import Event
    from irbook.store.decode import DamagedRow

PREFIX = "postgresql+psycopg://"  # the one PostgreSQL URL this path takes
PAGE = 5000  # rows per statement: a few MB held, 20 round trips for 100,000 events

# The time as UTC wall time: psycopg builds a plain datetime (a third less of its time per row
# than one in the session's time zone) and decode_plain marks it UTC, whatever that zone is.
_COLUMNS = (
    "incident_id, seq, (at AT TIME ZONE 'UTC'), actor, host, kind, step_id, {payload}, "
    "prev_hash, hash, login"
)
# The kinds asked for are sent as they are; any other sound, short JSON object as '{}'.
_SKIPPED = (
    "CASE WHEN kind = ANY(%(kinds)s) THEN payload::text "
    "WHEN json_typeof(payload) = 'object' "
    f"AND length(payload::text) <= {SKIPPABLE_LENGTH} THEN '{{}}' ELSE payload::text END"
)
_EVENTS = (
    "SELECT {columns} FROM event WHERE incident_id = %(incident_id)s AND seq > %(after_seq)s "
    "ORDER BY seq"
)
PAGE_SQL = {  # by whether some payloads are skipped
    False: _EVENTS.format(columns=_COLUMNS.format(payload="payload::text")) + " LIMIT %(page)s",
    True: _EVENTS.format(columns=_COLUMNS.format(payload=_SKIPPED)) + " LIMIT %(page)s",
}
# Positional, for the careful scan (DirectReader.scan).
_SCAN = "SELECT {columns} FROM event WHERE incident_id = %s AND seq > %s ORDER BY seq"
_ALL_EVENTS = _SCAN.format(columns=_COLUMNS.format(payload="payload::text"))
_INCIDENTS = (
    "SELECT id, title, severity, status, runbook_id, runbook_version, runbook_sha256, opened_at, "
    "opened_by, closed_at FROM incident"
)

Rows = list[tuple[Any, ...]]


def pages(
    fetch: Callable[[str, dict[str, Any]], Rows],
    incident_id: str,
    *,
    after_seq: int,
    payloads: frozenset[str] | None,
) -> Iterator[Rows]:
    """The event rows after ``after_seq`` (``decode.StoredRow`` order), a page at a time;
    ``fetch(sql, params)`` runs one statement and returns its rows."""
    sql = PAGE_SQL[payloads is not None]
    params: dict[str, Any] = {"incident_id": incident_id, "page": PAGE}
    if payloads is not None:
        params["kinds"] = sorted(payloads)
    last = after_seq
    while True:
        rows = fetch(sql, params | {"after_seq": last})
        if rows:
            yield rows
        if len(rows) < PAGE:
            return
        last = rows[-1][1]


def decoded(
    rows: Iterator[Rows], incident_id: str, rescan: Callable[[int], list[DamagedRow]]
) -> Iterator[Event]:
    """The events of ``rows``; at a damaged one, DamagedLogError naming every damaged row after
    the last good event (``rescan(last_seq)``, the careful read)."""
    from irbook.domain.eventlog import Event
    from irbook.store.decode import StoredRow, damaged_log_error, decode_event, decode_plain

    last = 0
    for page in rows:
        for row in page:
            event = decode_plain(row)
            if event is None:
                careful = decode_event(StoredRow(*row))
                if not isinstance(careful, Event):
                    raise damaged_log_error(incident_id, rescan(last) or [careful])
                event = careful
            last = event.seq
            yield event
        del page  # not alive beside the next one


class PostgresReader(DirectReader):
    """Reads one irbook database on PostgreSQL with psycopg; hands any error to the ORM store."""

    sql = ReadSQL(
        incidents=f"{_INCIDENTS} ORDER BY opened_at DESC",
        incidents_with_status=f"{_INCIDENTS} WHERE status = %s ORDER BY opened_at DESC",
        incident=f"{_INCIDENTS} WHERE id = %s",
        incident_any_case=f"{_INCIDENTS} WHERE upper(id) = %s",
        incident_ids="SELECT id FROM incident",
        severities=(
            "SELECT incident_id, payload::text FROM event WHERE kind = 'severity_changed' "
            "ORDER BY incident_id, seq"
        ),
        last_seq="SELECT max(seq) FROM event WHERE incident_id = %s",
        events=_ALL_EVENTS,
    )

    def __init__(self, url: str, connection: Any) -> None:
        import psycopg

        super().__init__(url, connection)
        self.error = psycopg.Error  # imported only on this path: the ORM store may not need it

    @classmethod
    def open(cls, url: str) -> PostgresReader | None:
        """None when this path does not apply (see the module docstring)."""
        if not url.startswith(PREFIX):
            return None
        try:
            import psycopg
        except ImportError:  # the ORM store says what to install
            return None
        options: dict[str, Any] = {"autocommit": True}
        if "connect_timeout=" not in url:
            from irbook.store.urls import PG_CONNECT_TIMEOUT_S

            options["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        try:
            connection = psycopg.connect("postgresql://" + url[len(PREFIX) :], **options)
        except psycopg.OperationalError as exc:
            _unreachable(url, exc)  # raises, in the ORM store's words
            raise  # not reached
        except (psycopg.Error, ValueError):
            return None  # a malformed URL, an unknown option: the ORM store explains
        try:
            found = connection.execute(
                "SELECT (SELECT value FROM irbook_meta WHERE key = 'schema_version'), "
                "(SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name IN ('incident', 'event'))"
            ).fetchone()
        except psycopg.Error:
            found = None  # no irbook_meta: not an irbook database (the ORM store says so)
        if found is None or found[0] != str(SCHEMA_VERSION) or found[1] != 2:
            connection.close()
            return None  # an old, newer or damaged schema, a dropped table: the ORM store
        return cls(url, connection)

    @property
    def where(self) -> str:
        from irbook.store.database import describe

        return describe(self.url)

    def iter_events(
        self,
        incident_id: str,
        *,
        after_seq: int = 0,
        payloads: frozenset[str] | None = None,
    ) -> Iterator[Event]:
        """As ``events``, a page of rows at a time: a 100,000-event report or status holds one
        page, not the log. DamagedLogError, naming every damaged row as ``events`` does, when a
        row cannot be read; the rows before it were already yielded. ``payloads``: see the
        module docstring."""
        last = after_seq

        def rescan(seq: int) -> list[DamagedRow]:
            return self.scan(incident_id, after_seq=max(seq, after_seq))[1]

        rows = pages(self._rows, incident_id, after_seq=after_seq, payloads=payloads)
        try:
            for event in decoded(rows, incident_id, rescan):
                last = event.seq
                yield event
        except self.error:
            # As every other read here: the ORM store gives its message (or the rest of the log).
            yield from self._orm().iter_events(incident_id, after_seq=last, payloads=payloads)


def _unreachable(url: str, exc: Exception) -> None:
    """A connection that could not be made, reported as the ORM store reports it (the same
    ``translate_errors``), so that the user is not kept waiting for a second attempt."""
    from sqlalchemy.exc import OperationalError

    from irbook.store.database import translate_errors

    with translate_errors(url):
        raise OperationalError(None, None, exc) from exc
