"""The pure part of drills: scenario validation and when an inject is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from irbook.domain import engine
from irbook.domain.drills import Scenario, due_injects, is_drill_id
from irbook.domain.eventlog import Event
from irbook.domain.models import Runbook

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

RUNBOOK = Runbook.model_validate(
    {
        "api_version": "irbook/v1",
        "id": "tiny",
        "version": "1.0.0",
        "title": "Tiny",
        "phases": [
            {
                "id": "isolate",
                "title": "Isolate",
                "steps": [
                    {"id": "revoke", "type": "confirm", "text": "Revoke the tokens."},
                    {"id": "block", "type": "confirm", "text": "Block the host."},
                ],
            }
        ],
    }
)

SCENARIO = Scenario.model_validate(
    {
        "id": "ca-slow",
        "title": "The CA is slow",
        "runbook": "tiny",
        "injects": [
            {"id": "second-host", "title": "A second host shows the IOC", "at": "30m"},
            {"id": "ca-answers", "title": "The CA answers", "after_step": "revoke"},
        ],
    }
)


def _event(seq: int, kind: str, at: datetime, step: str | None = None) -> Event:
    payload = {"title": "t", "severity": "SEV2", "tlp": "AMBER", "runbook_sha256": "x"}
    return Event("IR-DRILL-1", seq, at, "alice", "h", kind, step, payload, "", "")


def test_offset_inject_is_due_only_after_its_offset() -> None:
    state = engine.fold("IR-DRILL-1", RUNBOOK, [_event(1, "incident_opened", T0)])
    assert due_injects(SCENARIO, state, T0 + timedelta(minutes=29), delivered=set()) == []
    (due,) = due_injects(SCENARIO, state, T0 + timedelta(minutes=30), delivered=set())
    assert (due.inject.id, due.due_at, due.delivered) == (
        "second-host",
        T0 + timedelta(minutes=30),
        False,
    )


def test_step_inject_is_due_once_the_step_is_settled() -> None:
    done = T0 + timedelta(minutes=5)
    events = [_event(1, "incident_opened", T0), _event(2, "step_completed", done, "revoke")]
    state = engine.fold("IR-DRILL-1", RUNBOOK, events)
    due = due_injects(SCENARIO, state, done, delivered={"ca-answers"})
    assert [(d.inject.id, d.delivered) for d in due] == [("ca-answers", True)]


@pytest.mark.parametrize(
    "inject",
    [
        {"id": "x", "title": "both", "at": "1h", "after_step": "revoke"},
        {"id": "x", "title": "neither"},
        {"id": "x", "title": "bad offset", "at": "soon"},
    ],
)
def test_an_inject_needs_exactly_one_valid_trigger(inject: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Scenario.model_validate({"id": "s", "title": "S", "runbook": "tiny", "injects": [inject]})


def test_drill_ids_are_marked() -> None:
    assert is_drill_id("IR-DRILL-20261130-1A2B")
    assert not is_drill_id("IR-20261130-1A2B")
