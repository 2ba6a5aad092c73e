"""`drill report` scoring: milestones against targets, deadlines, steps left aside, injects, the
score and its formula, and the comparison with earlier drills (real SQLite, real events)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from drill_support import FIXTURES, T0, Clock, mini, open_drill, scenario

from irbook.domain.events import (
    InputRecorded,
    Kind,
    NewEvent,
    StepCompleted,
    StepNotApplicable,
    StepSkipped,
    StepWaiting,
)
from irbook.errors import ExitCode, UsageError
from irbook.loader.load import load_runbook
from irbook.report.drill_model import FORMULA
from irbook.report.drill_service import build_drill_report, drill_report
from irbook.store import Store, open_store
from irbook.usecases import incidents
from irbook.usecases.drills import deliver_due_injects
from irbook.usecases.incidents import Responder, start_incident

SCORED = FIXTURES / "scored.yaml"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "irbook.db"))


class Drill:
    """A drill of tests/fixtures/drills/scored.yaml, its events written at known minutes."""

    def __init__(self, store: Store, *, start_minutes: int = 0, **fields: Any) -> None:
        self.store, self.clock = store, Clock(T0 + timedelta(minutes=start_minutes))
        self.who = Responder("alice", "laptop-1", clock=self.clock)
        the_scenario = scenario(runbook="scored", **fields)
        self.state = open_drill(store, self.clock, the_scenario, load_runbook(SCORED))

    @property
    def id(self) -> str:
        return self.state.incident_id

    def at(self, minutes: float, kind: Kind, payload: Any, step: str | None = None) -> None:
        self.clock.now = self.state.opened_at + timedelta(minutes=minutes)  # type: ignore[operator]
        incidents.record(self.store, self.state, NewEvent(kind, payload, step_id=step), self.who)

    def inputs(self, **values: Any) -> None:
        for name, value in values.items():
            self.at(0, Kind.INPUT_RECORDED, InputRecorded(input_id=name, value=value))

    def done(self, minutes: float, *steps: str) -> None:
        for step in steps:
            self.at(minutes, Kind.STEP_COMPLETED, StepCompleted(value=True), step)


TARGETS = {"contained": "1h", "credentials-rotated": "1h", "stakeholders-notified": "2h"}


def test_targets_met_missed_and_not_reached_with_deadlines_and_the_score(store: Store) -> None:
    drill = Drill(store, targets=TARGETS)
    drill.inputs(regulations=["nis2", "gdpr"])
    drill.done(30, "disconnect", "block")  # contained at 30m: within 1h
    drill.done(40, "early-warning")  # NIS2 met
    drill.at(45, Kind.STEP_SKIPPED, StepSkipped(reason="no authority contact"), "notify-authority")
    drill.done(90, "rotate-tokens")
    drill.at(
        90, Kind.STEP_NOT_APPLICABLE, StepNotApplicable(reason="no signing"), "revoke-certificate"
    )
    drill.at(95, Kind.STEP_WAITING, StepWaiting(on="legal", due=""), "tell-users")

    report = build_drill_report(store, drill.id)
    milestones = {m.milestone: m for m in report.milestones}
    assert milestones["contained"].elapsed.seconds == 30 * 60  # type: ignore[union-attr]
    assert milestones["contained"].result == "met"
    assert milestones["credentials-rotated"].elapsed.seconds == 90 * 60  # type: ignore[union-attr]
    assert milestones["credentials-rotated"].result == "missed"
    assert milestones["stakeholders-notified"].elapsed is None
    assert milestones["stakeholders-notified"].result == "not reached"
    assert {d.id: d.status for d in report.deadlines} == {"nis2": "met", "gdpr": "skipped"}
    # met: contained + nis2 = 2; scored: 3 targets + 2 deadlines = 5
    assert (report.score.value, report.score.met, report.score.scored) == (40, 2, 5)
    assert report.score.formula == FORMULA
    assert [(s.step, s.reason) for s in report.skipped] == [
        ("notify-authority", "no authority contact")
    ]
    assert [(s.step, s.reason) for s in report.not_applicable] == [
        ("revoke-certificate", "no signing")
    ]
    assert [(s.step, s.waiting_on) for s in report.waiting] == [("tell-users", "legal")]
    assert report.status == "in progress" and report.judged_at == T0 + timedelta(minutes=95)

    text = drill_report(store, drill.id, "md").text
    assert text.startswith("> **DRILL - EXERCISE ONLY - NOT A REAL INCIDENT**")
    assert "**40/100** (2 of 5 met)" in text and "Formula: score = " in text
    assert (
        "| time to rotate credentials | 2026-11-30 10:30:00 UTC | 1h 30m | 1h 00m | missed |"
        in text
    )
    data = json.loads(drill_report(store, drill.id, "json").text)
    assert data["drill"] is True and data["score"]["value"] == 40


def test_a_deadline_counted_from_an_early_detection_is_missed(store: Store) -> None:
    drill = Drill(store)
    drill.inputs(regulations=["nis2"], detected_at=(T0 - timedelta(days=2)).isoformat())
    drill.done(10, "early-warning")
    report = build_drill_report(store, drill.id)
    assert [(d.id, d.status) for d in report.deadlines] == [("nis2", "missed")]
    assert (report.score.value, report.score.met, report.score.scored) == (0, 0, 1)


def test_nothing_to_score_gives_no_score_and_says_so(store: Store) -> None:
    drill = Drill(store)  # no targets, no regulations: no deadline applies
    drill.done(5, "disconnect")
    report = build_drill_report(store, drill.id)
    assert report.score.value is None and report.score.scored == 0
    assert report.deadlines == []
    assert "No score: the scenario sets no targets" in drill_report(store, drill.id, "md").text


def test_injects_with_delivery_time_and_the_teams_next_settled_step(store: Store) -> None:
    injects = [
        {"id": "second-host", "title": "A second host shows the IOC", "at": "10m"},
        {"id": "ca-answers", "title": "The CA answers", "after_step": "rotate-tokens"},
        {"id": "legal", "title": "Legal asks for the draft", "at": "3h"},
    ]
    drill = Drill(store, injects=injects)
    drill.clock.now = T0 + timedelta(minutes=12)
    deliver_due_injects(store, drill.state, drill.who)  # shown at a prompt at 12m
    drill.done(24, "disconnect")  # the team's next settled step: 12 minutes later
    drill.done(30, "rotate-tokens")
    deliver_due_injects(store, drill.state, drill.who)  # at 30m: the CA inject

    report = build_drill_report(store, drill.id)
    host, ca, legal = report.injects
    assert (host.trigger, host.due_at, host.delivered_at) == (
        "at 10m",
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=12),
    )
    assert host.response is not None
    assert (host.response.step, host.response.after.seconds) == ("disconnect", 12 * 60)
    assert (ca.trigger, ca.deliveries, ca.response) == ("after step rotate-tokens", 1, None)
    assert (legal.delivered_at, legal.deliveries) == (None, 0)  # never came due


def test_comparison_with_earlier_drills_of_the_same_runbook(store: Store) -> None:
    first = Drill(store, targets={"contained": "1h"})
    first.done(50, "disconnect", "block")
    second = Drill(store, start_minutes=24 * 60, targets={"contained": "1h"})
    second.done(20, "disconnect", "block")
    open_drill(store, Clock(T0 + timedelta(hours=2)), None)  # a drill of another runbook
    real = start_incident(load_runbook(SCORED), store=store, responder=Responder("a", "h"))

    alone = build_drill_report(store, first.id)
    assert [c.drill_id for c in alone.comparison] == [first.id]
    assert (
        "First drill of this runbook in this database." in drill_report(store, first.id, "md").text
    )

    report = build_drill_report(store, second.id)
    rows = [(c.drill_id, c.this, c.score) for c in report.comparison]
    assert rows == [(first.id, False, 100), (second.id, True, 100)]
    assert real.incident_id not in {c.drill_id for c in report.comparison}
    assert report.comparison[0].milestones["contained"].seconds == 50 * 60  # type: ignore[union-attr]
    assert report.comparison[1].milestones["contained"].seconds == 20 * 60  # type: ignore[union-attr]
    text = drill_report(store, second.id, "md").text
    assert (
        "| drill | date | scenario | contained | credentials-rotated | stakeholders-notified | score |"
        in text
    )
    assert f"| {second.id} (this one) | 2026-12-01 | ci-hijack | 20m 00s | — | — | 100 |" in text


def test_a_real_incident_is_refused(store: Store) -> None:
    real = start_incident(mini(), store=store, responder=Responder("a", "h"))
    with pytest.raises(UsageError) as caught:
        build_drill_report(store, real.incident_id)
    assert caught.value.exit_code == ExitCode.INVALID
    assert "is not a drill" in caught.value.message


def test_an_unknown_format_is_refused(store: Store) -> None:
    drill = Drill(store)
    with pytest.raises(UsageError):
        drill_report(store, drill.id, "html")


def test_a_closed_drill_is_judged_at_its_close_not_at_a_later_follow_up(store: Store) -> None:
    from irbook.usecases.followups import add_followup
    from irbook.usecases.incidents import close_incident

    drill = Drill(store, targets={"stakeholders-notified": "1h"})
    drill.inputs(regulations=["nis2"])
    drill.done(20, "disconnect", "block")
    drill.clock.now = T0 + timedelta(minutes=30)
    close_incident(store, drill.id, responder=drill.who)  # the notify phase never reached
    drill.clock.now = T0 + timedelta(days=3)  # long after the 24h NIS2 clock
    add_followup(store, drill.id, "Rehearse the regulator draft", responder=drill.who)

    report = build_drill_report(store, drill.id)
    assert report.status == "completed with exceptions"
    assert report.judged_at == T0 + timedelta(minutes=30)
    assert [(d.id, d.status) for d in report.deadlines] == [("nis2", "open")]  # not "missed"
    (notified,) = [m for m in report.milestones if m.milestone == "stakeholders-notified"]
    assert notified.result == "not reached"
    assert {s.step for s in report.open_steps} >= {"early-warning", "tell-users"}
