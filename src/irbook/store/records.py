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

# A payload the caller of ``iter_events`` does not read is checked by the database (a JSON object)
# and handed out as {} when it is at most this long: Python's json reads any such text (no
# integer near its 4,300-digit limit, no nesting near its recursion limit). A longer one is
# decoded, so its damage is still found.
SKIPPABLE_LENGTH = 1000


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
    def reads_in_parallel(self) -> bool:
        """Whether a forked child may read this database beside this reader, on a connection of
        its own (report/split.py): a SQLite file read with sqlite3, a PostgreSQL server."""
        ...

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

    def last_seq(self, incident_id: str) -> int:
        """The seq of the incident's last event (0 when it has none)."""
        ...

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
