"""Score a drill against its runbook: milestones against the scenario's targets, the runbook's
deadlines, the steps left aside, and how the team answered each inject.

Pure: a function of the drill's log (and the earlier drills' rows), like the incident report.
Deadlines and open targets are judged at the close, or at the last event while the drill is
open, so the same log always gives the same score (docs/drills.md, "Scoring a drill").
"""

from __future__ import annotations

from datetime import datetime

from irbook.domain import engine
from irbook.domain.deadlines import MET as DEADLINE_MET
from irbook.domain.drills import BANNER, Inject, Scenario, offset_delta, scenario_of
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.events import Kind
from irbook.report import drill_model as dm
from irbook.report.build import (
    applicable_deadlines,
    deadline_fields,
    duration,
    duration_text,
    judged_at,
    metric_name,
    milestone_names,
)
from irbook.report.model import IN_PROGRESS, Duration

_SETTLED = frozenset({Kind.STEP_COMPLETED, Kind.STEP_SKIPPED, Kind.STEP_NOT_APPLICABLE})


def milestone_scores(state: IncidentState, scenario: Scenario | None) -> list[dm.MilestoneScore]:
    targets = dict(scenario.targets) if scenario else {}
    names = milestone_names(state)
    out = []
    for name in names + [t for t in targets if t not in names]:
        milestone = state.milestones.get(name)
        reached = milestone.reached_at if milestone else None
        elapsed = duration(state.opened_at, reached)
        target = _seconds(targets[name]) if name in targets else None
        result: dm.TargetResult | None = None
        if target is not None:
            if elapsed is None:
                result = dm.NOT_REACHED
            else:
                result = dm.MET if elapsed.seconds <= target.seconds else dm.MISSED
        out.append(
            dm.MilestoneScore(
                milestone=name,
                name=metric_name(name),
                reached_at=reached,
                elapsed=elapsed,
                target=target,
                result=result,
                in_runbook=milestone is not None,
            )
        )
    return out


def _seconds(offset: str) -> Duration:
    seconds = round(offset_delta(offset).total_seconds())
    return Duration(seconds=seconds, text=duration_text(seconds))


def deadline_scores(state: IncidentState) -> list[dm.DeadlineScore]:
    return [dm.DeadlineScore(**deadline_fields(d)) for d in applicable_deadlines(state)]


def step_lines(state: IncidentState) -> dict[StepStatus | str, list[dm.StepLine]]:
    """Skipped, not-applicable, waiting and (while open) pending steps, in runbook order."""
    out: dict[StepStatus | str, list[dm.StepLine]] = {
        StepStatus.SKIPPED: [],
        StepStatus.NOT_APPLICABLE: [],
        StepStatus.WAITING: [],
        StepStatus.PENDING: [],
    }
    for phase, step in state.runbook.steps():
        status = engine.status_of(state, step)
        if status not in out:
            continue
        st = state.steps[step.id]
        reason = st.reason
        if status is StepStatus.NOT_APPLICABLE and st.status is StepStatus.PENDING:
            reason = f"its condition is false: {step.when}"
        out[status].append(
            dm.StepLine(
                step=step.id,
                label=step.label,
                phase=phase.id,
                reason=reason,
                actor=st.actor,
                at=st.at,
                waiting_on=st.waiting_on,
                due=st.due,
            )
        )
    return out


def inject_scores(state: IncidentState, scenario: Scenario | None) -> list[dm.InjectScore]:
    if scenario is None:
        return []
    delivered: dict[str, list[tuple[int, datetime, str, str]]] = {}
    for event in state.events_of(Kind.INJECT_DELIVERED):
        key = str(event.payload.get("inject_id", ""))
        delivered.setdefault(key, []).append(
            (event.seq, event.at, event.actor, str(event.payload.get("due_at", "")))
        )
    return [
        _inject_score(state, inject, delivered.get(inject.id, [])) for inject in scenario.injects
    ]


