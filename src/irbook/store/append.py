"""The write path of the event log: statements compiled once, run on a raw driver connection.

Every answer a responder gives is one transaction here, so this is where the wait between an
answer and the next prompt is spent. The ORM session and its flush cost about ten times what the
database itself needs (bench/bench_walker.py, docs/performance.md); this module keeps what the
append must do and nothing else: SQLAlchemy Core compiles each statement once per dialect (the
SQL text, its parameter order and the column types' bind conversions), and each append runs
those on a DB-API connection from the engine's pool (pre-ping, invalidation and the SQLite
pragmas of store/database.py still apply).

Driver errors are re-raised as SQLAlchemy's (``DBAPIError.instance``), exactly as an ORM session
would raise them, so ``translate_errors`` and the AppendConflict mapping see one kind of error.

Writers queue instead of racing: SQLite's ``BEGIN IMMEDIATE`` takes the database's write lock
before the head is read; on PostgreSQL a transaction-scoped advisory lock on the incident does
the same for that incident only. A writer that queued reads the head its predecessor committed,
so an append conflicts only when its caller's view of the log is really out of date, instead of
every loser of an insert race waiting for the winner's row and failing (issue 17). On PostgreSQL
the lock, the head and the hash are the server's own work, in one call (``append_on_server``,
store/server_append.py); the steps above remain for SQLite and for a database without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, Integer, LargeBinary, Table, bindparam, select, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from irbook.domain.events import GENESIS_HASH
from irbook.store import server_append
from irbook.store.server_append import ADVISORY_LOCK_CLASS
from irbook.store.tables import EventRow, IncidentRow

EVENT_TABLE: Table = EventRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
INCIDENT_TABLE: Table = IncidentRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Statement:
    """One statement compiled for one dialect: its SQL, and how values become parameters."""

    sql: str
    order: tuple[str, ...] | None  # parameter names in order for positional paramstyles (qmark)
    defaults: dict[str, Any]  # values compiled into the statement (a LIMIT)
    convert: dict[str, Callable[[Any], Any]]  # the column types' bind conversions (JSON, time)

    @classmethod
    def compile(cls, element: ClauseElement, engine: Engine, **kw: Any) -> Statement:
        dialect = engine.dialect
        compiled = cast(SQLCompiler, element.compile(dialect=dialect, **kw))
        convert: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                convert[name] = process
        order = tuple(compiled.positiontup) if compiled.positiontup else None
        return cls(compiled.string, order, dict(compiled.params), convert)

    def params(self, values: dict[str, Any]) -> Any:
        merged = self.defaults | values
        for name, process in self.convert.items():
            merged[name] = process(merged[name])
        return tuple(merged[name] for name in self.order) if self.order else merged


class Writer:
    """Append transactions on one engine (one per Store)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.postgres = self.dialect.name == "postgresql"
        table = EVENT_TABLE
        self.head_sql = Statement.compile(
            select(table.c.seq, table.c.hash)
            .where(table.c.incident_id == bindparam("incident_id"))
            .order_by(table.c.seq.desc())
            .limit(1),
            engine,
        )
        self.insert_event = Statement.compile(
            table.insert(), engine, column_keys=[c.name for c in table.c]
        )
        self.insert_incident = Statement.compile(
            INCIDENT_TABLE.insert(), engine, column_keys=[c.name for c in INCIDENT_TABLE.c]
        )
        self.lock_sql = Statement.compile(
            text("SELECT pg_advisory_xact_lock(:lock_class, hashtext(:incident_id))"), engine
        )
        self.session_user_sql = "SELECT session_user"
        self._pipelined = self.postgres and _pipeline_supported()

    @functools.cached_property
    def server_appends(self) -> bool:
        """PostgreSQL with ``irbook_append`` (store/server_append.py) that this login may call;
        asked once per store."""
        if not self.postgres:
            return False
        with self.transaction(one_statement=True) as cursor:
            cursor.execute(server_append.AVAILABLE)
            return bool(cursor.fetchone()[0])

    @functools.cached_property
    def server_append_sql(self) -> Statement:
        columns = EVENT_TABLE.c
        return Statement.compile(
            text(server_append.CALL).bindparams(
                bindparam("at", type_=columns.at.type),
                bindparam("payload", type_=columns.payload.type),
                bindparam("expected_seq", type_=Integer()),
                bindparam("before_seq", type_=LargeBinary()),
                bindparam("after_seq", type_=LargeBinary()),
            ),
            self.engine,
        )

    def append_on_server(
        self, rows: list[dict[str, Any]], *, expected_seq: int | None
    ) -> list[tuple[int, str, str]]:
        """Append ``rows`` (one incident's events, in order) through ``irbook_append``, all or
        none; each event's (seq, prev_hash, hash) as the server chose and computed them.

        ``expected_seq`` applies to the first: when the log does not end just before it, the
        server's chain guard refuses it as a lost race (an IntegrityError: AppendConflict). One
        event is one statement in autocommit, its own transaction: one round trip, and nothing
        waits on this process while the incident's lock is held. Several go in one transaction
        (pipelined: still one round trip), each call taking the lock its transaction holds.
        """
        sql = self.server_append_sql
        with self.transaction(one_statement=len(rows) == 1) as cursor:
            connection = cursor.connection
            sent = []
            for n, row in enumerate(rows):
                one = cursor if n == 0 else connection.cursor()  # each keeps its own row
                expected = expected_seq if n == 0 else None
                self.run(one, sql, row | {"expected_seq": expected})
                sent.append(one)
            if len(rows) > 1:
                connection.commit()  # pipelined: the COMMIT goes with the calls
            out = []
            for one in sent:
                seq, prev_hash, hash_ = one.fetchone()
                out.append((int(seq), str(prev_hash), str(hash_)))
                if one is not cursor:  # transaction() closes its own
                    one.close()
            return out

    @contextmanager
    def transaction(self, *, one_statement: bool = False) -> Iterator[Any]:
        """A DB-API cursor in a write transaction, committed when the block ends without error.

        On SQLite the transaction is ``BEGIN IMMEDIATE`` (the write lock first, waiting up to the
        busy timeout). On PostgreSQL the driver opens it with the first statement, in psycopg's
        pipeline mode: statements go out without waiting for each other's replies (the server
        still runs them in order, each READ COMMITTED statement with its own snapshot), so the
        incident's lock is held for one round trip (the head) plus the INSERT and COMMIT sent
        together, not four. A queue of 16 writers on a busy machine moves that much faster.

        ``one_statement`` (PostgreSQL): the block runs a single statement, in autocommit: an
        append, or a page of the log read by ``Store.iter_events`` (store/server_read.py).
        """
        error = self.dialect.loaded_dbapi.Error
        try:
            raw = self.engine.raw_connection()
        except error as exc:  # no connection (server down, network cut): as engine.connect()
            raise self._wrapped(exc, gone=True) from exc
        cursor = None
        try:
            cursor = raw.cursor()
            if one_statement and self.postgres:
                # the statement is the transaction: no BEGIN and COMMIT round trips
                driver = cast(Any, raw.driver_connection)
                driver.autocommit = True
                try:
                    yield cursor
                finally:
                    with suppress(error):  # a lost connection is invalidated below
                        driver.autocommit = False
            elif self._pipelined:
                with cast(Any, raw.driver_connection).pipeline():
                    yield cursor
                    raw.commit()
            else:
                if not self.postgres:
                    cursor.execute("BEGIN IMMEDIATE")
                yield cursor
                raw.commit()
        except error as exc:
            gone = self.dialect.is_disconnect(exc, raw.dbapi_connection, cursor)
            if gone:
                raw.invalidate(exc)  # the pool opens a new one next time
            else:
                with suppress(error):
                    raw.rollback()
            raise self._wrapped(exc, gone=gone) from exc
        except BaseException:
            with suppress(error):
                raw.rollback()
            raise
        finally:
            if cursor is not None:
                with suppress(error):
                    cursor.close()
            raw.close()  # back to the pool

    def _wrapped(self, exc: Exception, *, gone: bool) -> StatementError:
        """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError...)."""
        return DBAPIError.instance(
            None,
            None,
            exc,
            self.dialect.loaded_dbapi.Error,
            connection_invalidated=gone,
            dialect=self.dialect,
        )

    def run(self, cursor: Any, statement: Statement, values: dict[str, Any]) -> Any:
        cursor.execute(statement.sql, statement.params(values))
        return cursor

    def queue(self, cursor: Any, incident_id: str) -> None:
        """Wait for the incident's other writers to commit (PostgreSQL; SQLite's BEGIN IMMEDIATE
        already did). Released with the transaction."""
        if self.postgres:
            values = {"lock_class": ADVISORY_LOCK_CLASS, "incident_id": incident_id}
            self.run(cursor, self.lock_sql, values)

    def head(self, cursor: Any, incident_id: str) -> tuple[int, str]:
        """The seq and hash of the incident's last event (0 and the genesis hash when none)."""
        row = self.run(cursor, self.head_sql, {"incident_id": incident_id}).fetchone()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)

    def session_user(self, cursor: Any) -> str:
        cursor.execute(self.session_user_sql)
        return str(cursor.fetchone()[0])


def _pipeline_supported() -> bool:
    """psycopg 3 on libpq 14 or later (the binary wheel bundles one)."""
    try:
        import psycopg
    except ImportError:  # another PostgreSQL driver in the URL: plain round trips
        return False
    return bool(psycopg.Pipeline.is_supported())
