"""Corrections: an input changed after it was recorded (`irbook set`, the walker, `resume
--answers` with `inputs:`), validated like the original answer and recorded with the old value.

Checks that read the input ran with the old value: they are named so that they can be re-run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from irbook.domain import engine
from irbook.domain.engine import IncidentState
from irbook.domain.events import Event, InputCorrected, Kind, NewEvent
from irbook.domain.models import CheckStep, Step
from irbook.domain.redact import redact_value
from irbook.errors import UsageError
from irbook.loader.load import did_you_mean
from irbook.runner.values import ValueContext, ValueSpec, coerce
from irbook.store import Store
from irbook.usecases.incidents import Responder, catch_up, record
from irbook.usecases.retry import retry_on_conflict


@dataclass(frozen=True)
class Correction:
    input_id: str
    event: Event | None  # None when the value did not change (nothing recorded)
    rerun: list[Step]  # checks that ran with the old value
    redacted: list[str]


def parse_assignment(text: str) -> tuple[str, str]:
    """`NAME=VALUE` (the value may contain `=`)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"'{text}' is not NAME=VALUE", hint="e.g. repo_paths=./app")
    return name.strip(), value


def validated(state: IncidentState, name: str, raw: Any, context: ValueContext) -> Any:
    """The value to store for input ``name``, checked as at the first answer."""
    specs = {i.id: i for i in state.runbook.inputs}
    if name not in specs:
        raise UsageError(
            f"'{name}' is not an input of runbook {state.runbook.id}{did_you_mean(name, specs)}",
            hint="inputs: " + ", ".join(specs),
        )
    try:
        return coerce(ValueSpec.of(specs[name]), raw, context)
    except ValueError as exc:
        raise UsageError(f"input '{name}': {exc}; nothing was changed") from None


def checks_using(state: IncidentState, input_id: str) -> list[Step]:
    """Check steps whose arguments read ``inputs.<input_id>`` and that have run already."""
    pattern = re.compile(r"\binputs\." + re.escape(input_id) + r"\b")
    out: list[Step] = []
    for _, step in state.runbook.steps():
        if not isinstance(step, CheckStep) or engine.last_check(state, step.id) is None:
            continue
        args = [
            v
            for value in step.with_.values()
            for v in ([value] if isinstance(value, str) else value)
        ]
        if any(pattern.search(arg) for arg in args):
            out.append(step)
    return out


def correct_input(
    store: Store,
    state: IncidentState,
    name: str,
    value: Any,
    *,
    responder: Responder,
) -> Correction:
    """Record ``value`` (already validated) for input ``name`` with the value it replaces;
    nothing when it is the same. Secrets in either value are redacted."""
    if state.status != engine.OPEN:
        raise UsageError(f"incident {state.incident_id} is closed ({state.status})")
    clean, found = redact_value(value)

    def attempt() -> Correction:
        # decided afresh after every conflict: another responder may have corrected it first
        previous = state.inputs.get(name)
        if previous == clean:
            return Correction(name, None, [], found)
        old, found_old = redact_value(previous)
        payload = InputCorrected(
            input_id=name,
            value=clean,
            previous=old,
            redacted=sorted(set(found) | set(found_old)),
        )
        event = record(store, state, NewEvent(Kind.INPUT_CORRECTED, payload), responder)
        return Correction(name, event, checks_using(state, name), payload.redacted)

    return retry_on_conflict(attempt, catch_up=lambda: len(catch_up(store, state)))
