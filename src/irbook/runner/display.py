"""What the walker shows; ``irbook.console.walker`` implements it (the runner never prints)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from irbook.domain.drills import Inject
from irbook.domain.engine import IncidentState, Progress
from irbook.domain.models import Phase, RunbookInput, Step
from irbook.runner.help import HelpTopic


class Display(Protocol):
    def incident(self, state: IncidentState, *, resumed: bool) -> None: ...

    def phase(self, phase: Phase, progress: Progress) -> None: ...

    def step(self, step: Step, state: IncidentState, progress: Progress) -> None: ...

    def recorded(self, message: str) -> None: ...

    def notice(self, message: str) -> None: ...

    def problem(self, message: str) -> None: ...

    def finished(self, state: IncidentState) -> None: ...

    def waiting(self, state: IncidentState, waits: list[tuple[Step, list[Step]]]) -> None:
        """Nothing can be asked now: each open step with the open steps it needs first."""
        ...

    def help(self, topic: HelpTopic) -> None:
        """``?`` at a prompt: the step's or input's help, its references, the keys."""
        ...

    def input(self, spec: RunbookInput) -> None:
        """An input is about to be asked: its help, under the prompt's question."""
        ...

    def details(self, lines: list[str]) -> None:
        """Lines under the last message: a check's first findings, a failed command's output."""
        ...

    def message(self, title: str, text: str) -> None:
        """A rendered notification to read before it is recorded (paged when long)."""
        ...

    def inject(self, inject: Inject, due_at: datetime) -> None:
        """A drill's inject, due since ``due_at``: shown as a marked block before the question."""
        ...
