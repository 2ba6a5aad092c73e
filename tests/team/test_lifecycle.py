"""Ending a mistaken incident and changing severity (issue 15, "Lifecycle").

Both are events in the log. The incident row is guarded by the server (store/guards.py) and
`verify` compares it with the log, so each test ends with `irbook verify` passing on SQLite and on
PostgreSQL: abandon is an `incident_closed` event (the row follows it in the same statement), and a
severity change leaves the row's opening severity alone while `list`, `status` and the report show
the log's current one.
"""

from __future__ import annotations

import json

import pytest
from teamkit import DRILL, sql

from irbook.cli import run
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident


def started(url: str, severity: str = "SEV2") -> str:
    store = open_store(url)
    state = start_incident(
        load_runbook(DRILL), store=store, responder=Responder("lead", "h"), severity=severity
    )
    store.close()
    return state.incident_id


def listed(url: str, capsys: pytest.CaptureFixture[str], *flags: str) -> list[dict[str, str]]:
    capsys.readouterr()
    assert run(["list", "--json", "--db", url, *flags]) == 0
    rows: list[dict[str, str]] = json.loads(capsys.readouterr().out)
    return rows


def test_abandon_ends_an_open_incident_keeps_its_log_and_lists_it_apart(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    real, duplicate = started(db_url), started(db_url)
    capsys.readouterr()

    # critical steps are open: a plain close is refused, an abandon is not
    assert run(["close", duplicate, "--db", db_url]) != 0
    code = run(
        ["close", duplicate, "--abandon", "--reason", f"duplicate of {real}", "--db", db_url]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "abandoned" in out and f"duplicate of {real}" in out

    rows = {r["id"]: r for r in listed(db_url, capsys)}
    assert rows[duplicate]["status"] == "abandoned" and rows[real]["status"] == "open"
    assert [r["id"] for r in listed(db_url, capsys, "--open")] == [real]
    # the events stay: opened and closed, with the reason
    kinds = sql(db_url, f"SELECT kind FROM event WHERE incident_id = '{duplicate}' ORDER BY seq")
    assert [k for (k,) in kinds] == ["incident_opened", "incident_closed"]

    capsys.readouterr()
    assert run(["list", "--db", db_url]) == 0
    table = capsys.readouterr().out
    apart = table.index("abandoned (mistaken or duplicate)")
    assert table.index(real) < apart < table.index(duplicate), table

    assert run(["verify", duplicate, "--db", db_url]) == 0
    capsys.readouterr()
    assert run(["report", duplicate, "--format", "md", "--db", db_url]) == 0
    assert f"closed: abandoned (reason: duplicate of {real})" in capsys.readouterr().out
    assert run(["close", duplicate, "--abandon", "--reason", "again", "--db", db_url]) == 2
    assert "already closed (abandoned)" in capsys.readouterr().err


def test_abandon_needs_a_reason_and_a_reason_needs_abandon(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = started(sqlite_url)
    capsys.readouterr()
    assert run(["close", incident, "--abandon", "--db", sqlite_url]) == 2
    assert "--abandon needs --reason" in capsys.readouterr().err
    assert run(["close", incident, "--abandon", "--reason", "  ", "--db", sqlite_url]) == 2
    assert "reason for abandoning is empty" in capsys.readouterr().err
    assert run(["close", incident, "--reason", "x", "--db", sqlite_url]) == 2
    assert "--reason goes with --abandon" in capsys.readouterr().err
    assert [r["status"] for r in listed(sqlite_url, capsys)] == ["open"]


def test_severity_change_is_an_event_shown_everywhere_and_verify_still_passes(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = started(db_url, "SEV3")
    capsys.readouterr()

    code = run(
        ["severity", incident, "sev1", "--reason", "tokens confirmed stolen", "--db", db_url]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "severity SEV3 → SEV1: tokens confirmed stolen" in out

    assert [r["severity"] for r in listed(db_url, capsys)] == ["SEV1"]
    assert run(["status", incident, "--json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["severity"] == "SEV1"
    assert run(["report", incident, "--format", "md", "--db", db_url]) == 0
    report = capsys.readouterr().out
    assert "severity SEV3 → SEV1: tokens confirmed stolen" in report  # the timeline
    assert "| Severity | SEV1 |" in report
    # the guarded row keeps the opening severity, which is what verify holds it to
    assert sql(db_url, f"SELECT severity FROM incident WHERE id = '{incident}'") == [("SEV3",)]
    assert run(["verify", incident, "--db", db_url]) == 0

    assert run(["severity", incident, "SEV2", "--reason", "scoped down", "--db", db_url]) == 0
    assert [r["severity"] for r in listed(db_url, capsys)] == ["SEV2"]
    assert run(["verify", incident, "--db", db_url]) == 0


def test_severity_refusals(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = started(sqlite_url, "SEV2")
    capsys.readouterr()
    assert run(["severity", incident, "SEV9", "--reason", "x", "--db", sqlite_url]) == 2
    assert "unknown severity 'SEV9'" in capsys.readouterr().err
    assert run(["severity", incident, "SEV2", "--reason", "x", "--db", sqlite_url]) == 2
    assert "already SEV2" in capsys.readouterr().err
    assert run(["severity", incident, "SEV1", "--db", sqlite_url]) == 2  # --reason is required
    capsys.readouterr()
    assert run(["close", incident, "--abandon", "--reason", "test", "--db", sqlite_url]) == 0
    capsys.readouterr()
    assert run(["severity", incident, "SEV1", "--reason", "x", "--db", sqlite_url]) == 2
    assert "is closed (abandoned)" in capsys.readouterr().err
