"""Deadline clocks: regulatory and communication deadlines counted from detection.

Pure: a function of the folded state and a ``now`` passed in by the caller (the domain has no
clock). The clock starts at the ``detected_at`` input when it was answered, else when the incident
was opened: awareness is what the regulations count from (GDPR Art. 33 "after having become
aware"), and an incident opened late must not get a later deadline for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from irbook.domain import conditions, engine
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.models import Deadline

MET = "met"
MISSED = "missed"  # met late, or still open after the due time
OPEN = "open"
SKIPPED = "skipped"  # the step that meets it was skipped: nobody met it
NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class DeadlineState:
    id: str
    title: str
    regulation: str
    met_by: str
    status: str
    due: datetime | None
    met_at: datetime | None = None

    @property
    def applies(self) -> bool:
        return self.status != NOT_APPLICABLE


def deadline_view(item: DeadlineState) -> dict[str, Any]:
    """One deadline as plain data (status --json, watch, templates)."""
    return {
        "id": item.id,
        "title": item.title,
        "regulation": item.regulation,
        "met_by": item.met_by,
        "status": item.status,
        "due": item.due.isoformat() if item.due else None,
        "met_at": item.met_at.isoformat() if item.met_at else None,
    }


def clock_start(state: IncidentState) -> datetime | None:
    """When the clocks start: the detection time if recorded, else the incident's opening."""
    raw: Any = state.inputs.get("detected_at")
    if isinstance(raw, str) and raw.strip():
        try:
            value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            value = None
        if value is not None:
            return value if value.tzinfo else value.replace(tzinfo=UTC)
    return state.opened_at


def _applies(deadline: Deadline, state: IncidentState, start: datetime | None) -> bool:
    if deadline.when and not conditions.evaluate(deadline.when, state.inputs, {}, lambda _: False):
        return False
    return not (deadline.applies_from and start and start.date() < deadline.applies_from)


def deadline_states(state: IncidentState, *, now: datetime) -> list[DeadlineState]:
    """Every deadline of the runbook with its status at ``now``, in runbook order."""
    detected = clock_start(state)
    out = []
    for deadline in state.runbook.deadlines:
        start = detected
        if deadline.after is not None:  # e.g. SEC: four business days after the determination
            trigger = state.steps.get(deadline.after)
            start = trigger.at if trigger and trigger.status is StepStatus.DONE else None
        due = deadline.due(start) if start else None
        base = DeadlineState(
            deadline.id, deadline.title, deadline.regulation, deadline.met_by, OPEN, due
        )
        step = state.steps.get(deadline.met_by)
        met_by = state.runbook.step(deadline.met_by)
        if not _applies(deadline, state, detected) or not engine.applicable(state, met_by):
            status, met_at = NOT_APPLICABLE, None
        elif step is not None and step.status is StepStatus.DONE:
            late = due is not None and step.at is not None and step.at > due
            status, met_at = (MISSED if late else MET), step.at
        elif step is not None and step.status is StepStatus.SKIPPED:
            status, met_at = SKIPPED, None
        else:
            status, met_at = (MISSED if due is not None and now > due else OPEN), None
        # a clock that has not started (the `after` step is still open) is open, with no due time
        out.append(replace(base, status=status, met_at=met_at))
    return out
