"""What the store hands out, without the database libraries: the ``Incident`` record, the schema
version, and the read interface that both the ORM store and the SQLite read path provide.

Kept free of sqlalchemy/sqlmodel so that read commands (``status``, ``list``, ``verify``,
``report``) on a SQLite file can start without importing them (see ``store/reader.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator

    from irbook.domain.events import Event
    from irbook.store.decode import DamagedRow

# Bumped whenever the tables or their guards (store/guards.py) change; a database from a newer
# irbook is refused, one from an older irbook is upgraded by `irbook db init` (store/migrate.py).
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Incident:
    id: str
    title: str
    severity: str
    status: str
    runbook_id: str
    runbook_version: str
    runbook_sha256: str
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Reader(Protocol):
    """The read side of a store: what ``status``, ``list``, ``verify`` and ``report`` use."""

    url: str  # as opened (may hold a password: shown only through ``where``)

    @property
    def where(self) -> str: ...

    def close(self) -> None: ...

    def incidents(self, *, status: str | None = None) -> list[Incident]: ...

    def incident(self, incident_id: str) -> Incident: ...

    def latest_open(self) -> Incident | None: ...

    def changed_severities(self) -> dict[str, str]:
        """Each incident's latest ``severity_changed`` severity (never-changed ones absent)."""
        ...

    def events(self, incident_id: str, *, after_seq: int = 0) -> list[Event]: ...

    def iter_events(
        self,
        incident_id: str,
        *,
        after_seq: int = 0,
        payloads: frozenset[str] | None = None,
    ) -> Iterator[Event]:
        """As ``events``, without holding the log (a batch at a time). ``payloads``: only events
        of these kinds need their payload; the others' may be given as ``{}``."""
        ...

    def scan(
        self, incident_id: str, *, after_seq: int = 0
    ) -> tuple[list[Event], list[DamagedRow]]: ...
