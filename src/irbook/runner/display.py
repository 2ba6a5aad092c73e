"""What the walker shows; ``irbook.console.walker`` implements it (the runner never prints)."""

from __future__ import annotations

from typing import Protocol

from irbook.domain.engine import IncidentState, Progress
from irbook.domain.models import Phase, Step


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
