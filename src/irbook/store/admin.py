"""Database administration for `irbook db init|info`: create the tables, report what is there.

``db info`` reads without creating anything: pointing it at the wrong URL must not leave an empty
irbook database behind, and a database from a newer irbook is described, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, func, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from irbook.errors import NotFoundError, UsageError
from irbook.store.database import (
    create_db_engine,
    describe,
    ensure_schema,
    read_schema_version,
    resolve_url,
    translate_errors,
)
from irbook.store.guards import ENFORCE_ACTOR
from irbook.store.server_append import SIGNATURE, install_append_function
from irbook.store.tables import SCHEMA_VERSION, EventRow, IncidentRow, MetaRow


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
    upgraded_from: int | None = None  # `db init` only: the schema this call upgraded
    enforce_actor: bool = False  # the server refuses an event whose actor is not the login
    enforce_actor_changed: bool = False  # `db init` only: this call turned it on or off
    # `db init` only: this call added the server-side append (store/server_append.py) to a
    # PostgreSQL database made by a build before it, whose schema version is the same
    append_function_added: bool = False

    @property
    def compatible(self) -> bool:
        """This irbook reads and writes it as it is (an older one needs `irbook db init`)."""
        return self.schema_version == self.supported_version


def init_database(url: str | None, *, enforce_actor: bool | None = None) -> DatabaseInfo:
    """Create the tables, their guards and the schema-version row if missing, or upgrade a
    database from an older irbook (idempotent). ``enforce_actor`` turns the actor-is-the-login
    rule on or off (PostgreSQL only); None leaves it as it is."""
    resolved = resolve_url(url)
    if enforce_actor is not None and not resolved.startswith("postgresql"):
        raise UsageError(
            "--enforce-actor needs PostgreSQL: SQLite has no database logins to check the actor "
            "against",
            hint="see docs/team-mode.md (Who wrote what)",
        )
    engine = create_db_engine(resolved)
    try:
        before = None
        if "irbook_meta" in _tables(engine, resolved):
            with translate_errors(resolved):
                before = read_schema_version(engine)
        outcome = ensure_schema(engine, resolved, upgrade=True)
        added = outcome == "current" and _add_append_function(engine, resolved)
        changed = False
        if enforce_actor is not None:
            value = "on" if enforce_actor else "off"
            changed = _set_meta(engine, resolved, ENFORCE_ACTOR, value)
        upgraded = before if outcome == "upgraded" else None
        info = _info(engine, resolved, created=outcome == "created", upgraded_from=upgraded)
        return replace(info, enforce_actor_changed=changed, append_function_added=added)
    finally:
        engine.dispose()


def _add_append_function(engine: Engine, url: str) -> bool:
    """On PostgreSQL, create ``irbook_append`` where it is missing; True when it was."""
    if engine.dialect.name != "postgresql":
        return False
    with translate_errors(url), engine.begin() as connection:
        found = connection.execute(text(f"SELECT to_regprocedure('{SIGNATURE}') IS NOT NULL"))
        if found.scalar():
            return False
        schema = str(connection.execute(text("SELECT current_schema()")).scalar_one())
        install_append_function(connection, schema)
    return True


def _set_meta(engine: Engine, url: str, key: str, value: str) -> bool:
    """Store a setting; True when it was not already ``value``."""
    meta = MetaRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
    with translate_errors(url), engine.begin() as connection:
        before = connection.execute(
            meta.select().with_only_columns(meta.c.value).where(meta.c.key == key)
        ).scalar()
        if before == value:
            return False
        connection.execute(meta.delete().where(meta.c.key == key))
        connection.execute(meta.insert().values(key=key, value=value))
    return True


def _tables(engine: Engine, url: str) -> set[str]:
    with translate_errors(url):
        return set(inspect(engine).get_table_names())


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
        if "irbook_meta" not in _tables(engine, resolved):
            raise NotFoundError(f"{where} holds no irbook tables", hint=hint)
        return _info(engine, resolved, created=False)
    finally:
        engine.dispose()


def _info(
    engine: Engine, url: str, *, created: bool, upgraded_from: int | None = None
) -> DatabaseInfo:
    with translate_errors(url), Session(engine) as session:
        version = read_schema_version(engine)
        incidents = session.exec(select(func.count()).select_from(IncidentRow)).one()
        still_open = session.exec(
            select(func.count()).select_from(IncidentRow).where(IncidentRow.status == "open")
        ).one()
        events = session.exec(select(func.count()).select_from(EventRow)).one()
        enforce = session.get(MetaRow, ENFORCE_ACTOR)
    return DatabaseInfo(
        url=describe(url),
        backend=engine.dialect.name,
        schema_version=version,
        supported_version=SCHEMA_VERSION,
        incidents=int(incidents),
        open_incidents=int(still_open),
        events=int(events),
        created=created,
        upgraded_from=upgraded_from,
        enforce_actor=enforce is not None and enforce.value == "on",
    )
