"""The real walker, driven by a ScriptedPrompter against a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from walker_support import RecordingDisplay, mini, responder

from irbook.domain import engine
from irbook.domain.engine import StepStatus
from irbook.domain.events import Kind
from irbook.errors import Interrupted
from irbook.loader.load import load_runbook
from irbook.prompts import ScriptedPrompter
from irbook.runner import TerminalSource, Walker, WalkOptions
from irbook.store import Store, open_store
from irbook.usecases.incidents import load_state, start_incident

INPUTS = ["ci-cd-pipeline", "Acme"]  # vector, organisation


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "irbook.db"))


def walk(
    store: Store,
    incident_id: str,
    script: list[object],
    *,
    name: str = "alice",
    role: str | None = None,
    resumed: bool = False,
) -> tuple[Walker, RecordingDisplay]:
    display = RecordingDisplay()
    walker = Walker(
        store=store,
        responder=responder(name),
        display=display,
        source=TerminalSource(ScriptedPrompter(script)),
        options=WalkOptions(role=role, resume_command=f"irbook resume {incident_id}"),
    )
    walker.run(incident_id, resumed=resumed)
    return walker, display


def new_incident(store: Store) -> str:
    return start_incident(mini(), store=store, responder=responder()).incident_id


def kinds(store: Store, incident_id: str) -> list[str]:
    return [e.kind for e in store.events(incident_id)]


def test_full_walk_records_every_answer_and_closes(store: Store) -> None:
    incident = new_incident(store)
    script = [
        *INPUTS,
        "done",
        "laptop-17, ci-4",  # affected-devices (input: list)
        "done",  # disconnect
        "done",  # disarm-persistence
        "done",
        ["npm tokens", "CI secrets"],  # tokens (checklist)
        "done",
        "manual",  # list-tokens (command, marked done)
        "skip",
        "no code signing here",  # signing-cert
        True,
    ]  # close at the end
    _, display = walk(store, incident, script)
    state = load_state(store, incident)
    assert state.status == engine.COMPLETED_WITH_EXCEPTIONS
    assert state.steps["affected-devices"].value == ["laptop-17", "ci-4"]
    assert state.steps["signing-cert"].reason == "no code signing here"
    assert state.inputs == {"vector": "ci-cd-pipeline", "organisation": "Acme"}
    assert store.incident(incident).status == engine.COMPLETED_WITH_EXCEPTIONS
    assert "phase 1/2 isolate" in display.lines and "phase 2/2 rotate" in display.lines


def test_critical_step_offers_no_skip(store: Store) -> None:
    incident = new_incident(store)
    prompter = ScriptedPrompter([*INPUTS, "done", "a", "skip"])
    walker = Walker(
        store=store,
        responder=responder(),
        display=RecordingDisplay(),
        source=TerminalSource(prompter),
        options=WalkOptions(),
    )
    with pytest.raises(ValueError, match="not one of"):  # "skip" is not among the choices
        walker.run(incident)
    assert load_state(store, incident).steps["disconnect"].status is StepStatus.PENDING


# One unit per question the walker records: two inputs, then the steps in order.
UNITS: list[list[object]] = [
    ["ci-cd-pipeline"],
    ["Acme"],
    ["done", "a b"],
    ["done"],
    ["done"],
    ["done", ["npm tokens", "CI secrets"]],
    ["done", "manual"],
    ["done"],
]
RESPONSES = [r for unit in UNITS for r in unit]


@pytest.mark.parametrize("stop_at", range(len(RESPONSES)))
def test_ctrl_c_keeps_everything_answered_and_resume_continues(store: Store, stop_at: int) -> None:
    incident = new_incident(store)
    with pytest.raises(Interrupted) as caught:
        walk(store, incident, [*RESPONSES[:stop_at], KeyboardInterrupt])
    assert caught.value.exit_code == 130
    assert f"irbook resume {incident}" in (caught.value.hint or "")
    # every unit fully answered before Ctrl-C is recorded; a half-answered one is asked again
    consumed, whole_units = 0, 0
    for unit in UNITS:
        if consumed + len(unit) > stop_at:
            break
        consumed += len(unit)
        whole_units += 1
    recorded = load_state(store, incident)
    assert (
        len(recorded.inputs) + sum(s.status is StepStatus.DONE for s in recorded.steps.values())
        == whole_units
    )
    rest = [r for unit in UNITS[whole_units:] for r in unit]
    _, display = walk(store, incident, [*rest, False], resumed=True)
    state = load_state(store, incident)
    assert engine.close_decision(state).allowed
    assert [e.step_id for e in store.events(incident) if e.kind == Kind.STEP_COMPLETED] == [
        "affected-devices",
        "disconnect",
        "disarm-persistence",
        "tokens",
        "list-tokens",
        "signing-cert",
    ]
    assert display.lines[0] == f"resumed {incident}"  # even with nothing answered before


def test_note_evidence_and_go_back(store: Store, tmp_path: Path) -> None:
    incident = new_incident(store)
    evidence = tmp_path / "proxy.log"
    evidence.write_text("CONNECT filev2.getsession.org:443\n")
    script = [
        *INPUTS,
        "note",
        "seen on ci-4 first",
        "attach",
        str(evidence),
        "proxy log",
        "done",
        "ci-4",
        "back",
        "affected-devices",
        "done",
        "ci-4 laptop-17",
        "pause",
    ]
    walk(store, incident, script)
    state = load_state(store, incident)
    assert state.steps["affected-devices"].value == ["ci-4", "laptop-17"]
    evidence_events = state.events_of(Kind.EVIDENCE_ATTACHED)
    assert evidence_events[0].payload["size"] == evidence.stat().st_size
    assert len(evidence_events[0].payload["sha256"]) == 64
    assert state.events_of(Kind.NOTE_ADDED)[0].payload["text"] == "seen on ci-4 first"
    assert Kind.STEP_REOPENED in kinds(store, incident)


def test_secrets_in_answers_are_redacted_before_storage(store: Store) -> None:
    incident = new_incident(store)
    token = "ghp_" + "A1b2" * 9
    walk(store, incident, [*INPUTS, "note", f"found {token} in .npmrc", "pause"])
    raw = store.engine.raw_connection()
    try:
        dump = "\n".join(str(row) for row in raw.execute("select payload from event"))
    finally:
        raw.close()
    assert token not in dump
    assert "[REDACTED token-prefix-github]" in dump


def test_secret_in_an_attach_description_is_redacted_and_the_responder_told(
    store: Store, tmp_path: Path
) -> None:
    incident = new_incident(store)
    evidence = tmp_path / "npmrc.txt"
    evidence.write_text("evidence")
    secret = "Tr0ub4dor&3"
    _, display = walk(
        store,
        incident,
        [*INPUTS, "attach", str(evidence), f"old .npmrc, password={secret}", "pause"],
    )
    (event,) = [e for e in store.events(incident) if e.kind == Kind.EVIDENCE_ATTACHED]
    assert event.payload["description"] == "old .npmrc, password=[REDACTED keyword-value]"
    assert event.payload["redacted"] == ["keyword-value"]
    assert any("redacted before storing: keyword-value" in line for line in display.lines)


def test_role_walk_asks_only_that_roles_steps(store: Store) -> None:
    incident = new_incident(store)
    _, display = walk(store, incident, [*INPUTS, "done", "a", "pause"], role="comms-lead")
    # disconnect and tokens belong to ops-lead; disarm-persistence waits for disconnect (needs)
    assert display.steps == ["affected-devices", "list-tokens"]


def test_two_responders_on_one_step_one_wins_the_other_is_told(store: Store) -> None:
    incident = new_incident(store)
    walk(store, incident, [*INPUTS, "pause"])
    other = open_store(store.url)  # a second connection, as from another process or machine

    class BobFirst(ScriptedPrompter):
        """Alice picks "done"; while she does, Bob settles the same step from his machine."""

        def select(self, message, choices, *, default=None):  # type: ignore[no-untyped-def]
            answer = super().select(message, choices, default=default)
            if not self.raced:
                self.raced = True
                bob_state = load_state(other, incident)
                from irbook.domain.events import NewEvent, StepCompleted
                from irbook.usecases.incidents import record

                record(
                    other,
                    bob_state,
                    NewEvent(
                        Kind.STEP_COMPLETED, StepCompleted(value=["x"]), step_id="affected-devices"
                    ),
                    responder("bob", "bob-mac"),
                )
            return answer

    prompter = BobFirst(["done", "alice-answer", "pause"])
    prompter.raced = False  # type: ignore[attr-defined]
    display = RecordingDisplay()
    Walker(
        store=store,
        responder=responder("alice"),
        display=display,
        source=TerminalSource(prompter),
        options=WalkOptions(),
    ).run(incident)
    completed = [e for e in store.events(incident) if e.kind == Kind.STEP_COMPLETED]
    assert [(e.step_id, e.actor, e.payload["value"]) for e in completed] == [
        ("affected-devices", "bob", ["x"])
    ]
    assert any(
        line.startswith("notice: bob (") and "completed isolate/affected-devices: x" in line
        for line in display.lines
    )
    assert any("not recorded" in line for line in display.lines)
    # the walker moved on to the next step without asking affected-devices again
    assert display.steps == ["affected-devices", "disconnect"]


ONE_COMMAND = """\
apiVersion: irbook/v1
id: one-command
version: 1.0.0
title: One command
phases:
  - id: rotate
    title: Rotate
    steps:
      - id: revoke
        type: command
        text: Revoke the stolen token.
        run: echo revoked >> runs.txt
