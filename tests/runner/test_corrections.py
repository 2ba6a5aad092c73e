"""Corrections: an input changed after it was recorded, a failed check run again or overridden.

The lockfile path below was right when it was typed (typed inputs are checked on entry), then the
checkout moved: the check fails "not found", exactly as a mistyped path did before inputs were
typed. The incident must not be stuck: `irbook set` corrects the path, the check runs again.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from walker_support import CASE

TIMEOUT = 600


def irbook(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IRBOOK_DB": str(tmp / "irbook.db"),
        "IRBOOK_ACTOR": "alice",
        "IRBOOK_OUTPUT_DIR": str(tmp / "out"),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "irbook", *args],
        cwd=tmp / "case",
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def answers_files(tmp: Path) -> tuple[Path, Path]:
    """The case's answers with repo_paths [app-old]: inputs and every step before the lockfile
    audit; then the remaining steps (no inputs)."""
    full: dict[str, Any] = yaml.safe_load((CASE / "answers.yaml").read_text("utf-8"))
    full["inputs"]["repo_paths"] = ["app-old"]
    steps = list(full["steps"].items())
    cut = [k for k, _ in steps].index("lockfile-audit")
    first, rest = tmp / "case" / "first.yaml", tmp / "case" / "rest.yaml"
    first.write_text(yaml.safe_dump({"inputs": full["inputs"], "steps": dict(steps[:cut])}))
    rest.write_text(yaml.safe_dump({"steps": dict(steps[cut:])}))
    return first, rest


def check_events(tmp: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(tmp / "irbook.db") as conn:
        rows = conn.execute(
            "select payload from event where kind = 'check_ran' and step_id = 'lockfile-audit' "
            "order by seq"
        )
        return [json.loads(p) for (p,) in rows]


def stopped_at_failed_audit(tmp: Path) -> tuple[str, Path]:
    shutil.copytree(CASE, tmp / "case")
    (tmp / "case" / "app").rename(tmp / "case" / "app-old")
    first, rest = answers_files(tmp)
    started = irbook(tmp, "start", "supply-chain-compromise", "--answers", str(first))
    assert started.returncode == 1, started.stdout + started.stderr  # stops at lockfile-audit
    assert "stopped at step" in started.stderr
    (tmp / "case" / "app-old").rename(tmp / "case" / "app")  # the checkout moved back

    failed = irbook(tmp, "resume", "--answers", str(rest))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "check lockfile-audit failed" in failed.stderr
    assert "not found" in failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    (event,) = check_events(tmp)
    assert event["failed"] is True
    incident = json.loads(irbook(tmp, "status", "--json").stdout)
    assert incident["next_step"] == "lockfile-audit"  # open: neither stuck nor settled
    return str(incident["incident"]), rest


def test_correct_the_path_rerun_the_failed_check_and_complete(tmp_path: Path) -> None:
    incident, rest = stopped_at_failed_audit(tmp_path)

    typo = irbook(tmp_path, "set", incident, "repo_paths=app-olde")
    assert typo.returncode == 2
    assert "app-olde: no such file or directory" in typo.stderr  # validated like the original

    fixed = irbook(tmp_path, "set", incident, "repo_paths=app")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "repo_paths = app (was app-old" in fixed.stdout
    assert "lockfile-audit ran with the old value" in fixed.stdout + fixed.stderr

    done = irbook(tmp_path, "resume", "--answers", str(rest))
    assert done.returncode == 0, done.stdout + done.stderr
    first, again = check_events(tmp_path)
    assert first["failed"] and not again.get("failed")
    assert again["findings"], again["summary"]
    closed = irbook(tmp_path, "close", incident)
    assert closed.returncode == 0, closed.stdout + closed.stderr

    view = json.loads(irbook(tmp_path, "status", incident, "--json").stdout)
    assert view["inputs"]["repo_paths"] == ["app"]
    report = irbook(tmp_path, "report", incident, "--format", "md").stdout
    section = report[report.index("## Corrected inputs") :]
    assert "`repo_paths`" in section and "app-old" in section


def test_resume_answers_with_inputs_applies_them_as_corrections(tmp_path: Path) -> None:
    incident, rest = stopped_at_failed_audit(tmp_path)
    steps = yaml.safe_load(rest.read_text())
    rest.write_text(yaml.safe_dump({"inputs": {"repo_paths": ["app"]}, **steps}))
    done = irbook(tmp_path, "resume", "--answers", str(rest))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "input repo_paths = app (was app-old)" in done.stdout
    assert [bool(e.get("failed")) for e in check_events(tmp_path)] == [True, False]
    report = irbook(tmp_path, "report", incident, "--format", "md").stdout
    assert "## Corrected inputs" in report


def test_failed_check_overridden_with_a_reason_is_an_exception(tmp_path: Path) -> None:
    incident, rest = stopped_at_failed_audit(tmp_path)
    steps = yaml.safe_load(rest.read_text())
    steps["steps"]["lockfile-audit"] = {"override": "audited by hand in the IDE"}
    rest.write_text(yaml.safe_dump(steps))
    done = irbook(tmp_path, "resume", "--answers", str(rest))
    assert done.returncode == 0, done.stdout + done.stderr
    closed = irbook(tmp_path, "close", incident)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    view = json.loads(irbook(tmp_path, "status", incident, "--json").stdout)
    assert view["status"] == "completed with exceptions"
    report = irbook(tmp_path, "report", incident, "--format", "md").stdout
    assert "failed check overridden: audited by hand in the IDE" in report


def test_set_redacts_the_old_and_the_new_value_and_refuses_unknown_inputs(tmp_path: Path) -> None:
    incident, _ = stopped_at_failed_audit(tmp_path)
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    first = irbook(tmp_path, "set", incident, f"organisation=Acme {token}")
    assert first.returncode == 0, first.stdout + first.stderr
    second = irbook(tmp_path, "set", incident, f"organisation=Acme Corp {token}x")
    assert second.returncode == 0
    with sqlite3.connect(tmp_path / "irbook.db") as conn:
        rows = [p for (p,) in conn.execute("select payload from event")]
    assert not any(token in row for row in rows)
    corrected = [json.loads(r) for r in rows if '"previous"' in r]
    assert corrected[-1]["redacted"] and "Acme" in corrected[-1]["previous"]
    unknown = irbook(tmp_path, "set", incident, "organization=Acme")
    assert unknown.returncode == 2
    assert "did you mean 'organisation'" in unknown.stderr
    assert irbook(tmp_path, "set", incident, "no-equals-sign").returncode == 2
