"""Damaged event rows (edited in the SQLite file by hand, as sqlite3 would): `verify` names every
damaged row by seq and cause (exit 1); `status` and `report` refuse with exit 2 and point to
`verify`; a dropped table is a corrupt database (2), not an unreachable one (4). Never exit 3."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scripted_incident import Scripted

DAMAGE = {
    "payload-not-json": (
        "UPDATE event SET payload = '{not json' WHERE seq = 5",
        "5",
        "not valid JSON",
    ),
    "payload-blob": ("UPDATE event SET payload = x'00ff10' WHERE seq = 6", "6", "binary data"),
    "time-not-a-time": ("UPDATE event SET at = 'yesterday' WHERE seq = 7", "7", "'yesterday'"),
    "payload-too-deep": (  # sound JSON, nested deeper than Python's parser goes
        "UPDATE event SET payload = '{\"deep\": ' || replace(hex(zeroblob(5000)), '00', '[') "
        "|| replace(hex(zeroblob(5000)), '00', ']') || '}' WHERE seq = 9",
        "9",
        "nested too deeply",
    ),
    "seq-not-a-number": ("UPDATE event SET seq = '13x' WHERE seq = 13", "13x", "not a number"),
}


def tamper(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


def irbook(scripted: Scripted, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh process (its exit code is the contract)."""
    done = subprocess.run(
        [sys.executable, "-m", "irbook", *args, "--db", scripted.db_url],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert "internal error" not in done.stderr
    return done


@pytest.mark.parametrize("damage", DAMAGE, ids=str)
def test_one_damaged_row_is_named_by_verify_and_refused_by_status_and_report(
    scripted: Scripted, damage: str
) -> None:
    sql, seq, cause = DAMAGE[damage]
    tamper(scripted.db_path, sql)
    incident = scripted.incident_id

    verify = irbook(scripted, "verify", incident)
    assert verify.returncode == 1, verify.stderr
    assert f"  event {seq}: " in verify.stdout and cause in verify.stdout
    for command in (["status", incident], ["report", incident, "--format", "md"]):
        refused = irbook(scripted, *command)
        assert refused.returncode == 2, (command, refused.stdout, refused.stderr)
        assert f"event log of {incident} is damaged (event {seq}: " in refused.stderr
        assert f"`irbook verify {incident}`" in refused.stderr


def test_verify_lists_every_damaged_row(scripted: Scripted) -> None:
    tamper(scripted.db_path, *(sql for sql, _, _ in DAMAGE.values()))
    verify = irbook(scripted, "verify", scripted.incident_id, "--json")
    assert verify.returncode == 1
    result = json.loads(verify.stdout)
    assert result["ok"] is False
    assert [row["seq"] for row in result["damaged"]] == ["5", "6", "7", "9", "13x"]
    for row, (_, _, cause) in zip(result["damaged"], DAMAGE.values(), strict=True):
        assert cause in row["cause"]
    assert result["bad_seq"] == 5  # where the chain stops


@pytest.mark.parametrize("table", ["event", "incident"])
def test_a_dropped_table_is_a_corrupt_database_not_an_unreachable_one(
    scripted: Scripted, table: str
) -> None:
    tamper(scripted.db_path, "PRAGMA foreign_keys = OFF", f"DROP TABLE {table}")
    for command in ("verify", "status", "report"):
        done = irbook(scripted, command, scripted.incident_id)
        assert done.returncode == 2, (command, done.stderr)
        assert "is not a valid irbook database" in done.stderr
        assert f"table {table} is missing" in done.stderr
