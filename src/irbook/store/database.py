"""Opening the database: URL resolution, SQLite pragmas and file mode, schema-version check,
and translation of driver errors into irbook's errors (never a traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import (
    DatabaseError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlmodel import Session, SQLModel

from irbook.errors import NotFoundError, StoreError, StoreUnavailableError, UsageError
from irbook.files.private import ensure_private_file
from irbook.store.records import SCHEMA_VERSION
from irbook.store.tables import MetaRow
from irbook.store.urls import PG_CONNECT_TIMEOUT_S
from irbook.store.urls import busy_timeout_ms as busy_timeout_ms
from irbook.store.urls import default_db_path as default_db_path
from irbook.store.urls import mask_password as mask_password
from irbook.store.urls import resolve_url as resolve_url


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        # SQLAlchemy hides the user:password one; libpq also takes ?password=... in the query
        return mask_password(make_url(url).render_as_string(hide_password=True))
    except Exception:  # an unparsable URL is reported by create_engine; never echo secrets
        return "<database url>"


NO_DATABASE_HINT = (
    "`irbook start RUNBOOK` creates the database (`irbook db init` for a shared one); or point "
    "--db / IRBOOK_DB at the database you meant"
)


def require_existing(url: str) -> None:
    """NotFoundError unless the SQLite file of ``url`` exists (read commands create nothing;
    SQLite itself would create an empty file on connect)."""
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database
    except Exception:  # an unparsable URL is reported by create_engine (without its password)
        return
    if not url.startswith("sqlite") or not database or database == ":memory:":
        return
    if database.startswith("file:"):
        return  # a URI filename: its mode= decides, as the user wrote it
    path = Path(database)
    if not path.exists():
        raise NotFoundError(f"no database at {database}", hint=NO_DATABASE_HINT)
    if path.is_file() and path.stat().st_size == 0:  # connecting would turn it into one (WAL)
        raise NotFoundError(f"{database} holds no irbook database", hint=NO_DATABASE_HINT)


def _prepare_sqlite_file(url: str) -> None:
    """Create the file (and its directory) with mode 0600 before SQLite does, or make an existing
    one 0600 (a file made by `touch` is 0644), so the event log of a breach is never
    world-readable; SQLite gives its -wal and -shm files the database file's mode."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    ensure_private_file(Path(database), what="database file")


def _configure_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # irbook issues BEGIN itself (below): pysqlite's implicit transactions would defer the
        # write lock, and a read-then-append could then fail instead of waiting its turn.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")  # answers survive kill -9; readers never block
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable across process crashes in WAL
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("irbook_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            _prepare_sqlite_file(url)
            timeout_ms = busy_timeout_ms()
            engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000})
            _configure_sqlite(engine, timeout_ms)
            return engine
        libpq = url.startswith("postgresql+psycopg")  # psycopg 3 (and 2) take connect_timeout
        connect_args: dict[str, Any] = {}
        if libpq and "connect_timeout=" not in url:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        # pre_ping: a connection the server dropped (restart, failover, idle timeout) is replaced
        # on checkout instead of failing the responder's next answer.
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"the database driver '{exc.name}' is not installed",
            hint="for PostgreSQL: pip install 'irbook[postgres]'",
        ) from None
    except (SQLAlchemyError, ValueError) as exc:
        raise UsageError(f"cannot use database {describe(url)}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot create the database file: {exc}") from None


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Driver errors -> irbook errors with a next step. Committed data is never at risk here."""
    try:
        yield
    except IntegrityError as exc:
        if seq_taken(exc):
            raise  # a lost race for a seq: store.append turns it into AppendConflict
        raise refused(url, exc) from None
    except (OperationalError, InterfaceError) as exc:
        # psycopg: OperationalError for a refused/lost connection or a terminated backend,
        # InterfaceError for use of a connection that is already closed.
        text = str(exc.orig).lower()
        where = describe(url)
        if "locked" in text or "busy" in text:
            raise StoreUnavailableError(
                f"the database {where} is locked by another process",
                hint="wait for the other irbook command to finish, then run this one again; "
                "nothing already answered is lost",
            ) from None
        if "not a database" in text or "malformed" in text or "no such table" in text:
            raise _corrupt(where, str(exc.orig)) from None
        if "readonly" in text or "read-only" in text:
            raise StoreError(f"the database {where} is read-only") from None
        raise StoreUnavailableError(
            f"lost or could not open the connection to {where}: {text_of(exc)}",
            hint="check the database is reachable, then `irbook resume`: everything committed "
            "before this is kept",
        ) from None
    except DatabaseError as exc:
        text = str(exc.orig).lower()
        if _server_refusal(exc):
            raise refused(url, exc) from None
        if "not a database" in text or "malformed" in text:
            raise _corrupt(describe(url)) from None
        if "undefinedtable" in type(exc.orig).__name__.lower():  # PostgreSQL: a dropped table
            raise _corrupt(describe(url), text_of(exc)) from None
        if "permission denied" in text:
            raise StoreError(
                f"the database {describe(url)} refused this: {str(exc.orig).strip()}",
                hint="the database role lacks a privilege irbook needs; see docs/team-mode.md "
                "(`irbook db init` must run as the role that owns the tables)",
            ) from None
        raise StoreError(f"database error on {describe(url)}: {str(exc.orig).strip()}") from None
    except DBAPIError as exc:  # any other driver error: a dropped connection is the common one
        if exc.connection_invalidated:
            raise StoreUnavailableError(
                f"lost the connection to {describe(url)}: {text_of(exc)}",
                hint="check the database is reachable, then `irbook resume`: everything "
                "committed before this is kept",
            ) from None
        raise StoreError(f"database error on {describe(url)}: {str(exc.orig).strip()}") from None


def seq_taken(exc: IntegrityError) -> bool:
    """Did this insert lose a race for its seq (another responder appended first)?

    Either the primary key (incident_id, seq) or the server's chain guard (store/guards.py) says
    so; any other integrity error (a trigger refusing, a missing incident) is not a race.
    """
    text = str(exc.orig).lower()
    return (
        "unique" in text
        or "duplicate key" in text
        or ("irbook: event" in text and "refused" in text)
    )


def refused(url: str, exc: DBAPIError) -> StoreError:
    """A write the database refused for a reason of its own (a trigger, a constraint)."""
    why = _server_refusal(exc) or text_of(exc)
    return StoreError(f"the database {describe(url)} refused this: {why}")


def _server_refusal(exc: DBAPIError) -> str:
    """The message of one of irbook's own triggers (store/guards.py), without the marker."""
    first = text_of(exc)
    head, marker, rest = first.partition("irbook: ")
    # psycopg adds "CONTEXT: PL/pgSQL function ..." after the message: not for responders
    return rest.split(" CONTEXT:")[0].strip() if marker and not head.strip(" :") else ""


