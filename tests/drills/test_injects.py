"""Drill injects reach the team: shown before the next question, recorded exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from drill_support import T0, Clock, Screen, mini, open_drill, scenario

from irbook.domain.events import Kind
from irbook.errors import Interrupted
from irbook.prompts import ScriptedPrompter
from irbook.runner import TerminalSource, Walker, WalkOptions
from irbook.store import Store, open_store
from irbook.usecases.drills import deliver_due_injects, inject_lines
from irbook.usecases.incidents import Responder, load_state, start_incident

INJECTS = [
    {
        "id": "second-host",
        "title": "A second host shows the IOC",
        "text": "ci-runner-9",
        "at": "0m",
    },
    {"id": "ca-answers", "title": "The CA answers", "after_step": "disconnect"},
    {"id": "regulator", "title": "Legal asks for the regulator draft", "at": "10d"},
]
# vector, organisation, then the mini runbook's steps (tests/runner/test_walker_scripted.py)
SCRIPT: list[object] = [
    "ci-cd-pipeline",
    "Acme",
    "done",
    "laptop-17, ci-4",
    "done",
    "done",
    "done",
    ["npm tokens", "CI secrets"],
    "done",
    "manual",
    "skip",
    "no code signing here",
    True,
]


class TimedPrompter(ScriptedPrompter):
    """Each answer comes ten minutes after the previous one."""

    def __init__(self, responses: list[Any], clock: Clock) -> None:
        super().__init__(responses)
        self.clock = clock

    def _next(self, message: str) -> Any:
        self.clock.advance(minutes=10)
        return super()._next(message)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "irbook.db"))


def walk(store: Store, incident_id: str, clock: Clock, script: list[object]) -> Screen:
    screen = Screen()
    Walker(
        store=store,
        responder=Responder("alice", "laptop-1", clock=clock),
        display=screen,
        source=TerminalSource(TimedPrompter(script, clock)),
        options=WalkOptions(resume_command=f"irbook resume {incident_id}"),
    ).run(incident_id)
    return screen


def deliveries(store: Store, incident_id: str) -> Counter[str]:
    events = store.events(incident_id)
    return Counter(e.payload["inject_id"] for e in events if e.kind == Kind.INJECT_DELIVERED)


def test_due_injects_are_shown_before_the_next_question_and_recorded_once(store: Store) -> None:
    clock = Clock()
    drill = open_drill(store, clock, scenario(injects=INJECTS))
    screen = walk(store, drill.incident_id, clock, SCRIPT)

    assert screen.injects == ["second-host", "ca-answers"]  # "10d" never came due
    assert screen.lines[0] == "INJECT second-host"  # before the first question
    after = screen.lines.index("step disconnect")
    assert screen.lines[after + 1 : after + 3] == ["INJECT ca-answers", "step disarm-persistence"]
    assert deliveries(store, drill.incident_id) == {"second-host": 1, "ca-answers": 1}
    state = load_state(store, drill.incident_id)
    (host, ca) = state.events_of(Kind.INJECT_DELIVERED)
    assert host.payload["due_at"] == T0.isoformat()
    assert ca.payload["due_at"] == state.steps["disconnect"].at.isoformat()  # type: ignore[union-attr]


def test_a_resumed_walk_neither_shows_nor_records_an_inject_again(store: Store) -> None:
    clock = Clock()
    drill = open_drill(store, clock, scenario(injects=INJECTS))
    with pytest.raises(Interrupted):  # Ctrl-C at the disarm-persistence step
        walk(store, drill.incident_id, clock, [*SCRIPT[:6], KeyboardInterrupt])
    assert deliveries(store, drill.incident_id) == {"second-host": 1, "ca-answers": 1}

    screen = walk(store, drill.incident_id, clock, SCRIPT[6:])
    assert screen.injects == []
    assert deliveries(store, drill.incident_id) == {"second-host": 1, "ca-answers": 1}


def test_an_offset_inject_comes_due_with_the_clock_during_the_walk(store: Store) -> None:
    clock = Clock()
    late = {"id": "npm-support", "title": "npm support answers", "at": "35m"}
    drill = open_drill(store, clock, scenario(injects=[late]))
    screen = walk(store, drill.incident_id, clock, SCRIPT)
    (shown,) = [i for i, line in enumerate(screen.lines) if line.startswith("INJECT")]
    assert screen.lines[shown + 1].startswith("step ")  # shown before a step, not after the end
    (event,) = load_state(store, drill.incident_id).events_of(Kind.INJECT_DELIVERED)
    assert event.at >= T0.replace(minute=35)


def test_a_real_incident_records_no_inject(store: Store) -> None:
    clock = Clock()
    real = start_incident(mini(), store=store, responder=Responder("a", "h", clock=clock))
    screen = walk(store, real.incident_id, clock, SCRIPT)
    assert screen.injects == [] and deliveries(store, real.incident_id) == {}


def test_two_walkers_record_each_inject_once(store: Store, tmp_path: Path) -> None:
    """Two responders' walkers, each with its own view of the log: the second finds the
    first's delivery when its append conflicts, and records nothing."""
    clock = Clock()
    drill = open_drill(store, clock, scenario(injects=INJECTS))
    alice = load_state(store, drill.incident_id)
    bob = load_state(store, drill.incident_id)  # loaded before alice delivered: stale

    first = deliver_due_injects(store, alice, Responder("alice", "h1", clock=clock))
    second = deliver_due_injects(store, bob, Responder("bob", "h2", clock=clock))
    assert [d.inject.id for d in first] == ["second-host"] and second == []
    assert deliveries(store, drill.incident_id) == {"second-host": 1}
    assert bob.last_seq == alice.last_seq  # bob caught up instead of appending


