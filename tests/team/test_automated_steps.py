"""Automated steps (check, notify) are settled exactly once, however many responders walk them.

Three responders walk one new incident of the shipped runbook at the same moment, each with the
complete answers file (inputs included), as three people running `irbook resume --answers FILE` would. Every check
and notify step must end with one result event (check_ran / notification_rendered), one
step_completed and, for notify steps, one .eml on disk: the one its event names, byte for byte.
Real processes, on one SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from teamkit import assert_log_intact, run_drivers

from irbook.domain.events import Kind
from irbook.domain.models import CheckStep, NotifyStep
from irbook.loader import catalog
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident

CASE = Path(__file__).resolve().parent.parent / "fixtures" / "runner" / "case"
ANSWERS = CASE / "answers.yaml"
WALKERS = ("alice", "bob", "carol")


@pytest.mark.parametrize("trial", range(2))
def test_three_walkers_settle_each_check_and_notify_step_once(
    db_url: str, tmp_path: Path, trial: int
) -> None:
    store = open_store(db_url)
    loaded = catalog.load("supply-chain-compromise")
    state = start_incident(loaded, store=store, responder=Responder("lead", "host-lead"))
    out = tmp_path / "out"

    reports = run_drivers(
        db_url,
        state.incident_id,
        [(name, ANSWERS, None) for name in WALKERS],
        cwd=CASE,
        env={"IRBOOK_OUTPUT_DIR": str(out)},
    )

    assert {r["outcome"] for r in reports} == {"settled"}, reports
    events = assert_log_intact(store, state.incident_id)
    inputs = Counter(e.payload["input_id"] for e in events if e.kind == Kind.INPUT_RECORDED)
    assert set(inputs.values()) == {1}, inputs
    settled = Counter(e.step_id for e in events if e.kind in ("step_completed", "step_skipped"))
    assert set(settled.values()) == {1}, [s for s, n in settled.items() if n > 1]
    done = {e.step_id for e in events if e.kind == Kind.STEP_COMPLETED}
    steps = [s for _, s in loaded.runbook.steps() if s.id in done]  # applicable and done
    checks = {s.id for s in steps if isinstance(s, CheckStep)}
    notifies = {s.id for s in steps if isinstance(s, NotifyStep)}
    assert len(checks) == 2 and len(notifies) >= 4
    assert Counter(e.step_id for e in events if e.kind == Kind.CHECK_RAN) == Counter(checks)
    rendered = [e for e in events if e.kind == Kind.NOTIFICATION_RENDERED]
    assert Counter(e.step_id for e in rendered) == Counter(notifies)
    # one .eml per notify step: the file its event names, with the hash its event records
    emls = sorted((out / state.incident_id).glob("*.eml"))
    assert sorted(Path(e.payload["path"]) for e in rendered) == emls
    for event in rendered:
        data = Path(event.payload["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == event.payload["sha256"]
    # no half-written drafts left behind by the responders who lost the race
    assert sorted(p.name for p in (out / state.incident_id).iterdir()) == [p.name for p in emls]
    store.close()
