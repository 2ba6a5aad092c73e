"""The pure engine: fold events into the incident state and decide what comes next.

No I/O and no clock: everything here is a function of the runbook and the event log, so resume is
"load events, fold, continue" and the same state is computed on every machine of a team.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from irbook.domain import conditions
from irbook.domain.events import Event, Kind
from irbook.domain.models import Phase, Runbook, RunbookInput, Step


class StepStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DONE_WITH_EXCEPTIONS = "done with exceptions"  # a checklist with items left unticked, and why
    SKIPPED = "skipped"
    # Its `when` is false, or a responder decided, with a reason, that it does not apply here. Not
    # an exception (a skip is), and not counted among the applicable steps in progress.
    NOT_APPLICABLE = "not applicable"
    # Still open, waiting on someone or something (a CA, npm support, another team): the walk
    # goes on with steps that do not need it and comes back to it at the end.
    WAITING = "waiting"


DONE_STATES = frozenset({StepStatus.DONE, StepStatus.DONE_WITH_EXCEPTIONS})
OPEN_STATES = frozenset({StepStatus.PENDING, StepStatus.WAITING})


OPEN = "open"
COMPLETED = "completed"
COMPLETED_WITH_EXCEPTIONS = "completed with exceptions"
ABANDONED = "abandoned"  # closed as a mistake or a duplicate: kept in the log, listed apart


@dataclass
class StepState:
    step_id: str
    phase_id: str
    status: StepStatus = StepStatus.PENDING
    value: Any = None
    reason: str | None = None  # why it was skipped, does not apply, or has unticked items
    unticked: list[str] = field(default_factory=list)  # a checklist done with exceptions
    actor: str | None = None  # who completed or skipped it
    at: datetime | None = None
    seq: int | None = None  # the event that settled it
    redacted: list[str] = field(default_factory=list)
    overridden: bool = False  # a failed check recorded done anyway (with a reason)
    waiting_on: str | None = None  # while WAITING: on whom or what
    due: datetime | None = None  # while WAITING: by when (None: no due time)
    waiting_since: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        return self.status is StepStatus.WAITING and self.due is not None and self.due <= now


@dataclass
class Milestone:
    name: str
    phase_id: str
    reached_at: datetime | None = None
    reached_seq: int | None = None


@dataclass
class IncidentState:
    incident_id: str
    runbook: Runbook
    title: str = ""
    severity: str = ""
    tlp: str = ""
    runbook_sha256: str = ""
    opened_at: datetime | None = None
    opened_by: str = ""
    drill: bool = False  # a rehearsal (domain/drills.py): marked on every screen and output
    status: str = OPEN
    closed_at: datetime | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, StepState] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # role -> person
    milestones: dict[str, Milestone] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    @property
    def head_hash(self) -> str:
        return self.events[-1].hash if self.events else ""

    @property
    def answers(self) -> dict[str, Any]:
        return {sid: s.value for sid, s in self.steps.items() if s.status in DONE_STATES}

    def is_done(self, step_id: str) -> bool:
        state = self.steps.get(step_id)
        return state is not None and state.status in DONE_STATES

    def events_of(self, *kinds: Kind) -> list[Event]:
        wanted = {str(k) for k in kinds}
        return [e for e in self.events if e.kind in wanted]


def new_state(incident_id: str, runbook: Runbook) -> IncidentState:
    state = IncidentState(incident_id=incident_id, runbook=runbook)
    for phase, step in runbook.steps():
        state.steps[step.id] = StepState(step.id, phase.id)
    for phase in runbook.phases:
        if phase.milestone:
            state.milestones[phase.milestone] = Milestone(phase.milestone, phase.id)
    return state


def fold(incident_id: str, runbook: Runbook, events: list[Event]) -> IncidentState:
    """The incident state after ``events`` (in seq order)."""
    state = new_state(incident_id, runbook)
    for event in events:
        apply(state, event)
    return state


def apply(state: IncidentState, event: Event) -> None:
    """Apply one event in place (the walker calls this after each append)."""
    state.events.append(event)
    p = event.payload
    kind = event.kind
    step = state.steps.get(event.step_id or "")
    if kind == Kind.INCIDENT_OPENED:
        state.title, state.severity, state.tlp = p["title"], p["severity"], p["tlp"]
        state.runbook_sha256 = p["runbook_sha256"]
        state.opened_at, state.opened_by = event.at, event.actor
        state.drill = bool(p.get("drill"))
    elif kind in (Kind.INPUT_RECORDED, Kind.INPUT_CORRECTED):
        state.inputs[p["input_id"]] = p["value"]
    elif kind == Kind.STEP_COMPLETED and step is not None:
        unticked = list(p.get("unticked") or [])
        exceptional = unticked or p.get("overridden")  # items left, or a failed check overridden
        status = StepStatus.DONE_WITH_EXCEPTIONS if exceptional else StepStatus.DONE
        _settle(step, status, event, value=p.get("value"), reason=p.get("reason") or None)
        step.redacted, step.unticked = list(p.get("redacted", [])), unticked
        step.overridden = bool(p.get("overridden"))
    elif kind == Kind.STEP_SKIPPED and step is not None:
        _settle(step, StepStatus.SKIPPED, event, reason=p.get("reason"))
    elif kind == Kind.STEP_NOT_APPLICABLE and step is not None:
        _settle(step, StepStatus.NOT_APPLICABLE, event, reason=p.get("reason"))
    elif kind == Kind.STEP_REOPENED and step is not None:
        step.status, step.value, step.reason = StepStatus.PENDING, None, None
        step.actor = step.at = step.seq = None
        step.unticked, step.overridden = [], False
        step.waiting_on = step.due = step.waiting_since = None
    elif kind == Kind.STEP_WAITING and step is not None:
        # Open, so `seq` stays None (it is not settled); who set it waiting is kept in `actor`.
        if step.status not in OPEN_STATES:
            return  # settled by someone else first: a late "waiting" changes nothing
        step.status, step.actor, step.at = StepStatus.WAITING, event.actor, event.at
        step.waiting_on = p["on"]
        step.due = datetime.fromisoformat(p["due"]) if p.get("due") else None
        if step.waiting_since is None:  # waiting again (a new due time) keeps the age
            step.waiting_since = event.at
    elif kind == Kind.ROLE_ASSIGNED:
        state.roles[p["role"]] = p["person"]
    elif kind == Kind.SEVERITY_CHANGED:
        state.severity = p["severity"]
    elif kind == Kind.INCIDENT_CLOSED:
        state.status, state.closed_at = p["outcome"], event.at
    if kind in _SETTLING:
        _update_milestones(state, event)


_SETTLING = frozenset(
    {
        Kind.STEP_COMPLETED,
        Kind.STEP_SKIPPED,
        Kind.STEP_NOT_APPLICABLE,
        Kind.INPUT_RECORDED,
        Kind.INPUT_CORRECTED,
        Kind.STEP_REOPENED,
    }
)


def _settle(
    step: StepState,
    status: StepStatus,
    event: Event,
    *,
    value: Any = None,
    reason: str | None = None,
) -> None:
    step.status, step.value, step.reason = status, value, reason
    step.actor, step.at, step.seq = event.actor, event.at, event.seq
    step.waiting_on = step.due = step.waiting_since = None


def _update_milestones(state: IncidentState, event: Event) -> None:
    for milestone in state.milestones.values():
        phase = next(p for p in state.runbook.phases if p.id == milestone.phase_id)
        reached = phase_settled(state, phase)
        if reached and milestone.reached_at is None:
            milestone.reached_at, milestone.reached_seq = event.at, event.seq
        elif not reached:  # a step was reopened: the milestone is reached again later
            milestone.reached_at = milestone.reached_seq = None


# --- questions about the state -----------------------------------------------------------------


def applicable(state: IncidentState, step: Step) -> bool:
    """False when the step's `when` condition is false for the answers so far."""
    if not step.when:
        return True
    return conditions.evaluate(step.when, state.inputs, state.answers, state.is_done)


