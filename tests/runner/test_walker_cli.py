"""The incident commands through the real CLI: answers files, status --json, bad databases."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from walker_support import CASE, MINI

from irbook.cli import run
from irbook.store.tables import SCHEMA_VERSION

SHIPPED_ANSWERS = CASE / "answers.yaml"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def incident_ids(capsys: pytest.CaptureFixture[str], db: str) -> list[str]:
    code, out, _ = cli(capsys, "list", "--json", "--db", db)
    assert code == 0
    return [row["id"] for row in json.loads(out)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def open_mini_incident(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str) -> str:
    """Start the mini runbook with only its input answered; return the incident id."""
    answers = write(tmp_path / "a.yaml", "inputs: {vector: unknown}\n")
    assert cli(capsys, "start", str(MINI), "--answers", str(answers), "--db", db)[0] == 1
    (incident,) = incident_ids(capsys, db)
    return incident


def test_complete_answers_file_finishes_and_status_json_reports_every_step(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASE)  # the answers' paths are relative to the working directory
    db = str(tmp_path / "irbook.db")
    code, out, err = cli(
        capsys,
        "start",
        "supply-chain-compromise",
        "--answers",
        str(SHIPPED_ANSWERS),
        "--db",
        db,
        "--as",
        "alice",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, err
    (incident,) = incident_ids(capsys, db)
    code, out, _ = cli(capsys, "status", incident, "--json", "--db", db)
    view = json.loads(out)
    steps = [s for phase in view["phases"] for s in phase["steps"]]
    assert len(steps) == 76
    assert [p["id"] for p in view["phases"]] == [
        "isolate",
        "rotate",
        "audit",
        "notify",
        "harden",
        "monitor",
    ]
    for step in steps:
        assert step["status"] in ("done", "skipped", "not applicable"), step
        if step["status"] != "not applicable":
            assert step["actor"] == "alice" and step["at"].startswith("20"), step
    skipped = {s["id"]: s["reason"] for s in steps if s["status"] == "skipped"}
    assert skipped["list-registry-tokens"] == "npm CLI not installed on the responder's machine"
    audit = next(s for s in steps if s["id"] == "lockfile-audit")
    assert audit["value"]["findings"] == 1
    assert view["next_step"] is None
    assert all(view["milestones"].values())
    # every notify step wrote its .eml into the output folder and recorded it
    notify_steps = [
        s for s in steps if s["type"] == "notify" and s["status"] != "not applicable"
    ]  # only npm was affected: the PyPI report does not apply
    emls = sorted((tmp_path / "out").glob("*.eml"))
    assert len(emls) == len(notify_steps) == 5
    assert {s["id"] for s in steps if s["status"] == "not applicable"} >= {"registry-report-pypi"}
    for step in notify_steps:
        assert any(Path(f).parent == tmp_path / "out" for f in step["value"]["files"])
    with sqlite3.connect(db) as conn:
        rendered = conn.execute(
            "select step_id, payload from event where kind = 'notification_rendered'"
        ).fetchall()
    assert sorted(r[0] for r in rendered) == sorted(s["id"] for s in notify_steps)
    assert {json.loads(r[1])["path"] for r in rendered} == {str(p) for p in emls}


def test_answers_stop_at_first_unanswered_step_exit_1_and_resume_continues(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    partial = write(
        tmp_path / "a.yaml", "inputs: {vector: unknown}\nsteps:\n  affected-devices: [a]\n"
    )
    code, _, err = cli(capsys, "start", str(MINI), "--answers", str(partial), "--db", db)
    assert code == 1
    assert "stopped at step isolate/disconnect" in err
    (incident,) = incident_ids(capsys, db)
    assert f"irbook resume {incident} --db {db}" in err
    rest = write(
        tmp_path / "b.yaml",
        "steps:\n  disconnect: done\n  disarm-persistence: done\n"
        "  tokens: done\n  list-tokens: {run: true}\n  signing-cert: {skip: none}\n",
    )
    code, _, err = cli(capsys, "resume", incident, "--answers", str(rest), "--db", db)
    assert code == 0, err
    code, out, _ = cli(capsys, "status", incident, "--json", "--db", db)
    assert json.loads(out)["progress"]["settled"] == 6


def test_answers_file_with_unknown_ids_records_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    bad = write(
        tmp_path / "bad.yaml",
        "inputs:\n  vectr: unknown\nsteps:\n  disconect: done\n  disconnect: {skip: later}\n",
    )
    code, _, err = cli(capsys, "start", str(MINI), "--answers", str(bad), "--db", db)
    assert code == 2
    assert err.splitlines()[:3] == [
        f"error: {bad}:2:3: inputs.vectr: unknown input 'vectr' (did you mean 'vector'?)",
        f"{bad}:4:3: steps.disconect: unknown step 'disconect' (did you mean 'disconnect'?)",
        f"{bad}:5:15: steps.disconnect: step 'disconnect': is critical and cannot be skipped",
    ]
    assert "nothing was recorded" in err
    assert incident_ids(capsys, db) == []


def test_no_terminal_and_no_answers_exits_2_with_a_hint(tmp_path: Path) -> None:
    env = {**os.environ, "IRBOOK_DB": str(tmp_path / "x.db")}
    proc = subprocess.run(
        [sys.executable, "-m", "irbook", "start", str(MINI)],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "no terminal" in proc.stderr and "--answers FILE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_incident_id_names_close_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    incident = open_mini_incident(capsys, tmp_path, db)
    typo = incident[:-1] + ("X" if incident[-1] != "X" else "Y")
    for argv in (["status", typo], ["resume", typo], ["note", typo, "hi"], ["close", typo]):
        code, _, err = cli(capsys, *argv, "--db", db)
        assert code == 2
        assert f"no incident '{typo}'" in err and incident in err


def test_corrupt_database_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "irbook.db"
    db.write_bytes(b"this is not sqlite at all, just some bytes" * 100)
    before = db.read_bytes()
    code, _, err = cli(capsys, "list", "--db", str(db))
    assert code == 2
    assert "not a valid irbook database" in err and "keep the file" in err
    assert db.read_bytes() == before


def test_database_from_a_newer_irbook_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "irbook.db"
    assert cli(capsys, "db", "init", "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:
        conn.execute(
            "update irbook_meta set value = ? where key = 'schema_version'",
            (str(SCHEMA_VERSION + 1),),
        )
    code, _, err = cli(capsys, "list", "--db", str(db))
    assert code == 2
    assert f"schema {SCHEMA_VERSION + 1}" in err and "upgrade irbook" in err


def test_a_schema_version_that_only_looks_like_digits_is_corrupt_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ "²".isdigit() is True but int("²") raises: opening and `db info` read it one way now."""
    db = tmp_path / "irbook.db"
    assert cli(capsys, "db", "init", "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:
        conn.execute("update irbook_meta set value = '²' where key = 'schema_version'")
    code, _, err = cli(capsys, "list", "--db", str(db))
    assert code == 2 and "not a valid irbook database" in err
    code, out, err = cli(capsys, "db", "info", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["schema_version"] is None
    assert "internal error" not in err


def test_locked_database_exits_4_and_loses_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "irbook.db"
    incident = open_mini_incident(capsys, tmp_path, str(db))
    monkeypatch.setenv("IRBOOK_LOCK_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process is writing
    try:
        code, _, err = cli(capsys, "note", incident, "hello", "--db", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 4
    assert "locked by another process" in err
    code, _, _ = cli(capsys, "note", incident, "hello again", "--db", str(db))
    assert code == 0
    code, out, _ = cli(capsys, "status", incident, "--json", "--db", str(db))
    assert json.loads(out)["events"] == 4  # opened, two inputs, one note: nothing lost or doubled


def test_close_refused_while_critical_steps_are_open(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    incident = open_mini_incident(capsys, tmp_path, db)
    code, _, err = cli(capsys, "close", incident, "--db", db)
    assert code == 2
    assert "open critical steps: disconnect" in err


def test_note_and_attach_record_events_with_redaction(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    incident = open_mini_incident(capsys, tmp_path, db)
    token = "npm_" + "x" * 36
    code, _, err = cli(capsys, "note", incident, f"old token {token}", "--db", db)
    assert code == 0 and "token-prefix" in err
    evidence = write(tmp_path / "e.txt", "evidence")
    code, out, _ = cli(capsys, "attach", incident, str(evidence), "-d", "e", "--db", db)
    assert code == 0
    assert "sha256 " in out
    with sqlite3.connect(tmp_path / "irbook.db") as conn:
        payloads = [row[0] for row in conn.execute("select payload from event order by seq")]
    assert token not in "".join(payloads)
    assert '"size": 8' in payloads[-1] or '"size":8' in payloads[-1]


def test_database_file_is_created_private(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "new" / "irbook.db"
    assert cli(capsys, "db", "init", "--db", str(db))[0] == 0
    assert db.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_resume_with_an_unknown_role_says_which_roles_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    open_mini_incident(capsys, tmp_path, db)
    code, _, err = cli(
        capsys, "resume", "--role", "comms-led", "--answers", str(tmp_path / "a.yaml"), "--db", db
    )
    assert code == 2
    assert "has no role 'comms-led' (did you mean 'comms-lead'?)" in err
    assert "ops-lead, comms-lead" in err


def test_status_prints_a_legend_of_its_marks_and_json_has_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    partial = write(
        tmp_path / "a.yaml", "inputs: {vector: unknown}\nsteps:\n  affected-devices: [a]\n"
    )
    assert cli(capsys, "start", str(MINI), "--answers", str(partial), "--db", db)[0] == 1
    code, out, _ = cli(capsys, "status", "--db", db)
    assert code == 0
    legend = " ".join(out.split()[out.split().index("legend:") :])  # however the width wraps it
    for meaning in (
        "✓ done",
        "≈ done with exceptions",
        "↷ skipped",
        "· pending",
        "– not applicable",
        "! critical",
        "← next",
    ):
        assert meaning in legend, legend
    code, out, _ = cli(capsys, "status", "--json", "--db", db)
    assert code == 0 and "legend" not in out
    assert json.loads(out)["progress"]["settled"] == 1


def test_resume_says_resuming_even_when_nothing_was_answered_yet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Seen in a fresh shell: `irbook start`, Ctrl-C at the first question, `irbook resume`
    printed "Started IR-...", which reads as a second incident opened by mistake."""
    db = str(tmp_path / "irbook.db")
    waiting = CASE.parent / "waiting.yaml"  # no inputs: the log holds only its opening event
    nothing = write(tmp_path / "none.yaml", "steps: {}\n")
    code, out, _ = cli(capsys, "start", str(waiting), "--answers", str(nothing), "--db", db)
    assert code == 1 and "Started IR-" in out
    (incident,) = incident_ids(capsys, db)
    code, out, _ = cli(capsys, "resume", incident, "--answers", str(nothing), "--db", db)
    assert code == 1
    assert f"Resuming {incident}" in out and "Started" not in out, out
