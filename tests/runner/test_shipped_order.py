"""The shipped supply-chain runbook walked as a team and alone: the order the review asked for holds.

Review W1/W2: with the 1.0.0 runbook, `resume --role ops-lead` confirmed CI, cloud, Kubernetes and
SSH rotation while persistence removal was still open, and the worm's `gh-token-monitor` wipes the
home directory when its token is revoked. Review W5: walking alone, the internal alert came 37th.

Both walks go through the real CLI with answers files, on a real SQLite file, and read the order
of completion from the event log.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from walker_support import CASE

from irbook.cli import run
from irbook.loader import resources
from irbook.loader.load import load_runbook

RUNBOOK = load_runbook(
    resources.shipped_dir("runbooks") / "supply-chain-compromise.yaml", known_templates=None
).runbook
REVOKING = {s.id for _, s in RUNBOOK.steps() if s.revokes}
GATES = ("remove-persistence", "sweep-fleet")
ROLE_ORDER = ("incident-commander", "ops-lead", "security-engineer", "comms-lead", "legal")


def answers(**inputs: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CASE / "answers.yaml").read_text(encoding="utf-8"))
    data["inputs"].update(inputs)
    data["steps"].setdefault("recover-maintainer-accounts", "done")  # stolen credentials only
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def completed(db: str) -> dict[str, int]:
    """Step id -> seq of the event that completed it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select step_id, seq from event where kind = 'step_completed' order by seq"
        ).fetchall()
    return {str(step): int(seq) for step, seq in rows}