def status_of(state: IncidentState, step: Step) -> StepStatus:
    """The step's status, with pending steps whose condition is false shown as not applicable."""
    current = state.steps[step.id].status
    if current is StepStatus.PENDING and not applicable(state, step):
        return StepStatus.NOT_APPLICABLE
    return current


def is_open(state: IncidentState, step: Step) -> bool:
    """Pending or waiting: not settled yet."""
    return status_of(state, step) in OPEN_STATES


def phase_settled(state: IncidentState, phase: Phase) -> bool:
    return not any(is_open(state, s) for s in phase.steps)


def needs_met(state: IncidentState, step: Step) -> bool:
    """A need is met once the needed step is settled (done, with exceptions or not, skipped, or
    not applicable)."""
    return not any(is_open(state, state.runbook.step(n)) for n in step.needs)


def last_check(state: IncidentState, step_id: str) -> Event | None:
    """The step's latest check_ran event (None before its check first ran)."""
    for event in reversed(state.events):
        if event.kind == Kind.CHECK_RAN and event.step_id == step_id:
            return event
    return None


def check_failed(state: IncidentState, step_id: str) -> bool:
    """The step's check ran last time without a result (it could not run): re-run or override."""
    event = last_check(state, step_id)
    return event is not None and bool(event.payload.get("failed"))


