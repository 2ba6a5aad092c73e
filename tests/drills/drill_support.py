"""Shared set-up for the drill tests: a controllable clock, scenarios, drills opened for real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from irbook.domain.drills import Scenario
from irbook.domain.engine import IncidentState
from irbook.loader.load import LoadedRunbook, load_runbook
from irbook.store import Store
from irbook.usecases.incidents import Responder, start_incident

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "drills"
MINI = REPO / "tests" / "fixtures" / "runner" / "mini.yaml"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Clock:
    """Time stands still until the test moves it (``advance``): every event of a step is then
    stamped with the same, known time."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def mini() -> LoadedRunbook:
    return load_runbook(MINI)


def scenario(**fields: Any) -> Scenario:
    base: dict[str, Any] = {"id": "ci-hijack", "title": "Hijacked CI", "runbook": "mini"}
    return Scenario.model_validate(base | fields)


def open_drill(
    store: Store,
    clock: Clock,
    the_scenario: Scenario | None,
    loaded: LoadedRunbook | None = None,
    name: str = "alice",
) -> IncidentState:
    who = Responder(name, "laptop-1", clock=clock)
    return start_incident(
        loaded or mini(), store=store, responder=who, drill=True, scenario=the_scenario
    )


class Screen:
    """A Display that keeps, in order, the steps asked and the injects shown."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def incident(self, state: Any, *, resumed: bool) -> None:
        pass

    def phase(self, phase: Any, progress: Any) -> None:
        pass

    def step(self, step: Any, state: Any, progress: Any) -> None:
        self.lines.append(f"step {step.id}")

    def recorded(self, message: str) -> None:
        pass

    def notice(self, message: str) -> None:
        self.lines.append(f"notice: {message}")

    def problem(self, message: str) -> None:
        self.lines.append(f"problem: {message}")

    def finished(self, state: Any) -> None:
        self.lines.append("finished")

    def waiting(self, state: Any, waits: Any) -> None:
        pass

    def help(self, topic: Any) -> None:
        pass

    def input(self, spec: Any) -> None:
        pass

    def details(self, lines: Any) -> None:
        pass

    def message(self, title: Any, text: Any) -> None:
        pass

    def inject(self, inject: Any, due_at: datetime) -> None:
        self.lines.append(f"INJECT {inject.id}")

    @property
    def injects(self) -> list[str]:
        return [line.removeprefix("INJECT ") for line in self.lines if line.startswith("INJECT ")]
