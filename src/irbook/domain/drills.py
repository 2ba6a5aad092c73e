"""Drills: rehearsal incidents of a real runbook, with a facilitator's scenario of injects.

A drill is an ordinary incident whose id carries ``DRILL`` (``IR-DRILL-20261130-1A2B``) and whose
``incident_opened`` payload has ``drill: true`` and the validated scenario, so a drill is known as
one from its first event alone, by every screen, message and report, and can never be mistaken
for a real breach (or the other way round). Pure: the loader turns YAML into ``Scenario``; the
caller passes ``now``.

An inject is something the facilitator makes happen during the drill ("the CA answers in 2
hours", "a second host shows the IOC"): due at a time offset from the drill's start, or once a
step is settled. The walker and ``watch`` show each due inject and record an ``inject_delivered``
event the first time, so the drill report knows when the team heard of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from irbook.domain.models import InputId, StepId, Text, _Strict

if TYPE_CHECKING:
    from irbook.domain.engine import IncidentState

DRILL_MARK = "DRILL"
SUBJECT_PREFIX = "[DRILL] "
BANNER = "DRILL - EXERCISE ONLY - NOT A REAL INCIDENT"

Offset = Annotated[
    str,
    StringConstraints(pattern=r"^\d+(\.\d+)?\s*(s|m|h|d)$"),
    Field(description="Time after the drill's start: seconds, minutes, hours or days (90m, 2h)."),
]


def is_drill_id(incident_id: str) -> bool:
    """True for an id made by ``drill start``: the mark is part of the id, so even a bare id in a
    ticket or a file name says it is a rehearsal."""
    return f"-{DRILL_MARK}-" in incident_id


def offset_delta(offset: str) -> timedelta:
    """``"2h"`` as ``timedelta(hours=2)``."""
    amount, unit = offset.rstrip("smhd").strip(), offset.lstrip("0123456789. ")
    name = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]
    return timedelta(**{name: float(amount)})


class Inject(_Strict):
    """One event the facilitator injects: exactly one of ``at`` and ``after_step``."""

    id: StepId
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="One line shown when the inject is due."
    )
    text: str = Field(default="", max_length=20_000, description="What the team is told.")
    at: Offset | None = Field(default=None, description="Due this long after the drill starts.")
    after_step: StepId | None = Field(default=None, description="Due once this step is settled.")

    @model_validator(mode="after")
    def _one_trigger(self) -> Inject:
        if (self.at is None) == (self.after_step is None):
            raise ValueError("an inject needs exactly one of 'at' and 'after_step'")
        return self


class Scenario(_Strict):
    """A drill scenario: the runbook it rehearses, the inputs the facilitator fixes, the injects,
    and optional targets for the milestones (``contained: 2h``)."""

    id: StepId
    title: Text
    runbook: StepId = Field(description="The id of the runbook this scenario rehearses.")
    description: str = Field(default="", max_length=20_000)
    inputs: dict[InputId, Any] = Field(
        default_factory=dict, description="Inputs set at the drill's start, as in an answers file."
    )
    injects: tuple[Inject, ...] = ()
    targets: dict[StepId, Offset] = Field(
        default_factory=dict,
        description="Milestone name -> time allowed from the drill's start (scored by `drill "
        "report`); the runbook's deadlines are scored too.",
    )

    @model_validator(mode="after")
    def _unique_injects(self) -> Scenario:
        seen: set[str] = set()
        for inject in self.injects:
            if inject.id in seen:
                raise ValueError(f"inject id '{inject.id}' is used twice")
            seen.add(inject.id)
        return self


@dataclass(frozen=True)
class DueInject:
    inject: Inject
    due_at: datetime  # when it became due (the offset, or when the step was settled)
    delivered: bool  # an inject_delivered event for it is already in the log


def scenario_of(state: IncidentState) -> Scenario | None:
    """The scenario kept in a drill's ``incident_opened`` event, or None."""
    if not state.events:
        return None
    raw = state.events[0].payload.get("scenario")
    return Scenario.model_validate(raw) if raw else None


def due_injects(
    scenario: Scenario, state: IncidentState, now: datetime, *, delivered: set[str]
) -> list[DueInject]:
    """The injects due at ``now``, in the order they became due. ``delivered`` holds the ids of
    injects already recorded as delivered (the caller reads them from the log)."""
    start = state.opened_at
    due: list[DueInject] = []
    for inject in scenario.injects:
        when: datetime | None = None
        if inject.at is not None and start is not None:
            when = start + offset_delta(inject.at)
            if when > now:
                when = None
        elif inject.after_step is not None:
            step = state.steps.get(inject.after_step)
            if step is not None and step.seq is not None and step.at is not None:
                when = step.at
        if when is not None:
            due.append(DueInject(inject, when, inject.id in delivered))
    return sorted(due, key=lambda d: d.due_at)
