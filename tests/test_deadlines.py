"""Deadline clocks: declared in the runbook, counted from detection, met or missed by a step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from irbook.domain import engine
from irbook.domain.deadlines import deadline_states
from irbook.domain.events import GENESIS_HASH, Event, Kind
from irbook.domain.models import Deadline
from irbook.errors import InvalidInputError
from irbook.loader.load import load_runbook
from shared import FIXTURES

CLOCKS = load_runbook(FIXTURES / "deadlines" / "clocks.yaml").runbook
DETECTED = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)  # a Monday, after the CRA applies


def state(regulations: list[str], detected: datetime | None, *done: tuple[str, datetime]) -> Any:
    events: list[Event] = []

    def add(kind: Kind, at: datetime, step_id: str | None = None, **payload: Any) -> None:
        seq = len(events) + 1
        events.append(
            Event("IR-1", seq, at, "alice", "h", str(kind), step_id, payload, GENESIS_HASH, "x")
        )

    opened = (detected or DETECTED) + timedelta(hours=2)
    add(
        Kind.INCIDENT_OPENED,
        opened,
        title="t",
        severity="SEV1",
        tlp="AMBER",
        runbook_id="clocks",
        runbook_version="1.0.0",
        runbook_sha256="x",
        runbook_path="p",
        runbook_text="",
    )
    if detected is not None:
        add(Kind.INPUT_RECORDED, opened, input_id="detected_at", value=detected.isoformat())
    add(Kind.INPUT_RECORDED, opened, input_id="regulations", value=regulations)
    for step_id, at in done:
        add(Kind.STEP_COMPLETED, at, step_id, value=True)
    return engine.fold("IR-1", CLOCKS, events)


def statuses(s: Any, now: datetime) -> dict[str, tuple[str, datetime | None]]:
    return {d.id: (d.status, d.due) for d in deadline_states(s, now=now) if d.applies}


def test_only_the_deadlines_whose_rules_apply_are_counted() -> None:
    s = state(["gdpr"], DETECTED)
    assert set(statuses(s, DETECTED)) == {"gdpr"}


def test_met_in_time_missed_late_and_overdue() -> None:
    s = state(
        ["nis2", "gdpr"],
        DETECTED,
        ("early-warning", DETECTED + timedelta(hours=23)),  # in time
        ("notify-authority", DETECTED + timedelta(hours=73)),  # one hour late
    )
    got = statuses(s, DETECTED + timedelta(days=5))
    assert got == {
        "nis2": ("met", DETECTED + timedelta(hours=24)),
        "gdpr": ("missed", DETECTED + timedelta(hours=72)),
    }
    open_one = state(["gdpr"], DETECTED)
    assert statuses(open_one, DETECTED + timedelta(hours=71))["gdpr"][0] == "open"
    assert statuses(open_one, DETECTED + timedelta(hours=73))["gdpr"][0] == "missed"


def test_the_clock_starts_at_detection_not_at_opening() -> None:
    s = state(["gdpr"], DETECTED)  # opened two hours after detection
    assert statuses(s, DETECTED)["gdpr"][1] == DETECTED + timedelta(hours=72)
    without = state(["gdpr"], None)  # no detection time: the opening is the best we know
    assert statuses(without, DETECTED)["gdpr"][1] == DETECTED + timedelta(hours=74)


def test_cra_applies_only_to_incidents_detected_from_2026_09_11() -> None:
    before = state(["eu-cra"], datetime(2026, 9, 10, 23, 0, tzinfo=UTC))
    after = state(["eu-cra"], datetime(2026, 9, 11, 0, 0, tzinfo=UTC))
    assert statuses(before, DETECTED) == {}
    assert set(statuses(after, DETECTED)) == {"cra"}


def test_sec_clock_starts_at_the_materiality_determination_in_business_days() -> None:
    friday = datetime(2026, 9, 18, 16, 0, tzinfo=UTC)
    waiting = state(["sec-8k"], DETECTED)
    assert statuses(waiting, DETECTED + timedelta(days=30))["sec"] == ("open", None)
    determined = state(["sec-8k"], DETECTED, ("materiality", friday))
    # Friday + 4 business days = Thursday (the weekend does not count)
    assert statuses(determined, friday)["sec"] == ("open", friday + timedelta(days=6))


@pytest.mark.parametrize(
    ("within", "hours"), [("90m", 1.5), ("24h", 24), ("3d", 72), ("1.5h", 1.5)]
)
def test_durations(within: str, hours: float) -> None:
    deadline = Deadline(id="x", title="x", within=within, regulation="r", met_by="s")
    assert deadline.due(DETECTED) == DETECTED + timedelta(hours=hours)


def test_a_deadline_naming_an_unknown_step_or_input_is_invalid(tmp_path: Path) -> None:
    text = (FIXTURES / "deadlines" / "clocks.yaml").read_text(encoding="utf-8")
    bad = text.replace("met_by: file-8k", "met_by: file-8kk").replace(
        "'gdpr' in regulations", "'gdpr' in regulatons"
    )
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InvalidInputError) as err:
        load_runbook(path)
    messages = [p.message for p in err.value.problems]
    assert any("met_by names unknown step 'file-8kk'" in m for m in messages), messages
    assert any("unknown input 'regulatons'" in m for m in messages), messages


def test_a_deadline_condition_on_answers_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "deadlines" / "clocks.yaml").read_text(encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("\"'gdpr' in regulations\"", "\"done('materiality')\""))
    with pytest.raises(InvalidInputError) as err:
        load_runbook(path)
    (problem,) = err.value.problems
    assert problem.location == "deadlines[2].when"
    assert "may use inputs only" in problem.message
