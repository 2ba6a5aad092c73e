"""What a responder decides at a step, whichever way it was asked (terminal or answers file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Complete:
    """Done. ``value`` is the answer (input/checklist), True for confirm; for check, command and
    notify steps ``perform`` asks the walker to run the action first. A checklist with items left
    unticked is done only "with exceptions", and only with ``reason`` (why they are not)."""

    value: Any = True
    perform: bool = False
    reason: str = ""


@dataclass(frozen=True)
class NotApplicable:
    """The step does not apply to this incident (never "done"); needs a reason."""

    reason: str


@dataclass(frozen=True)
class Again:
    """Nothing recorded: show the step and ask again (a checklist left open, "read it again")."""


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
class Wait:
    """The step stays open, waiting on ``on`` (who or what) until ``due`` (optional, aware
    datetime); the walk goes on with steps that do not need it and comes back at the end."""

    on: str
    due: datetime | None = None


@dataclass(frozen=True)
class Override:
    """A check that failed (could not run) recorded done anyway, with a reason: an exception."""

    reason: str


@dataclass(frozen=True)
class CorrectInput:
    """Change an input recorded earlier (validated already); ``rerun`` reopens the settled
    checks that ran with the old value."""

    input_id: str
    value: Any
    rerun: bool = True


@dataclass(frozen=True)
class Pause:
    pass


Decision = (
    Complete
    | Skip
    | NotApplicable
    | AddNote
    | Attach
    | GoBack
    | Pause
    | Again
    | Wait
    | Override
    | CorrectInput
)
