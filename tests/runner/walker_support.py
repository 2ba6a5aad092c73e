"""Shared set-up for walker tests: a real SQLite store in tmp_path, a fixed clock, a recorder."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from irbook.domain.engine import IncidentState, Progress
from irbook.domain.models import Phase, RunbookInput, Step
from irbook.loader.load import LoadedRunbook, load_runbook
from irbook.usecases.incidents import Responder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "runner"
MINI = FIXTURES / "mini.yaml"
CASE = FIXTURES / "case"


def mini() -> LoadedRunbook:
    return load_runbook(MINI)


def fixed_clock(start: datetime | None = None):  # type: ignore[no-untyped-def]  # test helper
    """A clock that advances one minute per call, from 2026-05-11 19:46 UTC."""
    base = start or datetime(2026, 5, 11, 19, 46, tzinfo=UTC)
    counter = itertools.count()
    return lambda: base + timedelta(minutes=next(counter))


def responder(name: str = "alice", host: str = "laptop-1") -> Responder:
    return Responder(actor=name, host=host, clock=fixed_clock())


class RecordingDisplay:
    """A Display that keeps what the walker would show, for assertions."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.steps: list[str] = []

    def incident(self, state: IncidentState, *, resumed: bool) -> None:
        self.lines.append(f"{'resumed' if resumed else 'started'} {state.incident_id}")

    def phase(self, phase: Phase, progress: Progress) -> None:
        self.lines.append(f"phase {progress.phase_index}/{progress.phase_count} {phase.id}")

    def step(self, step: Step, state: IncidentState, progress: Progress) -> None:
        self.steps.append(step.id)

    def recorded(self, message: str) -> None:
        self.lines.append(f"recorded: {message}")

    def notice(self, message: str) -> None:
        self.lines.append(f"notice: {message}")

    def problem(self, message: str) -> None:
        self.lines.append(f"problem: {message}")

    def finished(self, state: IncidentState) -> None:
        self.lines.append("finished")

    def help(self, topic: Any) -> None:  # a runner.help.HelpTopic
        self.lines.append(f"help: {topic.title}")

    def input(self, spec: RunbookInput) -> None:
        self.lines.append(f"input help: {spec.id}")

    def details(self, lines: list[str]) -> None:
        self.lines.extend(f"  {line}" for line in lines)

    def message(self, title: str, text: str) -> None:
        self.lines.append(f"message: {title}")

    def waiting(self, state: IncidentState, waits: list[tuple[Step, list[Step]]]) -> None:
        for step, needs in waits:
            self.lines.append(f"waiting: {step.id} on {', '.join(n.id for n in needs)}")

    def inject(self, inject: Any, due_at: Any) -> None:  # a domain.drills.Inject
        self.lines.append(f"DRILL INJECT {inject.id}: {inject.title}")
