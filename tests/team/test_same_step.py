"""Two responders answer the same step at the same moment: one wins, the other is told and is not
asked again, and the step is recorded once.

Deterministic: bob's decision source lets alice (a real Walker of her own, on her own store
connection) complete the step in the instant between bob being asked and bob's answer being
appended, which is exactly the race two people at two terminals run.
"""

from __future__ import annotations

from typing import Any

from driver import RecordingDisplay
from teamkit import DRILL, assert_log_intact

from irbook.domain.engine import IncidentState
from irbook.domain.events import Kind
from irbook.domain.models import CommandStep, RunbookInput, Step
from irbook.loader.load import load_runbook
from irbook.runner.decisions import Complete, Decision, Pause
from irbook.runner.walk import Walker, WalkOptions
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident


class OneStep:
    """Completes one step, then pauses (alice answers `declare` and leaves)."""

    def __init__(self, step_id: str) -> None:
        self.step_id = step_id

    def input_value(self, spec: RunbookInput) -> Any:
        raise AssertionError("the drill has no inputs")

    def decide(self, step: Step, state: IncidentState) -> Decision:
        return (
            Complete(["laptop-17"] if step.id == "affected-devices" else True)
            if step.id == self.step_id
            else Pause()
        )

    def confirm_command(self, step: CommandStep) -> bool:
        return False

    def close_at_end(self) -> bool:
        return False


class RacingSource(OneStep):
    """Bob answers every step; when asked `race_step`, alice answers it first."""

    def __init__(self, race_step: str, alice: Walker, incident_id: str) -> None:
        super().__init__(race_step)
        self.alice, self.incident_id = alice, incident_id
        self.asked: list[str] = []

    def decide(self, step: Step, state: IncidentState) -> Decision:
        self.asked.append(step.id)
        if step.id == self.step_id:
            self.alice.run(self.incident_id)  # alice's answer is committed first
        return Complete(["laptop-17"] if step.id == "affected-devices" else True)


def test_same_step_at_once_one_wins_the_other_is_told_nothing_duplicated(db_url: str) -> None:
    lead = open_store(db_url)
    incident = start_incident(load_runbook(DRILL), store=lead, responder=Responder("lead", "h"))
    alice_store, bob_store = open_store(db_url), open_store(db_url)
    alice = Walker(
        store=alice_store,
        responder=Responder("alice", "laptop-a"),
        source=OneStep("npm-tokens"),
        display=RecordingDisplay(),
        options=WalkOptions(role="security-engineer", interactive=False),
    )
    bob_display = RecordingDisplay()
    bob_source = RacingSource("npm-tokens", alice, incident.incident_id)
    bob = Walker(
        store=bob_store,
        responder=Responder("bob", "laptop-b"),
        source=bob_source,
        display=bob_display,
        options=WalkOptions(interactive=False),
    )

    result = bob.run(incident.incident_id)

    assert result.outcome == "settled"
    assert bob_source.asked.count("npm-tokens") == 1  # not asked twice
    assert any(
        n.startswith("alice (") and n.endswith("): completed rotate/npm-tokens")
        for n in bob_display.notices
    ), bob_display.notices
    assert any("not recorded" in n for n in bob_display.notices)
    events = assert_log_intact(lead, incident.incident_id)
    npm = [e for e in events if e.kind == Kind.STEP_COMPLETED and e.step_id == "npm-tokens"]
    assert [(e.actor, e.host) for e in npm] == [("alice", "laptop-a")]
    # bob went on with everything else
    others = {e.step_id for e in events if e.kind == Kind.STEP_COMPLETED and e.actor == "bob"}
    assert others == {s.id for _, s in incident.runbook.steps()} - {"npm-tokens"}
    for store in (lead, alice_store, bob_store):
        store.close()