"""


class _OtherResponderFirst(ScriptedPrompter):
    """Answers "run it" like the script, but while the "Run it?" question is open, ``meanwhile``
    (another responder's whole walk) happens: the responder pauses at the question."""

    def __init__(self, responses: list[object], meanwhile: Callable[[], None]) -> None:
        super().__init__(responses)
        self.meanwhile = meanwhile

    def confirm(self, message: str, *, default: bool = False) -> bool:
        if message.startswith("Run `"):
            self.meanwhile()
        return super().confirm(message, default=default)


@pytest.mark.parametrize("bob_exit", [0, 1])
def test_a_command_another_responder_ran_meanwhile_is_not_run_again(
    tmp_path: Path, bob_exit: int
) -> None:
    """Two responders at the same command step: Alice's "Run it?" stays open while Bob runs it.
    Her yes must not run it a second time (a second revocation nobody recorded: only the first
    result is kept). Bob's run succeeded: the step is settled. It failed: still not run, the
    step stays open and Alice decides again with his result in view."""
    command = "echo revoked >> runs.txt" + ("" if bob_exit == 0 else "; exit 1")
    runbook = tmp_path / "one.yaml"
    runbook.write_text(ONE_COMMAND.replace("echo revoked >> runs.txt", command))
    db = str(tmp_path / "irbook.db")
    alice_store, bob_store = open_store(db), open_store(db)  # two connections: two processes
    incident = start_incident(
        load_runbook(runbook), store=alice_store, responder=responder()
    ).incident_id

    # After a success the walk ends ("close now?": no); after a failure the step is asked again.
    then = [False] if bob_exit == 0 else ["pause"]

    def bob_runs_it() -> None:
        Walker(
            store=bob_store,
            responder=responder("bob", "laptop-2"),
            display=RecordingDisplay(),
            source=TerminalSource(ScriptedPrompter(["done", "run", True, *then])),
            options=WalkOptions(cwd=tmp_path),
        ).run(incident)

    alice_says = ["done", "run", True, *then]
    display = RecordingDisplay()
    alice = Walker(
        store=alice_store,
        responder=responder(),
        display=display,
        source=TerminalSource(_OtherResponderFirst(alice_says, bob_runs_it)),
        options=WalkOptions(cwd=tmp_path),
    )
    alice.run(incident)
    assert (tmp_path / "runs.txt").read_text().splitlines() == ["revoked"]  # Bob's run only
    ran = [e.actor for e in alice_store.events(incident) if e.kind == Kind.COMMAND_RAN]
    assert ran == ["bob"]
    expected = "not run again" if bob_exit == 0 else "bob ran it meanwhile (exit 1)"
    assert any(expected in line for line in display.lines), display.lines
