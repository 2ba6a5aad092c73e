"""The event log read on PostgreSQL with the driver's own cursor, a page of rows at a time.

`status` and `report` of a 100,000-event incident on PostgreSQL took 2.5 s and 5 s, against 0.6
and 1.8 s on a SQLite file (docs/performance.md, issue 17). Each row went through SQLAlchemy's
result machinery, psycopg decoded every JSON payload (most of which `status` never reads) and
``decode_event`` checked each column by name. Here, as ``SqliteReader.iter_events`` does on a
SQLite file:

- one statement per page, compiled once, run on a pooled DB-API connection (store/append.py's
  ``Writer``: the same pre-ping, invalidation and error wrapping as every append), the rows
  decoded after the connection is back in the pool;
- the payload comes as the JSON text the server holds (``payload::text``: the `json` type keeps
  the text it was given), decoded by ``decode_plain`` only when the caller reads it;
- a payload of a kind the caller does not read (``payloads``) is checked by the server and sent
  as '{}' when it is a JSON object short enough for Python to read (``SKIPPABLE_LENGTH``). The
  column's type has already made the server parse it as JSON, so a damaged one (a list, text, a
  long or deeply nested one) is still sent whole and refused like any other;
- a row ``decode_plain`` does not take goes to ``decode_event``, and a damaged one ends the read
  with ``Store.scan``'s account of every damaged row (``iter_events`` in store/store.py).

Same events as ``Store.scan``, by construction and by test (tests/report/test_server_read.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import BindParameter, Integer, Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from irbook.store.append import Statement, Writer
from irbook.store.records import SKIPPABLE_LENGTH

PAGE = 5000  # rows per statement: about 2 MB of rows held, 20 round trips for 100,000 events

_COLUMNS = "incident_id, seq, at, actor, host, kind, step_id, {payload}, prev_hash, hash, login"
_EVERY_PAYLOAD = "payload::text"
# The kinds asked for are sent as they are; any other sound, short JSON object as '{}'.
_SKIPPED = (
    "CASE WHEN kind = ANY(:kinds) THEN payload::text "
    "WHEN json_typeof(payload) = 'object' "
    f"AND length(payload::text) <= {SKIPPABLE_LENGTH} THEN '{{}}' ELSE payload::text END"
)
_PAGE_SQL = (
    "SELECT {columns} FROM event WHERE incident_id = :incident_id AND seq > :after_seq "
    "ORDER BY seq LIMIT :page"
)


class PageReader:
    """The pages of one store's event log (PostgreSQL); statements compiled on first use."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._statements: dict[bool, Statement] = {}

    def pages(
        self, incident_id: str, *, after_seq: int, payloads: frozenset[str] | None
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows after ``after_seq`` as the driver hands them back (``decode.StoredRow``
        order), a page at a time; the connection is back in the pool while a page is used."""
        statement = self._statement(skipping=payloads is not None)
        values: dict[str, Any] = {"incident_id": incident_id, "page": PAGE}
        if payloads is not None:
            values["kinds"] = sorted(payloads)
        last = after_seq
        while True:
            with self._writer.transaction(one_statement=True) as cursor:
                rows = self._writer.run(cursor, statement, values | {"after_seq": last}).fetchall()
            if rows:
                yield rows
            if len(rows) < PAGE:
                return
            last = rows[-1][1]

    def _statement(self, *, skipping: bool) -> Statement:
        if skipping not in self._statements:
            payload = _SKIPPED if skipping else _EVERY_PAYLOAD
            sql = _PAGE_SQL.format(columns=_COLUMNS.format(payload=payload))
            binds: list[BindParameter[Any]] = [
                bindparam("incident_id", type_=Text()),
                bindparam("after_seq", type_=Integer()),
                bindparam("page", type_=Integer()),
            ]
            if skipping:
                binds.append(bindparam("kinds", type_=ARRAY(Text())))
            self._statements[skipping] = Statement.compile(
                text(sql).bindparams(*binds), self._writer.engine
            )
        return self._statements[skipping]
