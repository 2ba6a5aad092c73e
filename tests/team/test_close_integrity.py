"""Close is one statement on the server, and `verify` checks what the incident row claims.

Issue 11, finding 6: close appended `incident_closed` and then updated the `incident` row in a
second transaction, so a kill or a lost connection between the two left the incident "open" in
`list --open` while `close` said "already closed". A fault injected into the real database (a
trigger that fails the row update) stands in for the kill: it fails exactly the second half.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from teamkit import DRILL, raw_connect, sql, write_answers

from irbook.cli import run
from irbook.domain.events import Kind
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident

FAULT_SQLITE = """CREATE TRIGGER injected_fault BEFORE UPDATE ON incident
BEGIN SELECT RAISE(ABORT, 'injected fault: the row update fails'); END"""
FAULT_PG = [
    """CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'injected fault: the row update fails'; END $$""",
    "CREATE TRIGGER injected_fault BEFORE UPDATE ON incident "
    "FOR EACH ROW EXECUTE FUNCTION injected_fault()",
]


def walked(url: str, tmp_path: Path) -> str:
    """An incident with every step done, ready to close."""
    store = open_store(url)
    incident = start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    store.close()
    steps = {s.id: "done" for _, s in load_runbook(DRILL).runbook.steps()}
    answers = write_answers(tmp_path / "a.json", steps | {"affected-devices": ["ci-4"]})
    assert run(["resume", incident.incident_id, "--answers", str(answers), "--db", url]) == 0
    return incident.incident_id


def open_ids(url: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert run(["list", "--open", "--json", "--db", url]) == 0
    return [i["id"] for i in json.loads(capsys.readouterr().out)]


def test_a_close_whose_row_update_fails_records_nothing_and_can_be_retried(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = walked(db_url, tmp_path)
    conn = raw_connect(db_url)
    for statement in [FAULT_SQLITE] if db_url.startswith("sqlite") else FAULT_PG:
        conn.execute(statement)
    conn.close()
    capsys.readouterr()

    code = run(["close", incident, "--db", db_url])

    err = capsys.readouterr().err
    assert code == 2, err
    assert "injected fault" in err and "Traceback" not in err
    # Nothing half-done: no close event, the incident is open everywhere, and close can run again.
    assert sql(db_url, "SELECT count(*) FROM event WHERE kind = 'incident_closed'") == [(0,)]
    assert open_ids(db_url, capsys) == [incident]
    sql(
        db_url,
        "DROP TRIGGER injected_fault" + ("" if db_url.startswith("sqlite") else " ON incident"),
    )
    assert run(["close", incident, "--db", db_url]) == 0
    assert open_ids(db_url, capsys) == []
    assert run(["close", incident, "--db", db_url]) == 2
    assert "already closed" in capsys.readouterr().err
    assert run(["verify", incident, "--db", db_url]) == 0


def drop_row_guard(url: str) -> None:
    """What only the owner (PostgreSQL) or whoever holds the file (SQLite) can do (IF EXISTS:
    the same forgery works on a database without the guard)."""
    if url.startswith("sqlite"):
        sql(url, "DROP TRIGGER IF EXISTS incident_follows_log")
    else:
        sql(url, "DROP TRIGGER IF EXISTS incident_follows_log ON incident")


@pytest.mark.parametrize(
    ("forgery", "named"),
    [
        ("status = 'completed', closed_at = opened_at", "status is 'completed' in the row, 'open'"),
        ("title = 'Nothing to see'", "title is 'Nothing to see' in the row"),
        ("severity = 'SEV4'", "severity is 'SEV4' in the row, 'SEV2' in the log"),
    ],
)
def test_verify_fails_when_the_incident_row_disagrees_with_the_log(
    db_url: str, forgery: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_url)
    incident = start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    store.close()
    assert run(["verify", incident.incident_id, "--db", db_url]) == 0
    drop_row_guard(db_url)
    sql(db_url, f"UPDATE incident SET {forgery}")
    capsys.readouterr()

    code = run(["verify", incident.incident_id, "--db", db_url, "--json"])

    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert result["ok"] is False and result["row_ok"] is False and result["bad_seq"] is None
    assert named in result["problem"]
    assert run(["verify", incident.incident_id, "--db", db_url]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_verify_checks_the_closed_row_too(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = walked(db_url, tmp_path)
    assert run(["close", incident, "--db", db_url]) == 0
    store = open_store(db_url)
    assert store.events(incident)[-1].kind == Kind.INCIDENT_CLOSED
    store.close()
    drop_row_guard(db_url)
    sql(db_url, "UPDATE incident SET status = 'open', closed_at = NULL")  # reopened by hand
    capsys.readouterr()

    assert run(["verify", incident, "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert "status is 'open' in the row, 'completed' in the log" in out
    assert "closed_at is none in the row" in out


def test_a_responder_clock_outside_utc_does_not_fail_the_row_check(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta, timezone

    paris = timezone(timedelta(hours=2))
    store = open_store(db_url)
    responder = Responder("lead", "h", clock=lambda: datetime(2026, 5, 11, 21, 46, tzinfo=paris))
    incident = start_incident(load_runbook(DRILL), store=store, responder=responder)
    store.close()

    assert run(["verify", incident.incident_id, "--db", db_url]) == 0, capsys.readouterr().out
