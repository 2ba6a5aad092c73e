"""The pure engine: folding events, next steps, conditions, needs, milestones, closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from walker_support import mini

from irbook.domain import engine
from irbook.domain.engine import StepStatus
from irbook.domain.events import GENESIS_HASH, Event, Kind

T0 = datetime(2026, 5, 11, 19, 46, tzinfo=UTC)


class Log:
    """Builds an event list by hand (the engine never sees the store)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.opened()

    def add(
        self, kind: Kind, step_id: str | None = None, actor: str = "alice", **payload: Any
    ) -> Log:
        seq = len(self.events) + 1
        self.events.append(
            Event(
                "IR-1",
                seq,
                T0 + timedelta(minutes=seq),
                actor,
                "h",
                str(kind),
                step_id,
                payload,
                GENESIS_HASH,
                f"h{seq}",
            )
        )
        return self

    def opened(self) -> None:
        self.add(
            Kind.INCIDENT_OPENED,
            title="t",
            severity="SEV1",
            tlp="AMBER",
            runbook_id="mini",
            runbook_version="1.0.0",
            runbook_sha256="x",
            runbook_path="p",
            runbook_text="",
        )

    def done(self, step_id: str, value: Any = True, actor: str = "alice") -> Log:
        return self.add(Kind.STEP_COMPLETED, step_id, actor=actor, value=value)

    def skip(self, step_id: str, reason: str = "n/a") -> Log:
        return self.add(Kind.STEP_SKIPPED, step_id, reason=reason)

    def input(self, input_id: str, value: Any) -> Log:
        return self.add(Kind.INPUT_RECORDED, input_id=input_id, value=value)

    def state(self) -> engine.IncidentState:
        return engine.fold("IR-1", mini().runbook, self.events)


def test_fold_records_who_did_what_and_when() -> None:
    state = Log().input("vector", "unknown").done("affected-devices", ["a"], actor="bob").state()
    step = state.steps["affected-devices"]
    assert step.status is StepStatus.DONE
    assert (step.value, step.actor, step.seq) == (["a"], "bob", 3)
    assert step.at == T0 + timedelta(minutes=3)
    assert state.inputs == {"vector": "unknown"}
    assert state.severity == "SEV1"


def test_next_step_follows_runbook_order() -> None:
    state = Log().input("vector", "unknown").state()
    nxt = engine.next_step(state)
    assert nxt is not None and nxt.id == "affected-devices"
    state = Log().input("vector", "unknown").done("affected-devices", ["a"]).state()
    nxt = engine.next_step(state)
    assert nxt is not None and nxt.id == "disconnect"


def test_when_false_makes_a_step_not_applicable() -> None:
    log = Log().input("vector", "stolen-credentials").done("affected-devices").done("disconnect")
    state = log.state()
    step = state.runbook.step("disarm-persistence")
    assert engine.status_of(state, step) is StepStatus.NOT_APPLICABLE
    nxt = engine.next_step(state)
    assert nxt is not None and nxt.id == "tokens"


def test_when_true_keeps_the_branch() -> None:
    state = (
        Log().input("vector", "ci-cd-pipeline").done("affected-devices").done("disconnect").state()
    )
    nxt = engine.next_step(state)
    assert nxt is not None and nxt.id == "disarm-persistence"


def test_needs_hold_a_step_back_until_the_needed_step_is_settled() -> None:
    state = Log().input("vector", "unknown").done("affected-devices").state()
    blocked = state.runbook.step("disarm-persistence")
    assert not engine.needs_met(state, blocked)
    state = Log().input("vector", "unknown").done("affected-devices").done("disconnect").state()
    assert engine.needs_met(state, blocked)


def test_role_filter_walks_own_and_unowned_steps_only() -> None:
    state = Log().input("vector", "unknown").done("affected-devices").state()
    comms = [s.id for s in engine.open_steps(state, role="comms-lead")]
    assert "disconnect" not in comms and "tokens" not in comms
    assert {"disarm-persistence", "list-tokens", "signing-cert"} <= set(comms)


def test_milestone_reached_when_phase_settles_and_lost_when_reopened() -> None:
    log = Log().input("vector", "stolen-credentials").done("affected-devices").done("disconnect")
    state = log.state()
    assert state.milestones["contained"].reached_at == T0 + timedelta(minutes=4)
    assert state.milestones["credentials-rotated"].reached_at is None
    log.add(Kind.STEP_REOPENED, "disconnect", reason="went back")
    state = log.state()
    assert state.milestones["contained"].reached_at is None
    assert state.steps["disconnect"].status is StepStatus.PENDING


def test_close_refused_while_a_critical_step_is_open() -> None:
    decision = engine.close_decision(Log().input("vector", "unknown").state())
    assert not decision.allowed
    assert decision.blocking == ["disconnect"]


@pytest.mark.parametrize(
    ("skip", "outcome"),
    [
        (False, engine.COMPLETED),
        (True, engine.COMPLETED_WITH_EXCEPTIONS),
    ],
)
def test_close_outcome_depends_on_skips(skip: bool, outcome: str) -> None:
    log = Log().input("vector", "stolen-credentials").done("affected-devices").done("disconnect")
    log.done("tokens", ["npm tokens", "CI secrets"]).done("list-tokens")
    log.skip("signing-cert") if skip else log.done("signing-cert")
    decision = engine.close_decision(log.state())
    assert decision.allowed
    assert decision.outcome == outcome
    assert decision.skipped == (["signing-cert"] if skip else [])


def test_progress_counts_settled_steps_and_phase() -> None:
    state = (
        Log()
        .input("vector", "stolen-credentials")
        .done("affected-devices")
        .done("disconnect")
        .state()
    )
    progress = engine.progress(state)
    assert (progress.phase_index, progress.phase_count) == (2, 2)
    assert (progress.settled, progress.total) == (2, 5)  # disarm-persistence is not applicable
