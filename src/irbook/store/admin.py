"""Database administration for `irbook db init|info`: create the tables, report what is there.

``db info`` reads without creating anything: pointing it at the wrong URL must not leave an empty
irbook database behind, and a database from a newer irbook is described, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from irbook.errors import NotFoundError
from irbook.store.database import (
    create_db_engine,
    describe,
    ensure_schema,
    read_schema_version,
    resolve_url,
    translate_errors,
)
from irbook.store.tables import SCHEMA_VERSION, EventRow, IncidentRow


@dataclass(frozen=True)
class DatabaseInfo:
    url: str  # never with its password
    backend: str  # "sqlite" or "postgresql"
    schema_version: int | None
    supported_version: int  # what this irbook reads and writes
    incidents: int
    open_incidents: int
    events: int
    created: bool = False  # `db init` only: the tables were created by this call

    @property
    def compatible(self) -> bool:
        return self.schema_version is not None and self.schema_version <= self.supported_version


def init_database(url: str | None) -> DatabaseInfo:
    """Create the tables and the schema-version row if missing (idempotent)."""
    resolved = resolve_url(url)
    engine = create_db_engine(resolved)
    try:
        created = ensure_schema(engine, resolved)
        return _info(engine, resolved, created=created)
    finally:
        engine.dispose()


def database_info(url: str | None) -> DatabaseInfo:
    """Schema version and counts of an existing irbook database; creates nothing."""
    resolved = resolve_url(url)
    where = describe(resolved)
    hint = f"create it with `irbook db init --db '{where}'`"
    if resolved.startswith("sqlite"):
        database = make_url(resolved).database
        if database and database != ":memory:" and not Path(database).exists():
            raise NotFoundError(f"no database at {where}", hint=hint)
    engine = create_db_engine(resolved)
    try:
        with translate_errors(resolved):
            tables = set(inspect(engine).get_table_names())
        if "irbook_meta" not in tables:
            raise NotFoundError(f"{where} holds no irbook tables", hint=hint)
        return _info(engine, resolved, created=False)
    finally:
        engine.dispose()


def _info(engine: Engine, url: str, *, created: bool) -> DatabaseInfo:
    with translate_errors(url), Session(engine) as session:
        version = read_schema_version(session)
        incidents = session.exec(select(func.count()).select_from(IncidentRow)).one()
        still_open = session.exec(
            select(func.count()).select_from(IncidentRow).where(IncidentRow.status == "open")
        ).one()
        events = session.exec(select(func.count()).select_from(EventRow)).one()
    return DatabaseInfo(
        url=describe(url),
        backend=engine.dialect.name,
        schema_version=version,
        supported_version=SCHEMA_VERSION,
        incidents=int(incidents),
        open_incidents=int(still_open),
        events=int(events),
        created=created,
    )
