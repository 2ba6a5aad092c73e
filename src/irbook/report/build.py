"""Build the Report from an incident's folded state. Pure: no I/O, no clock.

The same event log always gives the same report (no "generated at" stamp), so a report can be
re-created and compared byte for byte, and the head hash it carries ties it to the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from irbook.domain import engine
from irbook.domain.deadlines import MET, MISSED, DeadlineState, deadline_states
from irbook.domain.describe import describe_event, one_line, show_value
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.events import Event, Kind, attributed
from irbook.domain.models import Phase, Runbook
from irbook.report import model as m
from irbook.report.answers import answer_text
from irbook.report.runs import check_run, command_run
from irbook.usecases.verify import ChainCheck, Verification

# The milestones the report names, in this order; other milestones of a runbook follow.
METRIC_NAMES = {
    "contained": "time to contain",
    "credentials-rotated": "time to rotate credentials",
    "stakeholders-notified": "time to notify stakeholders",
}
DETECTED_AT_INPUT = "detected_at"


# The sections with one entry per event (or per event of a kind): streamed to the exporters one
# batch at a time (report/stream.py), never held whole for a big log. In this order in the JSON.
STREAMED = ("notes", "evidence", "checks", "commands", "notifications", "followups", "timeline")


# The kinds whose payload the head reads besides the fold's (engine.PAYLOAD_KINDS): the
# corrections and each step's last run (Tally). A split report (report/split.py) decodes only
# these for the events whose entries another process formats.
HEAD_PAYLOADS = engine.PAYLOAD_KINDS | {Kind.INPUT_CORRECTED, Kind.CHECK_RAN, Kind.COMMAND_RAN}


class ChainCheckLike(Protocol):
    """``ChainCheck``, or one that hands part of the work to another process
    (report/split.py's ``SplitChain``)."""

    def add(self, event: Event) -> None: ...

    def result(self) -> Verification: ...


class Tally:
    """What the report's other sections need from every event, gathered as the events go by
    (people, when each phase started, the hash chain, the corrections), so a 100,000-event log
    is read once and not held."""

    def __init__(
        self, incident_id: str, runbook: Runbook, *, chain: ChainCheckLike | None = None
    ) -> None:
        self.chain = chain if chain is not None else ChainCheck(incident_id)
        self.people: dict[str, dict[str, Any]] = {}
        self.started: dict[str, datetime] = {}  # phase id -> first event on one of its steps
        self.phase_of = phases_of(runbook)
        self.corrections: list[m.InputCorrection] = []
        self.runs: dict[str, Event] = {}  # each step's last check or command run: one per step

    def add(self, e: Event) -> None:
        self.chain.add(e)
        p = self.people.get(e.actor)
        if p is None:
            p = self.people[e.actor] = {"hosts": [], "events": 0, "first": e.at, "last": e.at}
        p["events"] += 1
        p["last"] = e.at
        if e.host not in p["hosts"]:
            p["hosts"].append(e.host)
        phase = self.phase_of.get(e.step_id) if e.step_id is not None else None
        if phase is not None and (phase not in self.started or e.at < self.started[phase]):
            self.started[phase] = e.at
        if e.kind == Kind.INPUT_CORRECTED:
            self.corrections.append(correction(e))
        elif e.step_id and e.kind in (Kind.CHECK_RAN, Kind.COMMAND_RAN):
            self.runs[e.step_id] = e


def phases_of(runbook: Runbook) -> dict[str, str]:
    """Step id -> the id of its phase."""
    return {step.id: phase.id for phase, step in runbook.steps()}


def build_report(state: IncidentState) -> m.Report:
    """Everything the report says, computed from ``state`` (see docs/report.md)."""
    tally = Tally(state.incident_id, state.runbook)
    for e in state.events:
        tally.add(e)
    fields = head_fields(state, tally)
    fields.update(
        notes=[note(e) for e in state.events_of(Kind.NOTE_ADDED)],
        evidence=[evidence(e) for e in state.events_of(Kind.EVIDENCE_ATTACHED)],
        checks=[check(e) for e in state.events_of(Kind.CHECK_RAN)],
        commands=[command(e) for e in state.events_of(Kind.COMMAND_RAN)],
        notifications=[
            notification(e)
            for e in state.events_of(Kind.NOTIFICATION_RENDERED, Kind.NOTIFICATION_SENT)
        ],
        followups=[followup(e) for e in state.events_of(Kind.FOLLOWUP_ADDED)],
        timeline=[timeline_entry(e, tally.phase_of) for e in state.events],
    )
    return m.Report.model_validate(fields)


def build_head(state: IncidentState, tally: Tally) -> m.Report:
    """The report with its per-event sections (``STREAMED``) empty: the exporters stream those."""
    return m.Report.model_validate(head_fields(state, tally) | {name: [] for name in STREAMED})


def head_fields(state: IncidentState, tally: Tally) -> dict[str, Any]:
    runbook = state.runbook
    status = m.IN_PROGRESS if state.status == engine.OPEN else state.status
    detected = parse_time(state.inputs.get(DETECTED_AT_INPUT))
    runs = {step_id: last_run(e) for step_id, e in tally.runs.items()}
    phases = [phase_outcome(state, p, tally.started.get(p.id), runs) for p in runbook.phases]
    metrics = build_metrics(state, detected)
    deadlines = build_deadlines(state)
    chain = tally.chain.result()
    return dict(
        incident_id=state.incident_id,
        drill=state.drill,
        title=state.title,
        status=status,
        status_line=status_line(state.incident_id, status),
        summary=summary(state, status, metrics, deadlines),
        severity=state.severity,
        tlp=state.tlp,
        runbook=m.RunbookRef(
            id=runbook.id,
            version=runbook.version,
            title=runbook.title,
            sha256=state.runbook_sha256,
        ),
        opened_at=state.opened_at,
        opened_by=state.opened_by,
        closed_at=state.closed_at,
        detected_at=detected,
        inputs=inputs(state),
        people=people(state, tally.people),
        roles=roles(state),
        metrics=metrics,
        deadlines=deadlines,
        deadlines_met=sum(d.status == MET for d in deadlines),
        deadlines_missed=sum(d.status == MISSED for d in deadlines),
        phases=phases,
        skips=skips(state),
        decisions=decisions(state),
        corrections=tally.corrections,
        event_count=state.events_seen,
        head_hash=state.head_hash,
        chain_intact=chain.ok,
        chain_problem=chain.problem or None,
    )


def status_line(incident_id: str, status: str) -> str:
    if status == m.IN_PROGRESS:
        return f"Incident {incident_id}: in progress (the incident is open; figures may change)"
    return f"Incident {incident_id}: {status}"


# --- time --------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (naive means UTC); None when absent or not a time."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def duration(start: datetime | None, end: datetime | None) -> m.Duration | None:
    if start is None or end is None:
        return None
    seconds = round((end - start).total_seconds())
    return m.Duration(seconds=seconds, text=duration_text(seconds))


def duration_text(seconds: int) -> str:
    sign, s = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(s, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def metric_name(milestone: str) -> str:
    """How a milestone's metric is named ("time to contain"; "time to <name>" by default)."""
    return METRIC_NAMES.get(milestone, f"time to {milestone.replace('-', ' ')}")


def milestone_names(state: IncidentState) -> list[str]:
    """The runbook's milestones, the report's usual three first (METRIC_NAMES order); one the
    runbook does not have is left out: nothing to measure."""
    return [n for n in METRIC_NAMES if n in state.milestones] + [
        n for n in state.milestones if n not in METRIC_NAMES
    ]


def build_metrics(state: IncidentState, detected: datetime | None) -> list[m.Metric]:
    out = []
    for name in milestone_names(state):
        milestone = state.milestones[name]
        out.append(
            m.Metric(
                name=metric_name(name),
                milestone=name,
                reached_at=milestone.reached_at,
                from_open=duration(state.opened_at, milestone.reached_at),
                from_detection=duration(detected, milestone.reached_at),
            )
        )
    out.append(
        m.Metric(
            name="total duration",
            milestone=None,
            reached_at=state.closed_at,
            from_open=duration(state.opened_at, state.closed_at),
            from_detection=duration(detected, state.closed_at),
        )
    )
    return out


# --- sections ----------------------------------------------------------------------------------


def inputs(state: IncidentState) -> list[m.InputValue]:
    prompts = {i.id: i.prompt for i in state.runbook.inputs}
    ordered = [i.id for i in state.runbook.inputs if i.id in state.inputs]
    ordered += [k for k in state.inputs if k not in prompts]
    return [m.InputValue(id=k, prompt=prompts.get(k, k), value=state.inputs[k]) for k in ordered]


def people(state: IncidentState, seen: dict[str, dict[str, Any]]) -> list[m.Person]:
    """``seen``: per actor, the hosts, event count and first/last times (``Tally``)."""
    seen = dict(seen)
    for person in state.roles.values():
        seen.setdefault(person, {"hosts": [], "events": 0, "first": None, "last": None})
    return [
        m.Person(
            name=name,
            roles=sorted(r for r, who in state.roles.items() if who == name),
            hosts=p["hosts"],
            events=p["events"],
            first_at=p["first"],
            last_at=p["last"],
        )
        for name, p in seen.items()
    ]


def roles(state: IncidentState) -> list[m.RoleAssignment]:
    names = list(state.runbook.roles) + [r for r in state.roles if r not in state.runbook.roles]
    return [m.RoleAssignment(role=r, person=state.roles.get(r)) for r in names]


def last_runs(events: Iterable[Event]) -> dict[str, m.LastRun]:
    """Each step's last check or command run (a re-run replaces the one before), bounded for
    the step table: one per step is held, whatever the size of the log."""
    runs: dict[str, Event] = {}
    for e in events:
        if e.step_id and e.kind in (Kind.CHECK_RAN, Kind.COMMAND_RAN):
            runs[e.step_id] = e
    return {step_id: last_run(e) for step_id, e in runs.items()}


def last_run(e: Event) -> m.LastRun:
    p = e.payload
    if e.kind == Kind.CHECK_RAN:
        return check_run(
            e.seq,
            ok=bool(p.get("ok")),
            summary=p.get("summary", ""),
            findings=list(p.get("findings") or []),
        )
    return command_run(
        e.seq,
        command=p.get("command", ""),
        exit_code=p.get("exit_code", 0),
        output=p.get("output", ""),
        truncated=bool(p.get("truncated")),
    )


def phase_outcome(
    state: IncidentState,
    phase: Phase,
    started: datetime | None,
    runs: dict[str, m.LastRun] | None = None,
) -> m.PhaseOutcome:
    """``started``: the time of the first event on one of the phase's steps (``Tally``)."""
    runs = runs or {}
    steps = []
    for step in phase.steps:
        st = state.steps[step.id]
        steps.append(
            m.StepOutcome(
                id=step.id,
                title=step.label,
                type=step.type,
                critical=step.critical,
                role=step.role,
                status=str(engine.status_of(state, step)),
                value=st.value,
                reason=st.reason,
                unticked=st.unticked,
                actor=st.actor,
                at=st.at,
                seq=st.seq,
                waiting_on=st.waiting_on,
                waiting_since=st.waiting_since,
                due=st.due,
                last_run=runs.get(step.id),
            )
        )
    times = [s.at for s in steps if s.at is not None]
    pending = any(s.status in engine.OPEN_STATES for s in steps)
    return m.PhaseOutcome(
        id=phase.id,
        title=phase.title,
        milestone=phase.milestone,
        outcome=_phase_word(steps, started=started is not None),
        started_at=started,
        settled_at=max(times) if times and not pending else None,
        steps=steps,
    )


def _phase_word(steps: list[m.StepOutcome], *, started: bool) -> str:
    statuses = {s.status for s in steps}
    if statuses == {StepStatus.NOT_APPLICABLE}:
        return "not applicable"
    if statuses & engine.OPEN_STATES:
        settled = statuses - engine.OPEN_STATES - {StepStatus.NOT_APPLICABLE}
        return "in progress" if settled or started else "not started"
    exceptions = {StepStatus.SKIPPED, StepStatus.DONE_WITH_EXCEPTIONS}
    return "done with exceptions" if statuses & exceptions else "done"


def skips(state: IncidentState) -> list[m.Skip]:
    out = []
    for phase, step in state.runbook.steps():
        st = state.steps[step.id]
        if st.status is StepStatus.SKIPPED and st.at is not None and st.seq is not None:
            out.append(
                m.Skip(
                    step_id=step.id,
                    phase_id=phase.id,
                    title=step.label,
                    reason=st.reason or "",
                    actor=st.actor or "",
                    at=st.at,
                    seq=st.seq,
                )
            )
    return out


def decisions(state: IncidentState) -> list[m.Decision]:
    out = []
    for phase, step in state.runbook.steps():
        st = state.steps[step.id]
        decided = st.status in (StepStatus.NOT_APPLICABLE, StepStatus.DONE_WITH_EXCEPTIONS)
        if decided and st.at is not None and st.seq is not None:
            out.append(
                m.Decision(
                    step_id=step.id,
                    phase_id=phase.id,
                    title=step.label,
                    status=str(st.status),
                    reason=("failed check overridden: " if st.overridden else "")
                    + (st.reason or ""),
                    unticked=st.unticked,
                    actor=st.actor or "",
                    at=st.at,
                    seq=st.seq,
                )
            )
    return out


def correction(e: Event) -> m.InputCorrection:
    return m.InputCorrection(
        input_id=e.payload["input_id"],
        value=e.payload.get("value"),
        previous=e.payload.get("previous"),
        actor=attributed(e.actor, e.login),
        at=e.at,
        seq=e.seq,
    )


def judged_at(state: IncidentState) -> datetime | None:
    """When deadlines and open clocks are judged: the close, or the last event while open, never
    the wall clock (the report is a function of the log: the same log gives the same report)."""
    return state.closed_at or (state.last.at if state.last is not None else None)


def applicable_deadlines(state: IncidentState) -> list[DeadlineState]:
    """The runbook's deadlines that apply to this incident, judged at ``judged_at``."""
    now = judged_at(state)
    if now is None:
        return []
    return [d for d in deadline_states(state, now=now) if d.applies]


def deadline_fields(d: DeadlineState) -> dict[str, Any]:
    """What a report and a drill's score say of one judged deadline (their models differ only in
    their schemas' descriptions)."""
    return dict(
        id=d.id,
        title=d.title,
        regulation=d.regulation,
        met_by=d.met_by,
        status=d.status,
        due=d.due,
        met_at=d.met_at,
    )


def build_deadlines(state: IncidentState) -> list[m.DeadlineOutcome]:
    return [m.DeadlineOutcome(**deadline_fields(d)) for d in applicable_deadlines(state)]


def summary(
    state: IncidentState,
    status: str,
    metrics: list[m.Metric],
    deadlines: Sequence[m.DeadlineOutcome] = (),
) -> str:
    p = engine.progress(state)  # the one progress definition: settled of applicable
    opened = state.opened_at.strftime("%Y-%m-%d %H:%M UTC") if state.opened_at else "?"
    exceptions = f"{p.with_exceptions} done with exceptions, " if p.with_exceptions else ""
    decided_na = sum(1 for d in decisions(state) if d.status == "not applicable")
    na = f" {decided_na} decided not applicable." if decided_na else ""
    text = (
        f"{state.title}. Opened by {state.opened_by} on {opened} ({state.severity}, "
        f"TLP:{state.tlp}); {status}. {p.settled} of {p.total} applicable steps settled: "
        f"{p.done} done, {exceptions}{p.skipped} skipped, {p.open} open.{na}"
    )
    contain = next((x for x in metrics if x.milestone == "contained"), None)
    if contain is not None and contain.from_detection is not None:
        # from detection first: that is the figure people outside the team ask about
        text += f" Contained {contain.from_detection.text} after detection"
        if contain.from_open is not None:
            text += f" ({contain.from_open.text} after opening)"
        text += "."
    elif contain is not None and contain.from_open is not None:
        text += f" Contained {contain.from_open.text} after opening."
    if deadlines:
        met = sum(d.status == MET for d in deadlines)
        missed = sum(d.status == MISSED for d in deadlines)
        text += f" Deadlines: {met} met, {missed} missed, {len(deadlines) - met - missed} other."
    return text


def _notification_state(kind: str, payload: dict[str, Any], step_id: str | None) -> str:
    """sent, rendered (an .eml written), or preview (only shown). A preview recorded before
    ``preview`` existed is an `irbook notify` (no step) rendering without a file: every other
    `irbook notify` writes an .eml."""
    if kind == Kind.NOTIFICATION_SENT:
        return "sent"
    legacy_preview = step_id is None and not payload.get("path")
    return "preview" if payload.get("preview") or legacy_preview else "rendered"


def notification(e: Event) -> dict[str, Any]:
    p = e.payload
    return dict(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        step_id=e.step_id,
        state=_notification_state(e.kind, p, e.step_id),
        template=p.get("template", ""),
        audience=p.get("audience"),
        subject=p.get("subject", ""),
        to=list(p.get("to") or []),
        sha256=p.get("sha256", ""),
        message_id=p.get("message_id"),
    )


# The per-event parts are plain dicts that Report.model_validate checks in one pass (building
# 10,000 model instances one by one, even with model_construct, was most of the report's cost);
# the streamed export formats them as they are (report/stream.py).


def timeline_entry(e: Event, phase_of: dict[str, str]) -> dict[str, Any]:
    return dict(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        host=e.host,
        kind=e.kind,
        step_id=e.step_id,
        phase_id=phase_of.get(e.step_id or ""),
        summary=_describe(e),
        hash=e.hash,
        login=e.login,
    )


def _describe(e: Event) -> str:
    """The event log's "What": a check's or notification's recorded answer in words, not the
    stored JSON (the JSON export keeps the payload itself)."""
    value = e.payload.get("value")
    if e.kind == Kind.STEP_COMPLETED and isinstance(value, dict) and not e.payload.get("unticked"):
        return one_line(f"completed {e.step_id}: {answer_text(value, show_value)}")
    return describe_event(e)


def note(e: Event) -> dict[str, Any]:
    return dict(
        seq=e.seq, at=e.at, actor=e.actor, step_id=e.step_id, text=e.payload.get("text", "")
    )


def evidence(e: Event) -> dict[str, Any]:
    p = e.payload
    return dict(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        step_id=e.step_id,
        path=p.get("path", ""),
        sha256=p.get("sha256", ""),
        size=p.get("size", 0),
        description=p.get("description", ""),
    )


def check(e: Event) -> dict[str, Any]:
    p = e.payload
    return dict(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        step_id=e.step_id,
        action=p.get("action", ""),
        ok=bool(p.get("ok")),
        summary=p.get("summary", ""),
        findings=list(p.get("findings") or []),
        inputs=list(p.get("inputs") or []),
    )


def command(e: Event) -> dict[str, Any]:
    p = e.payload
    return dict(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        step_id=e.step_id,
        command=p.get("command", ""),
        exit_code=p.get("exit_code", 0),
        output=p.get("output", ""),
        truncated=bool(p.get("truncated")),
    )


def followup(e: Event) -> dict[str, Any]:
    p = e.payload
    return dict(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        text=p.get("text", ""),
        owner=p.get("owner"),
        due=p.get("due"),
    )