RESULT_KINDS = (Kind.CHECK_RAN, Kind.NOTIFICATION_RENDERED, Kind.COMMAND_RAN)


def recorded_result(state: IncidentState, step_id: str) -> Event | None:
    """The result event (check_ran, notification_rendered, successful command_ran) recorded for
    the step since it was last settled or reopened, if the step was never completed with it.

    irbook records a result and the completion it supports in one transaction, so this finds only
    what an older irbook left behind when killed between the two; a resume completes the step
    with it instead of running the check or rendering the message again.
    """
    for event in reversed(state.events):
        if event.step_id != step_id:
            continue
        if event.kind in (
            Kind.STEP_COMPLETED,
            Kind.STEP_SKIPPED,
            Kind.STEP_NOT_APPLICABLE,
            Kind.STEP_REOPENED,
        ):
            return None
        if event.kind in RESULT_KINDS:
            ok = event.kind != Kind.COMMAND_RAN or event.payload.get("exit_code") == 0
            ok = ok and not event.payload.get("failed")  # a check that could not run
            return event if ok else None
    return None


def missing_inputs(state: IncidentState) -> list[RunbookInput]:
    return [i for i in state.runbook.inputs if i.id not in state.inputs]


def open_steps(state: IncidentState, *, role: str | None = None) -> list[Step]:
    """Open (pending or waiting) applicable steps in runbook order; with ``role``, that role's
    and unowned ones."""
    out = []
    for _, step in state.runbook.steps():
        if not is_open(state, step):
            continue
        if role is not None and step.role not in (None, role):
            continue
        out.append(step)
    return out


def next_step(
    state: IncidentState, *, role: str | None = None, include_waiting: bool = True
) -> Step | None:
    """The first open step whose needs are met (None when nothing is left to ask). Steps that
    are waiting on someone come after every pending one: the walk goes on without them and
    comes back to them at the end (never, with ``include_waiting=False``)."""
    ready = [s for s in open_steps(state, role=role) if needs_met(state, s)]
    pending = [s for s in ready if state.steps[s.id].status is StepStatus.PENDING]
    if pending:
        return pending[0]
    return ready[0] if ready and include_waiting else None


def waiting_steps(state: IncidentState) -> list[tuple[Step, StepState]]:
    """Steps waiting on someone or something, in runbook order."""
    return [
        (step, state.steps[step.id])
        for _, step in state.runbook.steps()
        if state.steps[step.id].status is StepStatus.WAITING
    ]


