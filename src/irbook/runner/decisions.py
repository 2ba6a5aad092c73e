"""What a responder decides at a step, whichever way it was asked (terminal or answers file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Complete:
    """Done. ``value`` is the answer (input/checklist), True for confirm; for check, command and
    notify steps ``perform`` asks the walker to run the action first."""

    value: Any = True
    perform: bool = False


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class AddNote:
    text: str


@dataclass(frozen=True)
class Attach:
    path: str
    description: str = ""


@dataclass(frozen=True)
class GoBack:
    step_id: str


@dataclass(frozen=True)
class Pause:
    pass


Decision = Complete | Skip | AddNote | Attach | GoBack | Pause
