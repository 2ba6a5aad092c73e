"""A drill's inject is recorded once when several responders' walkers deliver it at the same
moment, on one SQLite file and on PostgreSQL (each thread its own connection)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from irbook.domain.drills import Scenario
from irbook.domain.events import Kind
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.drills import deliver_due_injects
from irbook.usecases.incidents import Responder, load_state, start_incident

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "runner" / "mini.yaml"
WALKERS = 6


def test_racing_walkers_deliver_each_inject_once(db_url: str) -> None:
    scenario = Scenario.model_validate(
        {
            "id": "race",
            "title": "Race",
            "runbook": "mini",
            "injects": [
                {"id": "second-host", "title": "A second host shows the IOC", "at": "0m"},
                {"id": "ca-answers", "title": "The CA answers", "at": "1m"},
            ],
        }
    )
    start = datetime.now(UTC)
    setup = open_store(db_url, create=True)
    try:
        drill = start_incident(
            load_runbook(MINI),
            store=setup,
            responder=Responder("facilitator", "h0", clock=lambda: start),
            drill=True,
            scenario=scenario,
        )
    finally:
        setup.close()
    later = start + timedelta(minutes=2)
    recorded: list[str] = []
    barrier = threading.Barrier(WALKERS)

    def walker(n: int) -> None:
        store = open_store(db_url)
        try:
            state = load_state(store, drill.incident_id)
            barrier.wait()
            who = Responder(f"r{n}", f"h{n}", clock=lambda: later)
            recorded.extend(d.inject.id for d in deliver_due_injects(store, state, who))
        finally:
            store.close()

    threads = [threading.Thread(target=walker, args=(n,)) for n in range(WALKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(recorded) == ["ca-answers", "second-host"]
    check = open_store(db_url)
    try:
        events = check.events(drill.incident_id)
    finally:
        check.close()
    ids = [e.payload["inject_id"] for e in events if e.kind == Kind.INJECT_DELIVERED]
    assert sorted(ids) == ["ca-answers", "second-host"]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))  # gapless


def test_drill_report_with_its_comparison_on_both_databases(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`drill report` reads through the stdlib path on SQLite and the ORM store on PostgreSQL:
    the same scores and the same comparison table."""
    import json

    from irbook.cli import run
    from irbook.domain.events import NewEvent, StepCompleted
    from irbook.usecases.incidents import record

    scenario = Scenario.model_validate(
        {"id": "s", "title": "S", "runbook": "mini", "targets": {"contained": "30m"}}
    )
    store = open_store(db_url, create=True)
    ids = []
    try:
        for day, minutes in ((0, 40), (1, 10)):
            t0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC) + timedelta(days=day)
            now = [t0]
            who = Responder("alice", "h", clock=lambda now=now: now[0])
            state = start_incident(
                load_runbook(MINI), store=store, responder=who, drill=True, scenario=scenario
            )
            record(store, state, NewEvent(Kind.INPUT_RECORDED, _input("vector", "unknown")), who)
            now[0] = t0 + timedelta(minutes=minutes)
            for step in ("affected-devices", "disconnect", "disarm-persistence"):
                done = NewEvent(Kind.STEP_COMPLETED, StepCompleted(value=True), step_id=step)
                record(store, state, done, who)
            ids.append(state.incident_id)
    finally:
        store.close()
    assert run(["drill", "report", ids[1], "--json", "--db", db_url]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(c["drill_id"], c["score"]) for c in report["comparison"]] == [
        (ids[0], 0),
        (ids[1], 100),
    ]
    assert report["comparison"][0]["milestones"]["contained"]["seconds"] == 40 * 60


def _input(name: str, value: str) -> Any:
    from irbook.domain.events import InputRecorded

    return InputRecorded(input_id=name, value=value)
