"""`irbook verify`: tamper with the SQLite file directly and see the chain break at the right seq."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from scripted_incident import Scripted

from irbook.cli import run
from irbook.domain.events import event_hash
from irbook.usecases.verify import verify_chain, verify_incident


def tamper(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


def cli(scripted: Scripted, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "irbook", *args, "--db", scripted.db_url],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_intact_chain_exits_0_and_prints_head(scripted: Scripted) -> None:
    head = scripted.state().head_hash
    result = verify_incident(scripted.store, scripted.incident_id)
    assert result.ok and result.head_hash == head and result.bad_seq is None
    proc = cli(scripted, "verify", scripted.incident_id)
    assert proc.returncode == 0, proc.stderr
    assert head in proc.stdout


def test_edited_payload_fails_at_its_seq(scripted: Scripted) -> None:
    tamper(
        scripted.db_path,
        "UPDATE event SET payload = json_set(payload, '$.reason', 'no reason') WHERE seq = 15",
    )
    result = verify_incident(scripted.store, scripted.incident_id)
    assert not result.ok and result.bad_seq == 15
    assert "edited" in result.problem
    proc = cli(scripted, "verify", scripted.incident_id)
    assert proc.returncode == 1
    assert "event 15" in proc.stdout


@pytest.mark.parametrize(
    "column",
    [
        "actor = 'mallory'",
        "at = '2025-09-08 10:00:00.000000'",
        "kind = 'note_added'",
        "step_id = NULL",
    ],
)
def test_edited_columns_fail_at_their_seq(scripted: Scripted, column: str) -> None:
    tamper(scripted.db_path, f"UPDATE event SET {column} WHERE seq = 8")
    result = verify_incident(scripted.store, scripted.incident_id)
    assert (result.ok, result.bad_seq) == (False, 8)


def test_deleted_event_is_named(scripted: Scripted) -> None:
    tamper(scripted.db_path, "DELETE FROM event WHERE seq = 12")
    result = verify_incident(scripted.store, scripted.incident_id)
    assert (result.ok, result.bad_seq) == (False, 12)
    assert "missing" in result.problem
    proc = cli(scripted, "verify", scripted.incident_id, "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["ok"] is False and data["bad_seq"] == 12


def test_swapped_events_fail_at_the_first_of_them(scripted: Scripted) -> None:
    tamper(
        scripted.db_path,
        "UPDATE event SET seq = -1 WHERE seq = 6",
        "UPDATE event SET seq = 6 WHERE seq = 7",
        "UPDATE event SET seq = 7 WHERE seq = -1",
    )
    result = verify_incident(scripted.store, scripted.incident_id)
    assert (result.ok, result.bad_seq) == (False, 6)
    assert cli(scripted, "verify", scripted.incident_id).returncode == 1


def test_rehashed_edit_breaks_the_next_link(scripted: Scripted) -> None:
    """An editor who also recomputes the edited event's hash is caught by the following event."""
    events = scripted.store.events(scripted.incident_id)
    forged = replace(events[9], actor="mallory")
    forged = replace(forged, hash=event_hash(forged))
    tamper(
        scripted.db_path,
        f"UPDATE event SET actor = 'mallory', hash = '{forged.hash}' WHERE seq = 10",
    )
    result = verify_incident(scripted.store, scripted.incident_id)
    assert (result.ok, result.bad_seq) == (False, 11)
    assert "prev_hash" in result.problem


def test_truncated_tail_is_caught_by_expect(scripted: Scripted) -> None:
    head = scripted.state().head_hash
    tamper(scripted.db_path, "DELETE FROM event WHERE seq = 23")
    assert verify_incident(scripted.store, scripted.incident_id).ok  # the chain alone cannot see it
    result = verify_incident(scripted.store, scripted.incident_id, expect=head)
    assert not result.ok and "expected" in result.problem
    assert run(["verify", scripted.incident_id, "--expect", head, "--db", scripted.db_url]) == 1


def test_pure_chain_checks() -> None:
    assert verify_chain("IR-x", []).bad_seq == 1


def test_unknown_incident_exits_2(scripted: Scripted, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["verify", "IR-NOPE", "--db", scripted.db_url]) == 2
    assert "no incident 'IR-NOPE'" in capsys.readouterr().err


def test_report_of_a_tampered_log_says_so(scripted: Scripted) -> None:
    from irbook.report import build_report, export_report

    assert build_report(scripted.state()).chain_intact
    tamper(
        scripted.db_path,
        "UPDATE event SET payload = json_set(payload, '$.text', 'nothing to see') WHERE seq = 7",
    )
    report = build_report(scripted.state())
    assert not report.chain_intact and "event 7" in (report.chain_problem or "")
    assert "**BROKEN**: event 7" in export_report(scripted.state(), "md")
    assert "BROKEN</strong>: event 7" in export_report(scripted.state(), "html")


def test_the_chain_check_hashes_the_bytes_canonical_writes(scripted: Scripted) -> None:
    """event_hash writes the canonical JSON field by field (issue 17): the same bytes as
    ``canonical`` for every event, odd strings and a field of the wrong type included."""
    from datetime import UTC, datetime
    from enum import IntEnum

    from irbook.domain import eventlog

    class Seq(IntEnum):
        ONE = 1

    events = list(scripted.store.events(scripted.incident_id))
    odd = events[0]
    variants = [
        replace(odd, actor='é "quoted" \\ \n\t\x00 \u2028 😀 ✓', host="h\u200bost"),
        replace(odd, login="alice", step_id="step-1"),
        replace(odd, payload={}, step_id=None),
        replace(odd, payload={"z": [1, 2.5, None, True], "a": {"é": "😀"}}),
        replace(odd, at=datetime(1, 1, 1, tzinfo=UTC)),
        replace(odd, seq=Seq.ONE),  # not an exact int: canonical itself
        replace(odd, actor=None),  # a hand-written row: canonical itself
    ]
    for e in events + variants:
        expected = eventlog.canonical(*eventlog._hashed(e))
        assert eventlog._body_of(e) == expected
        assert event_hash(e) == eventlog.chain_hash(e.prev_hash, expected)
