"""Bringing a database from an older irbook up to the current schema (``irbook db init``).

Runs in one transaction: a failed upgrade leaves the database as it was. Each step is written so
that running it on a database that already has it changes nothing.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, update

from irbook.store.guards import install_guards
from irbook.store.tables import SCHEMA_VERSION, MetaRow


def upgrade_schema(connection: Connection, version: int) -> None:
    """From schema ``version`` (older) to ``SCHEMA_VERSION``."""
    # 1 -> 2: events record the database login; the server refuses an event that is not the next
    # one of its incident
    columns = {c["name"] for c in inspect(connection).get_columns("event")}
    if "login" not in columns:
        connection.exec_driver_sql("ALTER TABLE event ADD COLUMN login VARCHAR(128)")
    install_guards(connection)
    meta = MetaRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
    connection.execute(
        update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
    )
