"""Several responders appending to one incident at the same moment, from separate processes.

Each responder is a real process (tests/team/driver.py) walking the incident through the runner,
exactly as `irbook resume --as NAME --role ROLE --answers FILE` would, released together so their
appends really interleave. The same tests run on one SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest
from teamkit import (
    DRILL,
    assert_log_intact,
    big_runbook,
    run_drivers,
    write_answers,
)

from irbook.domain.events import Kind
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident

ROLES = ["incident-commander", "ops-lead", "security-engineer", "comms-lead"]
APPENDS_EACH = 250


@pytest.mark.parametrize("mode", ["record", "walk"])
def test_four_responders_250_answers_each_nothing_lost_or_doubled(
    db_url: str, mode: str, tmp_path: Path
) -> None:
    """``record``: the store's expected-seq append (record_anyway); ``walk``: the real runner,
    each process walking its own role's steps (`resume --role`)."""
    loaded = load_runbook(big_runbook(tmp_path / "load.yaml", ROLES, APPENDS_EACH))
    store = open_store(db_url)
    incident = start_incident(loaded, store=store, responder=Responder("lead", "host-lead"))
    walkers = []
    for role in ROLES:
        # Each answer carries who gave it, so a misattributed event would show.
        steps = {f"{role}-{n:04d}": "done" for n in range(APPENDS_EACH)}
        walkers.append((f"{role}-person", write_answers(tmp_path / f"{role}.json", steps), role))

    reports = run_drivers(db_url, incident.incident_id, walkers, mode=mode)

    assert {r["outcome"] for r in reports} == {"recorded" if mode == "record" else "settled"}
    events = assert_log_intact(store, incident.incident_id)
    assert len(events) == 1 + len(ROLES) * APPENDS_EACH
    completed = [e for e in events if e.kind == Kind.STEP_COMPLETED]
    per_step = Counter(e.step_id for e in completed)
    assert len(per_step) == len(ROLES) * APPENDS_EACH
    assert set(per_step.values()) == {1}
    for event in completed:
        assert event.step_id is not None
        role = event.step_id.rsplit("-", 1)[0]
        assert event.actor == f"{role}-person"
    # The processes really overlapped: the log interleaves different responders.
    actors = [e.actor for e in completed]
    switches = sum(1 for a, b in itertools.pairwise(actors) if a != b)
    assert switches > len(ROLES)
    store.close()


def test_two_responders_walking_the_same_steps_each_step_settled_once(
    db_url: str, tmp_path: Path
) -> None:
    """Two processes answer every step of the drill at once: each step is recorded exactly once,
    and what each was told about the other is true. (Who is told what depends on timing; the
    deterministic version is tests/team/test_same_step.py.)"""
    store = open_store(db_url)
    incident = start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    steps = {s.id: "done" for _, s in incident.runbook.steps()}
    steps["affected-devices"] = ["laptop-17"]
    walkers = [
        (actor, write_answers(tmp_path / f"{actor}.json", steps), None)
        for actor in ("alice", "bob")
    ]

    reports = run_drivers(db_url, incident.incident_id, walkers)

    events = assert_log_intact(store, incident.incident_id)
    settled = Counter(e.step_id for e in events if e.kind == Kind.STEP_COMPLETED)
    assert settled == Counter(steps.keys())  # every step exactly once
    # What each was told about the other is true: the other really completed that step.
    done_by = {e.step_id: e.actor for e in events if e.kind == Kind.STEP_COMPLETED}
    for report in reports:
        for notice in report["notices"]:
            actor, _, text = notice.partition(" (")
            if "): completed " in notice:
                where = text.split("): completed ")[1].split(":")[0]
                assert done_by[where.split("/")[1]] == actor != report["actor"]
    store.close()
