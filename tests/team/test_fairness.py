"""Four responders answering the same steps at the same moment: the races are shared out.

Issue 17: on PostgreSQL one walker won all 40 races. The winner of a race goes straight on to the
next step while the losers catch up with the log, so without something that evens the odds the
fastest walker keeps its head start for ever. Statistical but robust: 40 races, and the test asks
only that no walker wins them all and that at least two walkers win some.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from teamkit import assert_log_intact, big_runbook, run_drivers, write_answers

from irbook.domain.events import Kind
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident

RACES = 40
WALKERS = ("alice", "bob", "carol", "dave")


def test_four_walkers_racing_for_the_same_steps_each_win_some(db_url: str, tmp_path: Path) -> None:
    loaded = load_runbook(big_runbook(tmp_path / "race.yaml", ["responder"], RACES))
    store = open_store(db_url)
    incident = start_incident(loaded, store=store, responder=Responder("lead", "host-lead"))
    steps = {f"responder-{n:04d}": "done" for n in range(RACES)}
    walkers = [(name, write_answers(tmp_path / f"{name}.json", steps), None) for name in WALKERS]

    run_drivers(db_url, incident.incident_id, walkers)

    events = assert_log_intact(store, incident.incident_id)
    completed = [e for e in events if e.kind == Kind.STEP_COMPLETED]
    assert Counter(e.step_id for e in completed) == Counter(list(steps))  # each step exactly once
    wins = Counter(e.actor for e in completed)
    assert max(wins.values()) < RACES, wins  # no walker wins every race
    assert len(wins) >= 2, wins  # and at least two walkers win some
    store.close()
