"""The walker's side of corrections: "Change an input" with a re-run of the checks that read it,
and a failed check run again or overridden with a reason (the real walker, a scripted prompter,
a real SQLite file, the real lockfile audit on the case fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from walker_support import CASE, FIXTURES, RecordingDisplay, responder

from irbook.domain.events import Kind
from irbook.loader.load import load_runbook
from irbook.prompts import ScriptedPrompter
from irbook.runner import TerminalSource, Walker, WalkOptions
from irbook.runner.values import ValueContext
from irbook.store import Store, open_store
from irbook.usecases.incidents import load_state, start_incident

CHECKS = FIXTURES / "checks.yaml"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    shutil.copytree(CASE, tmp_path / "case")
    return tmp_path / "case"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "irbook.db"))


def walk(store: Store, incident: str, cwd: Path, script: list[object]) -> RecordingDisplay:
    display = RecordingDisplay()
    Walker(
        store=store,
        responder=responder(),
        display=display,
        source=TerminalSource(ScriptedPrompter(script), ValueContext(cwd=cwd)),
        options=WalkOptions(cwd=cwd),
    ).run(incident)
    return display


def test_change_an_input_reruns_the_settled_check_that_read_it(store: Store, case: Path) -> None:
    incident = start_incident(load_runbook(CHECKS), store=store, responder=responder()).incident_id
    walk(
        store,
        incident,
        case,
        [
            "logs",  # repo_paths: mistyped (a folder without lockfiles)
            "advisories",
            "done",  # lockfile-audit: runs, finds nothing in logs/
            "input",  # at the next step: change an input
            "repo_paths",
            "app",
            True,  # run the checks that read it again
            "done",  # lockfile-audit again, now on app/
            "done",  # rebuild
            True,  # close
        ],
    )
    events = store.events(incident)
    (fix,) = [e for e in events if e.kind == Kind.INPUT_CORRECTED]
    assert (fix.payload["value"], fix.payload["previous"]) == (["app"], ["logs"])
    reopened = [e.step_id for e in events if e.kind == Kind.STEP_REOPENED]
    assert reopened == ["lockfile-audit"]
    first, again = [e.payload for e in events if e.kind == Kind.CHECK_RAN]
    assert first["findings"] == [] and again["findings"]
    assert load_state(store, incident).status == "completed"


def test_failed_check_run_again_then_overridden_with_a_reason(store: Store, case: Path) -> None:
    incident = start_incident(load_runbook(CHECKS), store=store, responder=responder()).incident_id
    walk(store, incident, case, ["app", "advisories", "pause"])
    (case / "app").rename(case / "app-moved")  # the path is gone when the check runs
    display = walk(
        store,
        incident,
        case,
        [
            "done",  # the check fails: "not found"; the step stays open
            "done",  # "Run the check again": fails again
            "override",
            "audited by hand: the repository moved",
            "done",  # rebuild
            True,  # close
        ],
    )
    problems = [line for line in display.lines if line.startswith("problem:")]
    assert len(problems) == 2 and all("not found" in p for p in problems)
    events = store.events(incident)
    assert [bool(e.payload.get("failed")) for e in events if e.kind == Kind.CHECK_RAN] == [
        True,
        True,
    ]
    state = load_state(store, incident)
    assert str(state.steps["lockfile-audit"].status) == "done with exceptions"
    assert state.steps["lockfile-audit"].reason == "audited by hand: the repository moved"
    assert state.status == "completed with exceptions"


def test_override_is_offered_only_after_a_failed_check(store: Store, case: Path) -> None:
    incident = start_incident(load_runbook(CHECKS), store=store, responder=responder()).incident_id
    with pytest.raises(ValueError, match="'override' is not one of"):
        walk(store, incident, case, ["app", "advisories", "override"])