def text_of(exc: DBAPIError) -> str:
    """The driver's own message (libpq's spans several lines; messages show it on one)."""
    return " ".join(str(exc.orig).split())


def _corrupt(where: str, detail: str = "") -> StoreError:
    because = f" ({detail.strip()})" if detail else ""
    return StoreError(
        f"the database {where} is not a valid irbook database (corrupt or another file){because}",
        hint="keep the file for forensics; point --db (or IRBOOK_DB) at a new file, or restore "
        "from a backup",
    )


REQUIRED_TABLES = frozenset({"irbook_meta", "incident", "event"})


def ensure_schema(engine: Engine, url: str, *, upgrade: bool = False, create: bool = True) -> str:
    """Create the tables and their guards on first use (with ``create``); refuse a database from
    a newer irbook, one that lost a table, and one from an older irbook unless ``upgrade``
    (``irbook db init``) brings it up to date.

    Returns "created", "upgraded" or "current" (``irbook db init`` reports it).
    """
    outcome = "current"
    with translate_errors(url):
        tables = set(inspect(engine).get_table_names())
        if "irbook_meta" not in tables and not create:
            raise NotFoundError(f"{describe(url)} holds no irbook database", hint=NO_DATABASE_HINT)
        if "irbook_meta" not in tables:
            if tables - {"incident", "event"}:
                raise StoreError(
                    f"{describe(url)} holds other tables; it is not an irbook database",
                    hint="give irbook its own database (--db or IRBOOK_DB)",
                )
            outcome = _create(engine)
            tables |= REQUIRED_TABLES
        missing = REQUIRED_TABLES - tables
        if missing:  # a table dropped by hand, or a restore that lost it: corrupt, not offline
            raise _corrupt(describe(url), f"table {', '.join(sorted(missing))} is missing")
        version = read_schema_version(engine)
        if version is None:
            raise _corrupt(describe(url))
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the database {describe(url)} was written by a newer irbook "
                f"(schema {version}; this irbook knows {SCHEMA_VERSION})",
                hint="upgrade irbook (pip install -U irbook); the database was not changed",
            )
        if version < SCHEMA_VERSION:
            if not upgrade:
                raise StoreError(
                    f"the database {describe(url)} has schema {version}, from an older irbook; "
                    f"this irbook needs schema {SCHEMA_VERSION}",
                    hint=f"upgrade it once with `irbook db init --db '{describe(url)}'` (on "
                    "PostgreSQL as the role that owns the tables); the database was not changed",
                )
            from irbook.store.migrate import upgrade_schema

            with _write(engine).begin() as connection:
                upgrade_schema(connection, version)
            outcome = "upgraded"
    return outcome


def _write(engine: Engine) -> Engine:
    # On SQLite the "irbook_write" option makes the transaction BEGIN IMMEDIATE (see above).
    return engine.execution_options(irbook_write=True)


def _create(engine: Engine) -> str:
    """The tables, their guards and the version row in one transaction."""
    from irbook.store.guards import install_guards

    try:
        with _write(engine).begin() as connection:
            SQLModel.metadata.create_all(connection)
            install_guards(connection)
            connection.execute(
                MetaRow.__table__.insert().values(  # type: ignore[attr-defined]  # SQLModel table
                    key="schema_version", value=str(SCHEMA_VERSION)
                )
            )
    except IntegrityError:  # another process initialised it at the same moment
        return "current"
    return "created"


def read_schema_version(engine: Engine) -> int | None:
    """The version the database's meta row claims; None when missing or not a plain number.

    The one reader for opening a store (which refuses None as corrupt), `db init` and `db info`
    (which shows it as unknown). ASCII digits only: str.isdigit() also accepts "²", which int()
    refuses.
    """
    with Session(engine) as session:
        row = session.get(MetaRow, "schema_version")
    value = row.value if row is not None else ""
    return int(value) if value.isascii() and value.isdigit() else None
