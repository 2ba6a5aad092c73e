"""Follow-ups: the actions an incident leaves behind (owner, due date), allowed after close.

They are events like any other, so they are hash-chained and appear in the report and in the
follow-ups CSV that issue trackers import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from irbook.domain.events import Event, FollowupAdded, Kind, NewEvent
from irbook.domain.redact import redact
from irbook.errors import UsageError
from irbook.store import Store
from irbook.usecases.incidents import Responder, record_anyway

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class FollowupResult:
    event: Event
    redacted: list[str]  # kinds of secrets removed before storing


def parse_due(due: str | None) -> str | None:
    """YYYY-MM-DD (a real date), or UsageError saying what was wrong."""
    if due is None or not due.strip():
        return None
    text = due.strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(
            f"--due '{due}' is not a date; write it as YYYY-MM-DD, e.g. 2025-10-01"
        ) from None


def add_followup(
    store: Store,
    incident_id: str,
    text: str,
    *,
    responder: Responder,
    owner: str | None = None,
    due: str | None = None,
) -> FollowupResult:
    """Record a follow-up on an open or closed incident; secrets are redacted before storing."""
    if not text.strip():
        raise UsageError("the follow-up text is empty")
    if owner is not None and (not owner.strip() or "\n" in owner):
        raise UsageError("--owner must be one line of text")
    due_date = parse_due(due)
    incident = store.incident(incident_id)
    clean, found = redact(text.strip())
    clean_owner, owner_found = redact(owner.strip()) if owner else (None, [])
    payload = FollowupAdded(text=clean, owner=clean_owner, due=due_date)
    event = record_anyway(store, incident.id, NewEvent(Kind.FOLLOWUP_ADDED, payload), responder)
    return FollowupResult(event, found + [k for k in owner_found if k not in found])
