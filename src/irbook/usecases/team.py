"""Team mode: roles on an incident, and the live view several responders watch.

Nothing here prints or prompts. ``assign_role`` records who holds a role; ``Watcher`` keeps an
incident's state current by reading only the events appended since it last looked, so a watch
that runs for hours costs one small query per refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from irbook.domain import engine
from irbook.domain.deadlines import deadline_states, deadline_view
from irbook.domain.describe import describe_event, step_path
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.events import Event, Kind, NewEvent, RoleAssigned
from irbook.errors import NotFoundError, StoreUnavailableError, UsageError
from irbook.loader.load import did_you_mean
from irbook.store import Store
from irbook.usecases.drills import InjectLine, inject_lines
from irbook.usecases.incidents import Responder, load_state, record_anyway, utc_now
from irbook.usecases.status import waiting_view

LATEST_EVENTS = 12


def runbook_roles(state: IncidentState) -> list[str]:
    """The roles of the incident's runbook: declared ones first, then any only named on steps."""
    roles = list(state.runbook.roles)
    for _, step in state.runbook.steps():
        if step.role and step.role not in roles:
            roles.append(step.role)
    return roles


def assign_role(
    store: Store, incident_id: str, role: str, person: str, *, responder: Responder
) -> Event:
    """Record that ``person`` holds ``role`` on the incident (a later assignment replaces it)."""
    person = person.strip()
    if not person or "\n" in person:
        raise UsageError("the person must be one line of text (a name or a handle)")
    state = load_state(store, incident_id)
    roles = runbook_roles(state)
    if role not in roles:
        if not roles:
            raise UsageError(f"the runbook of {state.incident_id} declares no roles")
        raise NotFoundError(
            f"unknown role '{role}' for {state.incident_id}{did_you_mean(role, roles)}",
            hint=f"the runbook's roles: {', '.join(roles)}",
        )
    new = NewEvent(Kind.ROLE_ASSIGNED, RoleAssigned(role=role, person=person))
    # Independent of other answers, so a conflict just means "append after theirs".
    return record_anyway(store, state.incident_id, new, responder)


# --- the live view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseLine:
    """A phase's progress: settled of applicable, as everywhere (``engine.Progress``)."""

    title: str
    done: int
    skipped: int
    not_applicable: int
    total: int  # every step of the phase
    milestone: str | None
    milestone_at: datetime | None
    with_exceptions: int = 0

    @property
    def settled(self) -> int:
        return self.done + self.with_exceptions + self.skipped

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable


@dataclass(frozen=True)
class RoleLine:
    role: str
    person: str | None
    open_steps: int  # pending applicable steps owned by the role


@dataclass(frozen=True)
class EventLine:
    seq: int
    at: datetime
    actor: str
    text: str
    login: str | None = None  # the database login that wrote it (PostgreSQL)


@dataclass(frozen=True)
class WatchFrame:
    incident_id: str
    title: str
    severity: str
    status: str
    last_seq: int
    phases: list[PhaseLine]
    roles: list[RoleLine]
    latest: list[EventLine]
    problem: str | None = None  # e.g. the database is unreachable; the view keeps retrying
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)  # status.waiting_view rows
    drill: bool = False  # a rehearsal: the view carries the DRILL banner
    # A drill's due injects, delivered or not: shown only, never recorded (usecases/drills.py)
    injects: list[InjectLine] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for w in self.waiting if w["overdue"])

    @property
    def due_injects(self) -> int:
        return len(self.injects)


def phase_lines(state: IncidentState) -> list[PhaseLine]:
    out = []
    for phase in state.runbook.phases:
        counts = dict.fromkeys(StepStatus, 0)
        for step in phase.steps:
            counts[engine.status_of(state, step)] += 1
        milestone = state.milestones.get(phase.milestone) if phase.milestone else None
        out.append(
            PhaseLine(
                phase.title,
                counts[StepStatus.DONE],
                counts[StepStatus.SKIPPED],
                counts[StepStatus.NOT_APPLICABLE],
                len(phase.steps),
                phase.milestone,
                milestone.reached_at if milestone else None,
                counts[StepStatus.DONE_WITH_EXCEPTIONS],
            )
        )
    return out


def role_lines(state: IncidentState) -> list[RoleLine]:
    """Every role of the runbook (assigned or not) and every role assigned on the incident."""
    roles = runbook_roles(state) + [r for r in state.roles if r not in runbook_roles(state)]
    pending = engine.open_steps(state)
    return [
        RoleLine(role, state.roles.get(role), sum(1 for s in pending if s.role == role))
        for role in roles
    ]


def event_text(state: IncidentState, event: Event) -> str:
    """One line about an event, for people (the report has the full detail)."""
    return describe_event(event, where=step_path(state.runbook, event.step_id))


def watch_frame(
    state: IncidentState, *, latest: int = LATEST_EVENTS, problem: str | None = None
) -> WatchFrame:
    events = state.events[-latest:] if latest > 0 else []
    now = utc_now()
    return WatchFrame(
        incident_id=state.incident_id,
        title=state.title,
        severity=state.severity,
        status=state.status,
        last_seq=state.last_seq,
        phases=phase_lines(state),
        roles=role_lines(state),
        latest=[
            EventLine(e.seq, e.at, e.actor, event_text(state, e), e.login) for e in reversed(events)
        ],
        problem=problem,
        deadlines=[deadline_view(d) for d in deadline_states(state, now=now) if d.applies],
        waiting=waiting_view(state, now=now),
        drill=state.drill,
        injects=inject_lines(state, now) if state.drill else [],
    )


@dataclass
class Watcher:
    """An incident's state, brought up to date by ``poll`` with only the new events."""

    store: Store
    state: IncidentState
    latest: int = LATEST_EVENTS
    problem: str | None = field(default=None)

    @classmethod
    def open(cls, store: Store, incident_id: str, *, latest: int = LATEST_EVENTS) -> Watcher:
        return cls(store, load_state(store, incident_id), latest)

    def poll(self) -> int:
        """Apply events appended since the last poll; returns how many. A lost connection is
        shown in the frame and retried on the next poll instead of ending the view."""
        try:
            new = self.store.events(self.state.incident_id, after_seq=self.state.last_seq)
        except StoreUnavailableError as err:
            self.problem = err.message
            return 0
        self.problem = None
        for event in new:
            engine.apply(self.state, event)
        return len(new)

    def frame(self) -> WatchFrame:
        return watch_frame(self.state, latest=self.latest, problem=self.problem)
