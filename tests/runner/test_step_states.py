"""Checklists done only when every item is ticked, "done with exceptions" with a reason, and
"not applicable" as its own state: at every entry point (terminal walker, answers file, a Python
DecisionSource), and as status, report and close show them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from walker_support import FIXTURES, RecordingDisplay, responder

from irbook.cli import run
from irbook.domain import engine
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.events import Kind
from irbook.domain.models import CommandStep, RunbookInput, Step
from irbook.errors import InvalidInputError, UsageError
from irbook.loader.load import load_runbook
from irbook.prompts import ScriptedPrompter
from irbook.report import build_report, export_report
from irbook.runner import TerminalSource, Walker, WalkOptions, load_answers
from irbook.runner.decisions import Complete, Decision, NotApplicable
from irbook.store import Store, open_store
from irbook.usecases.incidents import load_state, start_incident
from irbook.usecases.status import status_view

STATES = FIXTURES / "states.yaml"
ITEMS = ["Registry tokens", "CI secrets", "Cloud keys"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "irbook.db"))


def new_incident(store: Store) -> str:
    return start_incident(load_runbook(STATES), store=store, responder=responder()).incident_id


def walk(store: Store, incident: str, script: list[object]) -> RecordingDisplay:
    display = RecordingDisplay()
    Walker(
        store=store,
        responder=responder(),
        display=display,
        source=TerminalSource(ScriptedPrompter(script)),
        options=WalkOptions(),
    ).run(incident)
    return display


def settled(store: Store, incident: str) -> list[tuple[str, str | None]]:
    wanted = (Kind.STEP_COMPLETED, Kind.STEP_SKIPPED, Kind.STEP_NOT_APPLICABLE)
    return [(e.kind, e.step_id) for e in store.events(incident) if e.kind in wanted]


# --- checklists --------------------------------------------------------------------------------


def test_terminal_checklist_with_an_item_unticked_stays_open_by_default(store: Store) -> None:
    incident = new_incident(store)
    # tick 1 of 3, take the default "leave it open": nothing recorded, the step is shown again
    display = walk(store, incident, ["done", ["Registry tokens"], "open", "pause"])
    assert settled(store, incident) == []
    assert display.steps == ["inventory", "inventory"]
    assert load_state(store, incident).steps["inventory"].status is StepStatus.PENDING


def test_terminal_checklist_with_none_ticked_is_not_done(store: Store) -> None:
    incident = new_incident(store)
    walk(store, incident, ["done", [], "open", "pause"])
    assert settled(store, incident) == []


def test_terminal_checklist_done_with_exceptions_names_the_unticked_items(store: Store) -> None:
    incident = new_incident(store)
    script = ["done", ["CI secrets"], "exceptions", "no cloud account; registry has no tokens"]
    walk(store, incident, [*script, "pause"])
    state = load_state(store, incident)
    step = state.steps["inventory"]
    assert step.status is StepStatus.DONE_WITH_EXCEPTIONS
    assert step.unticked == ["Registry tokens", "Cloud keys"]
    assert step.reason == "no cloud account; registry has no tokens"
    event = next(e for e in store.events(incident) if e.kind == Kind.STEP_COMPLETED)
    assert event.payload["unticked"] == ["Registry tokens", "Cloud keys"]
    # status, report and close all say so
    view = status_view(state, now=state.events[-1].at)
    shown = view["phases"][0]["steps"][0]
    assert (shown["status"], shown["unticked"]) == ("done with exceptions", step.unticked)
    assert view["progress"]["with_exceptions"] == 1
    report = build_report(state)
    assert report.decisions[0].status == "done with exceptions"
    assert report.decisions[0].unticked == ["Registry tokens", "Cloud keys"]
    assert report.phases[0].steps[0].status == "done with exceptions"
    md = export_report(state, "md")
    assert "not ticked: Registry tokens; Cloud keys" in md


def test_terminal_checklist_all_ticked_is_done(store: Store) -> None:
    incident = new_incident(store)
    walk(store, incident, ["done", ITEMS, "pause"])
    assert load_state(store, incident).steps["inventory"].status is StepStatus.DONE


class Fixed:
    """A Python caller's DecisionSource: the API entry point, without any prompt."""

    def __init__(self, decisions: dict[str, Decision]) -> None:
        self.decisions = decisions

    def input_value(self, spec: RunbookInput) -> Any:
        raise AssertionError("no inputs")

    def decide(self, step: Step, state: IncidentState) -> Decision:
        return self.decisions[step.id]

    def confirm_command(self, step: CommandStep) -> bool:
        return False

    def close_at_end(self) -> bool:
        return False