def test_walking_by_role_no_revocation_completes_before_persistence_removal_and_the_sweep(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASE)
    db = str(tmp_path / "irbook.db")
    full = answers(vector="stolen-credentials", payload="worm")
    # The incident is opened with the inputs only; then each role resumes in turn with the
    # answers of its own steps, as a team would, round after round until nothing is left.
    start = write(tmp_path / "inputs.yaml", {"inputs": full["inputs"]})
    code, out = cli(
        capsys,
        "start",
        "supply-chain-compromise",
        "--answers",
        str(start),
        "--db",
        db,
        "--as",
        "dana",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 1, out  # stopped at the first step: nobody's answers were given yet
    _, listing = cli(capsys, "list", "--json", "--db", db)
    incident = json.loads(listing)[0]["id"]
    role_files = {
        role: write(
            tmp_path / f"{role}.yaml",
            {
                "steps": {
                    step_id: decision
                    for step_id, decision in full["steps"].items()
                    if RUNBOOK.step(step_id).role == role
                }
            },
        )
        for role in ROLE_ORDER
    }
    before_gates: list[str] = []
    for _ in range(6):
        for role in ROLE_ORDER:
            cli(
                capsys,
                "resume",
                incident,
                "--role",
                role,
                "--answers",
                str(role_files[role]),
                "--db",
                db,
                "--as",
                role,
                "--out",
                str(tmp_path / "out"),
            )
            done = completed(db)
            if not all(gate in done for gate in GATES):
                before_gates += sorted(REVOKING & done.keys())
        _, status = cli(capsys, "status", incident, "--json", "--db", db)
        if json.loads(status)["next_step"] is None:
            break
    view = json.loads(status)
    assert view["next_step"] is None, "the team walk did not finish"
    assert before_gates == []
    done = completed(db)
    applicable_revoking = REVOKING & done.keys()
    assert {
        "rotate-ssh-keys",
        "rotate-ci-secrets",
        "rotate-cloud-credentials",
        "rotate-kubernetes-credentials",
        "rotate-vault-tokens",
        "recover-maintainer-accounts",
    } <= applicable_revoking
    for step_id in applicable_revoking:
        assert done[step_id] > max(done[g] for g in GATES), step_id


def test_ops_lead_first_cannot_rotate_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduction of W1: ops-lead resumes before anyone else has done anything."""
    monkeypatch.chdir(CASE)
    db = str(tmp_path / "irbook.db")
    full = answers(vector="stolen-credentials", payload="worm")
    whole = write(tmp_path / "all.yaml", full)
    start = write(tmp_path / "inputs.yaml", {"inputs": full["inputs"]})
    cli(capsys, "start", "supply-chain-compromise", "--answers", str(start), "--db", db)
    _, listing = cli(capsys, "list", "--json", "--db", db)
    incident = json.loads(listing)[0]["id"]
    cli(capsys, "resume", incident, "--role", "ops-lead", "--answers", str(whole), "--db", db)
    done = completed(db)
    assert "block-indicators" in done  # ops-lead did work...
    assert REVOKING & done.keys() == set()  # ...but revoked nothing


def test_walking_alone_the_internal_alert_comes_before_any_rotation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASE)
    db = str(tmp_path / "irbook.db")
    path = write(tmp_path / "all.yaml", answers(vector="stolen-credentials", payload="worm"))
    code, out = cli(
        capsys,
        "start",
        "supply-chain-compromise",
        "--answers",
        str(path),
        "--db",
        db,
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, out
    done = completed(db)
    order = sorted(done, key=done.__getitem__)
    rotation = [s for s in order if s in REVOKING or RUNBOOK.phase_of(s).id == "rotate"]
    assert rotation
    assert done["internal-alert"] < min(done[s] for s in rotation)
    assert order.index("internal-alert") <= 1  # right after declaring the incident
    reports = [s for s in order if s.startswith("registry-report")]
    assert reports and all(RUNBOOK.phase_of(s).id == "isolate" for s in reports)


def _walk_all(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, detected_at: str
) -> tuple[str, str]:
    db = str(tmp_path / "irbook.db")
    path = write(tmp_path / "all.yaml", answers(detected_at=detected_at))
    code, out = cli(
        capsys,
        "start",
        "supply-chain-compromise",
        "--answers",
        str(path),
        "--db",
        db,
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, out
    _, listing = cli(capsys, "list", "--json", "--db", db)
    return db, json.loads(listing)[0]["id"]


def test_deadlines_in_status_watch_brief_and_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detected on 2026-05-11 and walked today: the GDPR and NIS2 clocks ran out long ago (the
    CRA's did not apply yet), and every surface says so."""
    monkeypatch.chdir(CASE)
    db, incident = _walk_all(capsys, tmp_path, "2026-05-11T19:46:00Z")
    _, status = cli(capsys, "status", incident, "--json", "--db", db)
    deadlines = {d["id"]: d for d in json.loads(status)["deadlines"]}
    assert set(deadlines) == {
        "nis2-early-warning",
        "gdpr-breach-notification",
        "nis2-incident-notification",
    }  # regulations: [gdpr, nis2]; the CRA applies from 2026-09-11, SEC was not chosen
    assert deadlines["nis2-early-warning"]["due"] == "2026-05-12T19:46:00+00:00"
    assert {d["status"] for d in deadlines.values()} == {"missed"}
    _, text = cli(capsys, "status", incident, "--db", db)
    assert "deadlines (from detection)" in text and "missed NIS2 early warning" in text
    _, frame = cli(capsys, "watch", incident, "--once", "--db", db)
    assert "GDPR personal-data breach notification" in frame
    _, report = cli(capsys, "report", incident, "--format", "json", "--db", db)
    data = json.loads(report)
    assert (data["deadlines_met"], data["deadlines_missed"]) == (0, 3)
    assert "Deadlines: 0 met, 3 missed" in data["summary"]
    _, markdown = cli(capsys, "report", incident, "--format", "md", "--db", db)
    assert "## Deadlines" in markdown
    (brief,) = (tmp_path / "out").glob("*leadership-brief*.eml")
    body = brief.read_text(encoding="utf-8")
    assert "Deadlines from detection" in body and "NIS2 early warning to the CSIRT" in body


def test_deadlines_met_when_the_steps_are_done_in_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASE)
    detected = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db, incident = _walk_all(capsys, tmp_path, detected)
    _, report = cli(capsys, "report", incident, "--format", "json", "--db", db)
    data = json.loads(report)
    names = {d["id"] for d in data["deadlines"]}
    assert {"cra-early-warning", "cra-notification"} & names == set()  # not chosen
    assert data["deadlines_met"] == len(names) == 3 and data["deadlines_missed"] == 0