def overdue_steps(state: IncidentState, now: datetime) -> list[tuple[Step, StepState]]:
    """Waiting steps whose due time has passed at ``now`` (the engine has no clock of its own)."""
    if state.status != OPEN:
        return []
    return [(step, s) for step, s in waiting_steps(state) if s.overdue(now)]


def waiting(state: IncidentState, *, role: str | None = None) -> list[tuple[Step, list[Step]]]:
    """Open steps (of ``role``) that cannot be asked yet, each with the open steps it needs."""
    out = []
    for step in open_steps(state, role=role):
        blockers = [
            state.runbook.step(n) for n in step.needs if is_open(state, state.runbook.step(n))
        ]
        if blockers:
            out.append((step, blockers))
    return out


@dataclass(frozen=True)
class Progress:
    """The one progress definition: settled steps of the applicable ones.

    Applicable means not "not applicable": a step whose `when` is false, or that a responder
    decided does not apply, is counted apart. The total therefore moves while answers decide
    which conditional steps apply; every view (walker, status, report, notices) uses this."""

    phase_index: int  # 1-based phase of the next step (or the last phase when all are settled)
    phase_count: int
    phase_title: str
    settled: int  # done, done with exceptions, or skipped
    total: int  # applicable steps
    not_applicable: int = 0
    done: int = 0
    with_exceptions: int = 0
    skipped: int = 0
    waiting: int = 0  # open, waiting on someone or something

    @property
    def open(self) -> int:
        return self.total - self.settled


def progress(state: IncidentState, *, role: str | None = None) -> Progress:
    phases = state.runbook.phases
    nxt = next_step(state, role=role)
    index = len(phases)
    if nxt is not None:
        index = next(i for i, p in enumerate(phases, 1) if any(s.id == nxt.id for s in p.steps))
    statuses = [status_of(state, s) for _, s in state.runbook.steps()]
    count = {status: statuses.count(status) for status in StepStatus}
    not_applicable = count[StepStatus.NOT_APPLICABLE]
    return Progress(
        phase_index=index,
        phase_count=len(phases),
        phase_title=phases[index - 1].title,
        settled=len(statuses)
        - not_applicable
        - count[StepStatus.PENDING]
        - count[StepStatus.WAITING],
        total=len(statuses) - not_applicable,
        not_applicable=not_applicable,
        done=count[StepStatus.DONE],
        with_exceptions=count[StepStatus.DONE_WITH_EXCEPTIONS],
        skipped=count[StepStatus.SKIPPED],
        waiting=count[StepStatus.WAITING],
    )


@dataclass(frozen=True)
class CloseDecision:
    allowed: bool
    outcome: str
    blocking: list[str]  # critical steps still open
    skipped: list[str]
    open_steps: list[str]  # non-critical steps still open (recorded as exceptions)
    with_exceptions: list[str] = field(default_factory=list)  # checklists with unticked items
    not_applicable: list[str] = field(
        default_factory=list
    )  # decided by a responder; not exceptions


def close_decision(state: IncidentState) -> CloseDecision:
    """Critical steps still open block the close. Skips, open non-critical steps and checklists
    done with exceptions make it "completed with exceptions"; a step a responder decided does not
    apply (with a reason) does not: it is recorded and reported, but it is not an exception."""
    blocking: list[str] = []
    pending: list[str] = []
    skipped: list[str] = []
    exceptions: list[str] = []
    decided_na: list[str] = []
    for _, step in state.runbook.steps():
        status = status_of(state, step)
        if status in OPEN_STATES:
            (blocking if step.critical else pending).append(step.id)
        elif status is StepStatus.SKIPPED:
            skipped.append(step.id)
        elif status is StepStatus.DONE_WITH_EXCEPTIONS:
            exceptions.append(step.id)
        elif status is StepStatus.NOT_APPLICABLE and state.steps[step.id].seq is not None:
            decided_na.append(step.id)
    outcome = COMPLETED_WITH_EXCEPTIONS if (skipped or pending or exceptions) else COMPLETED
    return CloseDecision(not blocking, outcome, blocking, skipped, pending, exceptions, decided_na)
