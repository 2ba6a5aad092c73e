"""Waiting on a third party: the step stays open, the walk goes on, comes back, and says when
the due time has passed; `irbook status --overdue` is the cron-friendly view of the same."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runner"
WAITING = FIXTURES / "waiting.yaml"
TIMEOUT = 60
ENTER = "\r"
DOWN = "\x1b[B"


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "IRBOOK_DB": str(tmp_path / "irbook.db"),
        "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "IRBOOK_ACTOR": "alice",
        "COLUMNS": "120",
        "IRBOOK_OUTPUT_DIR": str(tmp_path / "out"),
    }


def irbook(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "irbook", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.pty
def test_critical_step_waits_on_a_third_party_walk_continues_overdue_then_done(
    tmp_path: Path,
) -> None:
    env = env_for(tmp_path)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "irbook", "start", str(WAITING), "--title", "Leaked signing cert"],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 120),
    )
    # revoke-cert is critical: its menu is Read again, Done, Waiting on ...
    child.expect("What now\\?")
    child.send(DOWN + DOWN + ENTER)
    child.expect("Waiting on whom or what")
    child.send("CA (DigiCert support)" + ENTER)
    child.expect("Due by")
    child.send("2020-01-01T00:00:00Z" + ENTER)  # already past: overdue at the next prompt
    child.expect("waiting on CA")

    # The walk goes on with a step that does not need it, and says the due time has passed.
    child.expect("OVERDUE: revoke-cert")
    child.expect("Rotate the registry tokens")
    child.expect("What now\\?")

    overdue = irbook(env, "status", "--overdue", "--json")
    assert overdue.returncode == 1, overdue.stderr
    rows = json.loads(overdue.stdout)
    assert [(r["step"], r["on"], r["overdue"]) for r in rows] == [
        ("revoke-cert", "CA (DigiCert support)", True)
    ]
    shown = irbook(env, "status")
    assert "waiting on CA (DigiCert support)" in shown.stdout
    assert "OVERDUE" in shown.stdout

    child.send(ENTER)  # rotate-tokens: done
    # announce needs revoke-cert, so the walk goes on to the next phase
    child.expect("Write the post-mortem")
    child.expect("What now\\?")
    child.send(ENTER)
    # ... and then comes back to the waiting step
    child.expect("back to a waiting step: revoke-cert")
    child.expect("What now\\?")
    child.send(DOWN + ENTER)  # the CA answered: done
    child.expect("Announce the revocation")
    child.expect("What now\\?")
    child.send(ENTER)
    child.expect("Close the incident now\\?")
    child.send("y" + ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    with sqlite3.connect(tmp_path / "irbook.db") as conn:
        kinds = [
            (k, s)
            for k, s in conn.execute("select kind, step_id from event order by seq")
            if k in ("step_waiting", "step_completed")
        ]
        (status,) = conn.execute("select status from incident").fetchone()
    assert kinds == [
        ("step_waiting", "revoke-cert"),
        ("step_completed", "rotate-tokens"),
        ("step_completed", "post-mortem"),
        ("step_completed", "revoke-cert"),
        ("step_completed", "announce"),
    ]
    assert status == "completed"
    after = irbook(env, "status", "--overdue")
    assert after.returncode == 0, after.stdout + after.stderr
    assert "no overdue waiting steps" in after.stdout


def test_answers_file_wait_is_recorded_reported_and_resumed_to_done(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    first = tmp_path / "first.yaml"
    first.write_text(
        "steps:\n"
        '  revoke-cert: {wait: {on: "CA", due: "2020-01-01T10:00:00Z"}}\n'
        "  rotate-tokens: done\n"
        "  post-mortem: done\n"
    )
    started = irbook(env, "start", str(WAITING), "--answers", str(first))
    assert "Traceback" not in started.stdout + started.stderr
    assert "still open: revoke-cert" in started.stdout, started.stdout + started.stderr
    assert irbook(env, "status", "--overdue").returncode == 1
    view = json.loads(irbook(env, "status", "--json").stdout)
    assert view["progress"]["waiting"] == 1
    assert view["waiting"][0]["on"] == "CA"
    report = irbook(env, "report", view["incident"], "--format", "md")
    assert "waiting on CA since" in report.stdout, report.stdout + report.stderr

    second = tmp_path / "second.yaml"
    second.write_text("steps:\n  revoke-cert: done\n  announce: done\n")
    resumed = irbook(env, "resume", "--answers", str(second))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert irbook(env, "status", "--overdue").returncode == 0
    view = json.loads(irbook(env, "status", "--json").stdout)
    assert view["waiting"] == []
    assert view["progress"]["settled"] == view["progress"]["total"] == 4


def test_answers_file_wait_without_whom_is_refused(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text('steps:\n  revoke-cert: {wait: {due: "2020-01-01T10:00:00Z"}}\n')
    proc = irbook(env, "start", str(WAITING), "--answers", str(bad))
    assert proc.returncode == 2
    assert "waiting needs who or what" in proc.stderr + proc.stdout


REPO = Path(__file__).resolve().parents[2]
CASE = "tests/fixtures/runner/case/answers.yaml"


def test_readme_answers_example_from_the_repo_root_resolves_paths_next_to_the_file(
    tmp_path: Path,
) -> None:
    """The README's `irbook start supply-chain-compromise --answers tests/fixtures/runner/case/
    answers.yaml`, run from the repo root: the file's relative paths (app, logs, iocs.txt) are
    read next to the answers file, so the lockfile audit finds the lockfiles."""
    env = env_for(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "irbook", "start", "supply-chain-compromise", "--answers", CASE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    view = json.loads(irbook(env, "status", "--json").stdout)
    assert view["inputs"]["repo_paths"] == ["tests/fixtures/runner/case/app"]
    with sqlite3.connect(tmp_path / "irbook.db") as conn:
        checks = [
            json.loads(p)
            for (p,) in conn.execute("select payload from event where kind = 'check_ran'")
        ]
    audit = next(c for c in checks if c["action"] == "lockfile-audit")
    assert "not found" not in audit["summary"]
    assert audit["findings"], audit["summary"]


def test_watch_shows_waiting_steps_and_overdue_at_its_next_refresh(tmp_path: Path) -> None:
    from walker_support import responder

    from irbook.console.watch import render
    from irbook.domain.events import Kind, NewEvent, StepWaiting
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import record, start_incident
    from irbook.usecases.team import watch_frame

    store = open_store(str(tmp_path / "irbook.db"))
    state = start_incident(load_runbook(WAITING), store=store, responder=responder())
    for due in ("2999-01-01T00:00:00+00:00", "2020-01-01T00:00:00+00:00"):
        wait = StepWaiting(on="the CA", due=due)
        record(store, state, NewEvent(Kind.STEP_WAITING, wait, step_id="revoke-cert"), responder())
        frame = watch_frame(state)
        (row,) = frame.waiting
        assert (row["step"], row["on"]) == ("revoke-cert", "the CA")
        assert frame.overdue == (1 if due.startswith("2020") else 0)
    from rich.console import Console

    console = Console(width=160, record=True)
    console.print(render(frame))
    text = console.export_text()
    assert "OVERDUE revoke-cert ! waiting on the CA, due 2020-01-01 00:00 UTC" in text
    store.close()


def test_answers_file_without_the_waiting_step_leaves_it_waiting(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    first = tmp_path / "first.yaml"
    first.write_text('steps:\n  revoke-cert: {wait: {on: "CA"}}\n  rotate-tokens: done\n')
    irbook(env, "start", str(WAITING), "--answers", str(first))
    rest = tmp_path / "rest.yaml"
    rest.write_text("steps:\n  post-mortem: done\n")
    resumed = irbook(env, "resume", "--answers", str(rest))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "still open: revoke-cert" in resumed.stdout
    view = json.loads(irbook(env, "status", "--json").stdout)
    assert [w["step"] for w in view["waiting"]] == ["revoke-cert"]
    assert [e for e in view["phases"][1]["steps"] if e["status"] == "done"]


def test_an_overdue_drill_is_left_out_of_the_cron_sweep_but_shown_when_named(
    tmp_path: Path,
) -> None:
    """A rehearsal left open with an overdue wait must not make a cron `status --overdue` page
    anyone; named, it is listed like any incident."""
    env = env_for(tmp_path)
    answers = tmp_path / "wait.yaml"
    answers.write_text('steps:\n  revoke-cert: {wait: {on: "CA", due: "2020-01-01T10:00:00Z"}}\n')
    started = irbook(env, "drill", "start", str(WAITING), "--answers", str(answers))
    assert "Traceback" not in started.stdout + started.stderr
    (drill,) = json.loads(irbook(env, "list", "--drills", "--json").stdout)
    sweep = irbook(env, "status", "--overdue", "--json")
    assert (sweep.returncode, json.loads(sweep.stdout)) == (0, []), sweep.stderr
    named = irbook(env, "status", drill["id"], "--overdue", "--json")
    assert named.returncode == 1, named.stdout + named.stderr
    assert [r["step"] for r in json.loads(named.stdout)] == ["revoke-cert"]