def _inject_score(
    state: IncidentState, inject: Inject, events: list[tuple[int, datetime, str, str]]
) -> dm.InjectScore:
    trigger = f"at {inject.at}" if inject.at is not None else f"after step {inject.after_step}"
    if not events:
        return dm.InjectScore(
            id=inject.id,
            title=inject.title,
            trigger=trigger,
            due_at=None,
            delivered_at=None,
            delivered_by=None,
            deliveries=0,
            response=None,
        )
    seq, at, actor, due = events[0]
    return dm.InjectScore(
        id=inject.id,
        title=inject.title,
        trigger=trigger,
        due_at=datetime.fromisoformat(due) if due else None,
        delivered_at=at,
        delivered_by=actor,
        deliveries=len(events),
        response=_response(state, seq, at),
    )


def _response(state: IncidentState, after_seq: int, delivered: datetime) -> dm.Response | None:
    """The first step the team settled after the inject reached them."""
    for event in state.events:
        if event.seq > after_seq and event.kind in _SETTLED and event.step_id:
            after = duration(delivered, event.at)
            assert after is not None  # both times are set
            return dm.Response(step=event.step_id, at=event.at, after=after)
    return None


def score(milestones: list[dm.MilestoneScore], deadlines: list[dm.DeadlineScore]) -> dm.Score:
    """The formula of ``drill_model.FORMULA``, stated in every report."""
    targets = [m for m in milestones if m.result is not None]
    met = sum(1 for m in targets if m.result == dm.MET)
    met += sum(1 for d in deadlines if d.status == DEADLINE_MET)
    scored = len(targets) + len(deadlines)
    value = round(100 * met / scored) if scored else None
    return dm.Score(value=value, met=met, scored=scored)


def status_of(state: IncidentState) -> str:
    return IN_PROGRESS if state.status == engine.OPEN else state.status


def comparison_row(
    state: IncidentState, names: list[str], *, this: bool = False
) -> dm.ComparisonRow:
    """One drill as a row of the comparison table, timed on ``names`` (this drill's milestones)."""
    scenario = scenario_of(state)
    milestones = milestone_scores(state, scenario)
    elapsed = {m.milestone: m.elapsed for m in milestones}
    return dm.ComparisonRow(
        drill_id=state.incident_id,
        opened_at=state.opened_at,
        scenario=scenario.id if scenario else None,
        status=status_of(state),
        milestones={name: elapsed.get(name) for name in names},
        score=score(milestones, deadline_scores(state)).value,
        this=this,
    )


def score_drill(
    state: IncidentState, earlier: list[dm.ComparisonRow], *, not_shown: int = 0
) -> dm.DrillReport:
    """The drill report of ``state``; ``earlier``: rows of the earlier drills of its runbook
    (``comparison_row`` with this drill's ``milestone_names``), oldest first."""
    scenario = scenario_of(state)
    milestones = milestone_scores(state, scenario)
    deadlines = deadline_scores(state)
    steps = step_lines(state)
    this = comparison_row(state, milestone_names(state), this=True)
    return dm.DrillReport(
        banner=BANNER,
        drill_id=state.incident_id,
        title=state.title,
        status=status_of(state),
        runbook=state.runbook.id,
        runbook_version=state.runbook.version,
        scenario=scenario.id if scenario else None,
        scenario_title=scenario.title if scenario else None,
        started_at=state.opened_at,
        judged_at=judged_at(state),
        milestones=milestones,
        deadlines=deadlines,
        skipped=steps[StepStatus.SKIPPED],
        not_applicable=steps[StepStatus.NOT_APPLICABLE],
        waiting=steps[StepStatus.WAITING],
        open_steps=steps[StepStatus.PENDING],
        injects=inject_scores(state, scenario),
        score=score(milestones, deadlines),
        comparison=[*earlier, this],
        earlier_not_shown=not_shown,
    )