def test_racing_processes_record_each_inject_once(tmp_path: Path) -> None:
    """Eight threads, each with its own connection to the same SQLite file, all delivering the
    same due injects at once."""
    db = str(tmp_path / "race.db")
    setup = open_store(db)
    clock = Clock()
    drill = open_drill(setup, clock, scenario(injects=INJECTS[:1]))
    clock.advance(minutes=1)
    recorded: list[str] = []
    barrier = threading.Barrier(8)

    def deliver(n: int) -> None:
        store = open_store(db)
        try:
            state = load_state(store, drill.incident_id)
            barrier.wait()
            got = deliver_due_injects(store, state, Responder(f"r{n}", "h", clock=clock))
            recorded.extend(d.inject.id for d in got)
        finally:
            store.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert recorded == ["second-host"]
    assert deliveries(setup, drill.incident_id) == {"second-host": 1}


def test_watch_lines_show_due_injects_and_record_nothing(store: Store) -> None:
    clock = Clock()
    drill = open_drill(store, clock, scenario(injects=INJECTS))
    state = load_state(store, drill.incident_id)
    (line,) = inject_lines(state, clock.advance(minutes=1))
    assert (line.inject_id, line.delivered_at) == ("second-host", None)  # due, not delivered
    assert deliveries(store, drill.incident_id) == {}
    deliver_due_injects(store, state, Responder("alice", "h", clock=clock))
    (line,) = inject_lines(load_state(store, drill.incident_id), clock())
    assert (line.delivered_at, line.delivered_by) == (clock(), "alice")


class BobDeliversFirst(Screen):
    """Alice's screen; the moment her `disconnect` is recorded, Bob's walker (its own view of
    the log) delivers the inject that step brings, before Alice's walker gets to it."""

    def __init__(self, store: Store, incident_id: str, clock: Clock) -> None:
        super().__init__()
        self.bob = load_state(store, incident_id)
        self.store, self.clock = store, clock

    def recorded(self, message: str) -> None:
        if message.startswith("disconnect:"):
            from irbook.usecases.incidents import catch_up

            catch_up(self.store, self.bob)
            got = deliver_due_injects(
                self.store, self.bob, Responder("bob", "h2", clock=self.clock)
            )
            assert [d.inject.id for d in got] == ["ca-answers"]


def test_an_inject_another_walker_recorded_during_the_walk_is_shown_not_recorded_again(
    store: Store,
) -> None:
    clock = Clock()
    drill = open_drill(store, clock, scenario(injects=INJECTS))
    screen = BobDeliversFirst(store, drill.incident_id, clock)
    Walker(
        store=store,
        responder=Responder("alice", "laptop-1", clock=clock),
        display=screen,
        source=TerminalSource(TimedPrompter(SCRIPT, clock)),
        options=WalkOptions(resume_command=f"irbook resume {drill.incident_id}"),
    ).run(drill.incident_id)
    assert screen.injects == ["second-host", "ca-answers"]  # Alice saw Bob's delivery too
    assert deliveries(store, drill.incident_id) == {"second-host": 1, "ca-answers": 1}
    state = load_state(store, drill.incident_id)
    by = {e.payload["inject_id"]: e.actor for e in state.events_of(Kind.INJECT_DELIVERED)}
    assert by == {"second-host": "alice", "ca-answers": "bob"}
