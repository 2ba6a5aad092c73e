"""What the ``incident`` table row claims, checked against the incident's event log.

The row (title, severity, status, times) is a summary kept for ``list`` and is outside the hash
chain; the log is the record. ``irbook verify`` compares the two so that an edited row (a forged
``status = 'completed'``) is caught even though every event still verifies. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from irbook.domain.eventlog import Event, Kind

if TYPE_CHECKING:
    from irbook.store import Incident

OPEN = "open"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return repr(value)


def row_disagreements(incident: Incident, events: Sequence[Event]) -> list[str]:
    """Each way the row differs from the log, as "FIELD is X in the row, Y in the log"."""
    if not events or events[0].kind != Kind.INCIDENT_OPENED:
        return ["the log does not start with incident_opened"]
    opened = events[0]
    closes = [e for e in events if e.kind == Kind.INCIDENT_CLOSED]
    close = closes[-1] if closes else None
    expected: list[tuple[str, Any, Any]] = [
        ("title", incident.title, opened.payload.get("title")),
        ("severity", incident.severity, opened.payload.get("severity")),
        ("runbook_id", incident.runbook_id, opened.payload.get("runbook_id")),
        ("runbook_version", incident.runbook_version, opened.payload.get("runbook_version")),
        ("runbook_sha256", incident.runbook_sha256, opened.payload.get("runbook_sha256")),
        ("opened_at", incident.opened_at, opened.at),
        ("opened_by", incident.opened_by, opened.actor),
        ("status", incident.status, close.payload.get("outcome") if close else OPEN),
        ("closed_at", incident.closed_at, close.at if close else None),
    ]
    problems = []
    for field, row, log in expected:
        if row != log:
            why = " (no incident_closed event)" if field == "status" and close is None else ""
            problems.append(f"{field} is {_shown(row)} in the row, {_shown(log)} in the log{why}")
    return problems
