"""What the report says: status line, metrics from milestones, skips, redaction, CSV safety."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scripted_incident import NPM_TOKEN, Scripted, script_incident

from irbook.domain.events import InputRecorded, Kind, NewEvent
from irbook.report import build_report, export_report
from irbook.report.build import duration_text, parse_time
from irbook.report.csvout import cell
from irbook.store import open_store
from irbook.usecases import incidents
from irbook.usecases.incidents import Responder


def test_metrics_come_from_milestones_and_detection(scripted: Scripted) -> None:
    state = scripted.state()
    report = build_report(state)
    metrics = {m.milestone: m for m in report.metrics}
    assert state.opened_at is not None
    detected = datetime(2025, 9, 8, 12, 55, tzinfo=UTC)
    assert report.detected_at == detected
    for name in ("contained", "credentials-rotated", "stakeholders-notified"):
        reached = state.milestones[name].reached_at
        assert reached is not None and metrics[name].reached_at == reached
        assert metrics[name].from_open is not None
        assert metrics[name].from_open.seconds == (reached - state.opened_at).total_seconds()
        assert metrics[name].from_detection is not None
        assert metrics[name].from_detection.seconds == (reached - detected).total_seconds()
    # contained is reached by the critical `disconnect` step (disarm-persistence does not apply)
    disconnect = state.steps["disconnect"]
    assert metrics["contained"].reached_at == disconnect.at
    total = metrics[None]
    assert total.name == "total duration" and total.reached_at == state.closed_at
    assert [m.name for m in report.metrics][:3] == [
        "time to contain",
        "time to rotate credentials",
        "time to notify stakeholders",
    ]


def test_skips_carry_reason_and_actor(scripted: Scripted) -> None:
    skips = {s.step_id: s for s in build_report(scripted.state()).skips}
    assert set(skips) == {"review-proxy-logs", "trusted-publishing"}
    assert skips["review-proxy-logs"].actor == "carol"
    assert skips["review-proxy-logs"].reason == "proxy logs older than 24 h are not kept"
    assert skips["trusted-publishing"].actor == "alice"


def test_closed_report_lists_people_evidence_checks_and_followups(scripted: Scripted) -> None:
    report = build_report(scripted.state())
    assert report.status == "completed with exceptions"
    assert {p.name: p.roles for p in report.people}["bob"] == ["ops-lead"]
    assert report.evidence[0].sha256 and report.checks[0].findings[0]["advisory"] == "MAL-2025-4711"
    assert [n.state for n in report.notifications] == ["rendered", "sent"]
    assert [f.owner for f in report.followups] == ["bob", None]
    assert report.timeline[-1].kind == "followup_added"  # recorded after close
    assert report.head_hash == scripted.state().events[-1].hash
    assert report.event_count == len(report.timeline)


def test_secrets_never_reach_the_report(scripted: Scripted) -> None:
    for fmt in ("md", "html", "json", "csv"):
        text = export_report(scripted.state(), fmt)
        assert NPM_TOKEN not in text
        assert "REDACTED npm-access-token" in text


def test_open_incident_says_in_progress_on_the_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'open.db'}")
    try:
        state = incidents.load_state(store, script_incident(store, monkeypatch, close=False))
    finally:
        store.close()
    md = export_report(state, "md")
    assert "in progress" in md.splitlines()[0]
    html = export_report(state, "html")
    assert "in progress" in html.split('<p class="statusline">', 1)[1].split("</p>", 1)[0]
    data = json.loads(export_report(state, "json"))
    assert data["status"] == "in progress" and data["closed_at"] is None
    metrics = {m["milestone"]: m for m in data["metrics"]}
    assert metrics["stakeholders-notified"]["reached_at"] is None
    assert metrics[None]["from_open"] is None  # no total duration while open
    assert {p["id"]: p["outcome"] for p in data["phases"]}["notify"] == "not started"


def test_without_detected_at_only_from_open(tmp_path: Path) -> None:
    from scripted_incident import FIXTURES

    from irbook.loader.load import load_runbook

    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        who = Responder("erin", "h", clock=lambda: datetime(2025, 1, 1, tzinfo=UTC))
        state = incidents.start_incident(
            load_runbook(FIXTURES / "runbook.yaml"), store=store, responder=who
        )
        bad = InputRecorded(input_id="detected_at", value="yesterday-ish")
        incidents.record(store, state, NewEvent(Kind.INPUT_RECORDED, bad), who)
        report = build_report(state)
    finally:
        store.close()
    assert report.detected_at is None
    assert all(m.from_detection is None for m in report.metrics)


def test_csv_is_one_event_per_row_and_formula_safe(scripted: Scripted) -> None:
    evil = Responder(actor='=HYPERLINK("x")', host="+host", clock=lambda: datetime.now(UTC))
    from irbook.usecases.followups import add_followup

    add_followup(scripted.store, scripted.incident_id, "-1+2 reviewers", responder=evil)
    state = scripted.state()
    rows = list(csv.reader(io.StringIO(export_report(state, "csv"))))
    assert rows[0][:5] == ["seq", "at", "actor", "host", "kind"]
    assert [int(r[0]) for r in rows[1:]] == [e.seq for e in state.events]
    assert rows[-1][2] == '\'=HYPERLINK("x")' and rows[-1][3] == "'+host"
    followups = list(csv.DictReader(io.StringIO(export_report(state, "followups-csv"))))
    assert [f["title"] for f in followups][1:] == [
        "'@security-team: review npm publish rights every quarter",
        "'-1+2 reviewers",
    ]
    assert followups[0]["owner"] == "bob" and followups[0]["due"] == "2025-10-15"


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_cell_guard(text: str | None, guarded: str) -> None:
    assert cell(text) == guarded


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59, "59s"),
        (61, "1m 01s"),
        (3_720, "1h 02m"),
        (90_000, "1d 01h 00m"),
        (-120, "-2m 00s"),
    ],
)
def test_duration_text(seconds: int, text: str) -> None:
    assert duration_text(seconds) == text


def test_parse_time_accepts_iso_and_rejects_other_text() -> None:
    assert parse_time("2025-09-08T12:55:00Z") == datetime(2025, 9, 8, 12, 55, tzinfo=UTC)
    assert parse_time("2025-09-08 12:55") == datetime(2025, 9, 8, 12, 55, tzinfo=UTC)
    assert parse_time("last tuesday") is None and parse_time(None) is None
