"""A drill's inject is recorded once when several responders' walkers deliver it at the same
moment, on one SQLite file and on PostgreSQL (each thread its own connection)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