def api_walk(store: Store, incident: str, decisions: dict[str, Decision]) -> None:
    Walker(
        store=store,
        responder=responder(),
        display=RecordingDisplay(),
        source=Fixed(decisions),
        options=WalkOptions(interactive=False),
    ).run(incident)


def test_api_checklist_subset_without_reason_is_refused(store: Store) -> None:
    incident = new_incident(store)
    with pytest.raises(UsageError, match=r"2 of 3 items not ticked .*the step stays open"):
        api_walk(store, incident, {"inventory": Complete(["CI secrets"])})
    assert settled(store, incident) == []


def test_api_checklist_subset_with_reason_is_done_with_exceptions(store: Store) -> None:
    incident = new_incident(store)
    with pytest.raises(KeyError):  # the source has no answer for the next step
        api_walk(store, incident, {"inventory": Complete(["CI secrets"], reason="no cloud")})
    assert load_state(store, incident).steps["inventory"].status is (
        StepStatus.DONE_WITH_EXCEPTIONS
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_answers_file_partial_checklist_is_refused_with_its_position(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", "steps:\n  inventory: [CI secrets]\n")
    with pytest.raises(InvalidInputError) as caught:
        load_answers(answers, load_runbook(STATES).runbook)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 14)
    assert "2 of 3 items not ticked (Registry tokens; Cloud keys)" in problem.message


def test_answers_file_checklist_with_reason_is_done_with_exceptions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    answers = write(
        tmp_path / "a.yaml",
        "steps:\n  inventory: {ticked: [CI secrets], reason: no cloud account}\n"
        "  rotate-k8s: {not_applicable: no Kubernetes anywhere}\n"
        "  tell-legal: done\n  post-mortem: {skip: later}\n",
    )
    assert run(["start", str(STATES), "--answers", str(answers), "--db", db]) == 0
    capsys.readouterr()
    assert run(["list", "--json", "--db", db]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert run(["close", row["id"], "--db", db]) == 0
    out = capsys.readouterr().out
    # the close status names the exceptions and what did not apply
    assert "completed with exceptions" in out
    assert "skipped: post-mortem" in out
    assert "done with exceptions: inventory" in out
    assert "not applicable: rotate-k8s" in out
    assert run(["status", row["id"], "--db", db]) == 0
    out = capsys.readouterr().out
    assert "not ticked: Registry tokens; Cloud keys: no cloud account" in out
    assert "(no Kubernetes anywhere)" in out


# --- not applicable ----------------------------------------------------------------------------


def test_terminal_critical_step_marked_not_applicable_with_reason(store: Store) -> None:
    incident = new_incident(store)
    script = ["done", ITEMS, "n/a", "no Kubernetes in this company", "done", "done", True]
    walk(store, incident, script)
    state = load_state(store, incident)
    k8s = state.steps["rotate-k8s"]
    assert (k8s.status, k8s.reason) == (StepStatus.NOT_APPLICABLE, "no Kubernetes in this company")
    assert not state.is_done("rotate-k8s")  # never "done"
    # not an exception: the incident closed "completed"
    assert state.status == engine.COMPLETED
    closed = state.events_of(Kind.INCIDENT_CLOSED)[0].payload
    assert closed["not_applicable"] == ["rotate-k8s"]
    # counted apart: 3 settled of 3 applicable, 1 not applicable
    progress = engine.progress(state)
    assert (progress.settled, progress.total, progress.not_applicable) == (3, 3, 1)
    report = build_report(state)
    assert [(d.step_id, d.reason) for d in report.decisions] == [
        ("rotate-k8s", "no Kubernetes in this company")
    ]
    assert "3 of 3 applicable steps settled" in report.summary
    assert "1 decided not applicable" in report.summary
    html = export_report(state, "html")
    assert "no Kubernetes in this company" in html


def test_terminal_menu_offers_not_applicable_only_where_allowed(store: Store) -> None:
    incident = new_incident(store)
    prompter = ScriptedPrompter(["n/a"])
    with pytest.raises(ValueError, match="is not one of"):  # inventory: not_applicable: false
        Walker(
            store=store,
            responder=responder(),
            display=RecordingDisplay(),
            source=TerminalSource(prompter),
            options=WalkOptions(),
        ).run(incident)
    assert settled(store, incident) == []


def test_api_not_applicable_refused_where_the_runbook_forbids_it(store: Store) -> None:
    incident = new_incident(store)
    with pytest.raises(UsageError, match="always applies"):
        api_walk(store, incident, {"inventory": NotApplicable("we have no credentials")})
    with pytest.raises(UsageError, match="needs a reason"):
        api_walk(store, incident, {"inventory": Complete(True), "rotate-k8s": NotApplicable(" ")})
    assert settled(store, incident) == [(Kind.STEP_COMPLETED, "inventory")]


def test_answers_file_not_applicable_refused_where_forbidden_or_without_reason(
    tmp_path: Path,
) -> None:
    answers = write(
        tmp_path / "a.yaml",
        "steps:\n  inventory: {not_applicable: none here}\n  rotate-k8s: {not_applicable: ''}\n",
    )
    with pytest.raises(InvalidInputError) as caught:
        load_answers(answers, load_runbook(STATES).runbook)
    messages = [(p.line, p.message) for p in caught.value.problems]
    assert messages == [
        (2, "step 'inventory': always applies: the runbook does not allow `not_applicable` here"),
        (3, 'step \'rotate-k8s\': "not applicable" needs a reason: {not_applicable: "why"}'),
    ]


# --- a role walk with nothing left now ---------------------------------------------------------


def test_role_walk_with_nothing_left_now_says_who_it_waits_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 11, finding 10: it printed "All steps ... are settled" while tell-legal waited on
    the ops lead's rotate-k8s."""
    db = str(tmp_path / "irbook.db")
    start = write(tmp_path / "start.yaml", "steps: {inventory: done}\n")
    assert run(["start", str(STATES), "--answers", str(start), "--db", db]) == 1
    capsys.readouterr()
    assert run(["list", "--json", "--db", db]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert run(["assign", row["id"], "ops-lead", "bob", "--db", db]) == 0
    comms = write(tmp_path / "comms.yaml", "steps: {post-mortem: done}\n")
    argv = ["resume", row["id"], "--role", "comms-lead", "--answers", str(comms), "--db", db]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert "are settled" not in out
    assert "Nothing left for you" in out
    assert "tell-legal needs rotate-k8s (ops-lead: bob)" in out


def test_progress_is_settled_of_applicable_everywhere(store: Store) -> None:
    """Issue 11, finding 10: the walker, status, report and the notices' facts counted steps
    four ways (0/46, 42 of 46, 45 of 54). One definition now: settled of applicable."""
    from irbook.domain.facts import build_facts

    incident = new_incident(store)
    walk(store, incident, ["done", ITEMS, "n/a", "no Kubernetes", "skip", "later", "pause"])
    state = load_state(store, incident)
    progress = engine.progress(state)
    assert (progress.settled, progress.total) == (
        2,
        3,
    )  # inventory, tell-legal (skipped) of 3 applicable
    assert status_view(state, now=state.events[-1].at)["progress"]["settled"] == 2
    assert status_view(state, now=state.events[-1].at)["progress"]["total"] == 3
    facts = build_facts(state)
    assert (facts.steps_settled, facts.steps_total) == (2, 3)
    assert "2 of 3 applicable steps settled" in build_report(state).summary


def test_watch_shows_not_applicable_apart_with_its_reason(store: Store) -> None:
    from irbook.usecases.team import watch_frame

    incident = new_incident(store)
    walk(store, incident, ["done", ITEMS, "n/a", "no Kubernetes here", "pause"])
    frame = watch_frame(load_state(store, incident))
    isolate = frame.phases[0]
    assert (isolate.settled, isolate.applicable, isolate.not_applicable) == (1, 1, 1)
    assert frame.latest[0].text == "marked isolate/rotate-k8s not applicable: no Kubernetes here"
