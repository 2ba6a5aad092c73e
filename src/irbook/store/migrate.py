"""Bringing a database from an older irbook up to the current schema (``irbook db init``).

Runs in one transaction: a failed upgrade leaves the database as it was. Each step is written so
that running it on a database that already has it changes nothing.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, select, update

from irbook.store.guards import install_guards
from irbook.store.tables import SCHEMA_VERSION, EventRow, IncidentRow, MetaRow


def _repair_closed_rows(connection: Connection) -> None:
    """Schema 1 closed an incident in two transactions (event, then row): a kill between them
    left the row "open" while the log says closed. The log is the record; the row follows it."""
    event = EventRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
    incident = IncidentRow.__table__  # type: ignore[attr-defined]
    closes = connection.execute(
        select(event.c.incident_id, event.c.payload, event.c.at).where(
            event.c.kind == "incident_closed"
        )
    )
    for incident_id, payload, at in closes.all():
        outcome = payload.get("outcome") if isinstance(payload, dict) else None
        if isinstance(outcome, str):
            connection.execute(
                update(incident)
                .where(incident.c.id == incident_id, incident.c.status == "open")
                .values(status=outcome, closed_at=at)
            )


def upgrade_schema(connection: Connection, version: int) -> None:
    """From schema ``version`` (older) to ``SCHEMA_VERSION``."""
    # 1 -> 2: events record the database login; the server refuses an event that is not the next
    # one of its incident; the incident row changes only with its close event
    columns = {c["name"] for c in inspect(connection).get_columns("event")}
    if "login" not in columns:
        connection.exec_driver_sql("ALTER TABLE event ADD COLUMN login VARCHAR(128)")
    _repair_closed_rows(connection)
    install_guards(connection)
    meta = MetaRow.__table__  # type: ignore[attr-defined]  # set by SQLModel(table=True)
    connection.execute(
        update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
    )
