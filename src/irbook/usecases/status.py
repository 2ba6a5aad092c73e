"""Read views of incidents for `status` and `list` (pure: built from the folded state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from irbook.store import Incident

if TYPE_CHECKING:
    from irbook.domain.engine import IncidentState


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def status_view(state: IncidentState, *, now: datetime) -> dict[str, Any]:
    """Everything `irbook status` shows; also its --json document. ``now`` decides whether an
    open deadline is already missed."""
    # Here, not at the top: `irbook list` needs only list_view, not the engine and its models.
    from irbook.domain import engine
    from irbook.domain.deadlines import deadline_states, deadline_view
    from irbook.domain.drills import scenario_of

    progress = engine.progress(state)
    nxt = engine.next_step(state)
    login_of = {e.seq: e.login for e in state.events}  # who the server says wrote each event
    phases = []
    for phase in state.runbook.phases:
        steps = []
        for step in phase.steps:
            s = state.steps[step.id]
            steps.append(
                {
                    "id": step.id,
                    "title": step.label,
                    "type": step.type,
                    "status": str(engine.status_of(state, step)),
                    "critical": step.critical,
                    "role": step.role,
                    "actor": s.actor,
                    "login": login_of.get(s.seq) if s.seq is not None else None,
                    "at": _iso(s.at),
                    "reason": s.reason,
                    "unticked": s.unticked,
                    "value": s.value,
                    "waiting_on": s.waiting_on,
                    "due": _iso(s.due),
                }
            )
        phases.append(
            {
                "id": phase.id,
                "title": phase.title,
                "milestone": phase.milestone,
                "settled": engine.phase_settled(state, phase),
                "steps": steps,
            }
        )
    scenario = scenario_of(state)
    return {
        "incident": state.incident_id,
        "drill": state.drill,  # a rehearsal: shown under a banner, never mistaken for a breach
        "scenario": scenario.id if scenario is not None else None,
        "title": state.title,
        "severity": state.severity,
        "tlp": state.tlp,
        "status": state.status,
        "runbook": state.runbook.id,
        "runbook_version": state.runbook.version,
        "runbook_sha256": state.runbook_sha256,
        "opened_at": _iso(state.opened_at),
        "opened_by": state.opened_by,
        "closed_at": _iso(state.closed_at),
        "inputs": state.inputs,
        "roles": state.roles,
        "progress": {
            "settled": progress.settled,
            "total": progress.total,
            "done": progress.done,
            "with_exceptions": progress.with_exceptions,
            "skipped": progress.skipped,
            "not_applicable": progress.not_applicable,
            "waiting": progress.waiting,
            "phase": progress.phase_index,
            "phases": progress.phase_count,
        },
        "next_step": nxt.id if nxt and state.status == engine.OPEN else None,
        "waiting": waiting_view(state, now=now),
        "milestones": {m.name: _iso(m.reached_at) for m in state.milestones.values()},
        "deadlines": [deadline_view(d) for d in deadline_states(state, now=now) if d.applies],
        "events": len(state.events),
        "head_hash": state.head_hash,
        "phases": phases,
    }


def waiting_view(state: IncidentState, *, now: datetime) -> list[dict[str, Any]]:
    """Steps waiting on someone or something: on whom, since when (and how long), due when, and
    whether the due time has passed at ``now``."""
    from irbook.domain import engine

    out = []
    for step, s in engine.waiting_steps(state):
        since = s.waiting_since
        out.append(
            {
                "incident": state.incident_id,
                "step": step.id,
                "title": step.label,
                "critical": step.critical,
                "on": s.waiting_on,
                "due": _iso(s.due),
                "since": _iso(since),
                "age_seconds": int((now - since).total_seconds()) if since else None,
                "overdue": state.status == engine.OPEN and s.overdue(now),
                "by": s.actor,
            }
        )
    return out


def age_text(seconds: int | None) -> str:
    """A short age: 45m, 3h 10m, 2d 4h."""
    if seconds is None:
        return "?"
    minutes = max(seconds, 0) // 60
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


@dataclass(frozen=True)
class IncidentList:
    """`irbook list`: real incidents, or (``--drills``) drills only, and how many of the other
    kind were left out (drills are counted in a footer so nobody forgets them in the database)."""

    rows: list[dict[str, Any]]
    drills: bool
    drills_left_out: int


def incident_list(
    incidents: list[Incident], severities: dict[str, str] | None = None, *, drills: bool = False
) -> IncidentList:
    """Real incidents (the default) or drills only: a rehearsal in the list of breaches would
    be read as one."""
    rows = list_view(incidents, severities)
    kept = [r for r in rows if r["drill"] == drills]
    left_out = 0 if drills else len(rows) - len(kept)
    return IncidentList(kept, drills, left_out)


def list_view(
    incidents: list[Incident], severities: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per incident; ``severities`` are the changed ones (``Store.changed_severities``)."""
    from irbook.domain.drills import is_drill_id

    changed = severities or {}
    return [
        {
            "id": i.id,
            "drill": is_drill_id(i.id),
            "title": i.title,
            "severity": changed.get(i.id, i.severity),
            "status": i.status,
            "runbook": f"{i.runbook_id} {i.runbook_version}",
            "opened_at": _iso(i.opened_at),
            "opened_by": i.opened_by,
            "closed_at": _iso(i.closed_at),
        }
        for i in incidents
    ]
