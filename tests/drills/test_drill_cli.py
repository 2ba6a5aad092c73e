"""Done means (issue 18): a scenario with two injects run through the answers-file mode of the
real CLI, the drill report's scores, and not one SMTP connection while its notify steps run."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from drill_support import REPO

from irbook.cli import run

CASE = REPO / "tests" / "fixtures" / "runner" / "case"
FIXED = ("organisation", "vector", "payload", "detected_at", "regulations")
SCENARIO = """\
id: ci-hijack-two-injects
title: "Drill: hijacked CI publishes malicious versions"
runbook: supply-chain-compromise
inputs:
  organisation: Example Corp (drill)
  vector: ci-cd-pipeline
  payload: worm
  regulations: [nis2, gdpr]
injects:
  - id: external-report
    at: 0m
    title: An outside researcher reports malicious versions
  - id: second-host
    after_step: disconnect-devices
    title: A second host shows the IOC
    text: ci-runner-9 resolved filev2.getsession.org.
targets:
  contained: 1h
  credentials-rotated: 4h
  stakeholders-notified: 8h
"""


@dataclass
class SmtpLog:
    host: str
    port: int
    greetings: list[str] = field(default_factory=list)  # EHLO/HELO: every client sends one
    messages: list[bytes] = field(default_factory=list)


@pytest.fixture
def smtp() -> Iterator[SmtpLog]:
    """aiosmtpd on loopback, counting every client greeting and every message."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = SmtpLog("127.0.0.1", port)

    class Handler:
        async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
            log.greetings.append(hostname)
            session.host_name = hostname
            return "250 ok"

        async def handle_EHLO(
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            log.greetings.append(hostname)
            session.host_name = hostname
            return responses

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            log.messages.append(envelope.original_content)
            return "250 accepted"

    controller = Controller(Handler(), hostname=log.host, port=log.port)
    controller.start()
    try:
        yield log
    finally:
        controller.stop()


def _answers_up_to_the_notify_phase(tmp_path: Path) -> Path:
    """The shipped case's answers without the inputs the scenario fixes, ending before the
    notify phase (so its milestone is not reached and the run stops early)."""
    lines = []
    for line in (CASE / "answers.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("  regulator-notifications:"):
            break
        if not any(line.startswith(f"  {name}:") for name in FIXED):
            lines.append(line)
    path = tmp_path / "answers.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _irbook(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "irbook", *args],
        cwd=CASE,  # the answers' paths are relative to the case
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_scenario_with_two_injects_through_an_answers_file_is_scored_and_sends_no_mail(
    tmp_path: Path, smtp: SmtpLog, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    answers = _answers_up_to_the_notify_phase(tmp_path)
    db = tmp_path / "drills.db"
    env = dict(os.environ)
    env.update(
        IRBOOK_SMTP_HOST=smtp.host,
        IRBOOK_SMTP_PORT=str(smtp.port),
        IRBOOK_SMTP_TLS="none",
        IRBOOK_SMTP_FROM="irbook@example.com",
    )
    args = ["--scenario", str(scenario), "--answers", str(answers), "--db", str(db)]
    started = _irbook(["drill", "start", "supply-chain-compromise", *args, "--as", "alice"], env)
    assert "Traceback" not in started.stdout + started.stderr
    assert started.returncode == 1, started.stderr  # stopped early: the notify phase is unanswered
    assert started.stdout.count("DRILL INJECT: external-report") == 1
    assert started.stdout.count("DRILL INJECT: second-host") == 1
    with sqlite3.connect(db) as conn:
        (drill_id,) = conn.execute("SELECT id FROM incident").fetchone()
        kinds = Counter(k for (k,) in conn.execute("SELECT kind FROM event"))
        delivered = Counter(
            json.loads(p)["inject_id"]
            for (p,) in conn.execute("SELECT payload FROM event WHERE kind = 'inject_delivered'")
        )
    assert delivered == {"external-report": 1, "second-host": 1}
    assert kinds["notification_rendered"] >= 4  # the isolate phase's notify steps ran

    # `notify --send` on the drill: written to a file, still no connection
    sent = _irbook(
        [
            "notify",
            drill_id,
            "internal-alert",
            "--to",
            "staff@example.com",
            "--send",
            "--db",
            str(db),
        ],
        env,
    )
    assert "Traceback" not in sent.stdout + sent.stderr
    assert smtp.greetings == [] and smtp.messages == []

    code = run(["drill", "report", drill_id, "--json", "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    schema = json.loads((REPO / "docs" / "drill-report-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["drill"] is True and report["status"] == "in progress"
    results = {m["milestone"]: m["result"] for m in report["milestones"]}
    assert results == {
        "contained": "met",
        "credentials-rotated": "met",
        "stakeholders-notified": "not reached",
    }
    milestones = {m["milestone"]: m for m in report["milestones"]}
    contained = milestones["contained"]["elapsed"]["seconds"]
    rotated = milestones["credentials-rotated"]["elapsed"]["seconds"]
    assert 0 <= contained <= rotated <= 3600
    assert {d["id"]: d["status"] for d in report["deadlines"]} == {
        "nis2-early-warning": "met",  # in the isolate phase, within 24h of the start
        "gdpr-breach-notification": "open",
        "nis2-incident-notification": "open",
    }
    # met: two targets and one deadline, of three targets and three deadlines
    assert report["score"] == {
        "value": 50,
        "met": 3,
        "scored": 6,
        "formula": report["score"]["formula"],
    }
    assert report["score"]["formula"].startswith("score = (targets met + deadlines met)")
    injects = {i["id"]: i for i in report["injects"]}
    assert {k: i["deliveries"] for k, i in injects.items()} == {
        "external-report": 1,
        "second-host": 1,
    }
    assert injects["external-report"]["response"]["step"] == "open-incident-channel"
    assert injects["second-host"]["trigger"] == "after step disconnect-devices"
    assert injects["second-host"]["response"]["step"] == "preserve-evidence"
    assert [c["drill_id"] for c in report["comparison"]] == [drill_id]
    assert {s["step"] for s in report["skipped"]} == {"list-registry-tokens"}
    assert smtp.greetings == [] and smtp.messages == []


def test_drill_report_refuses_a_real_incident_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "real.db")
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs: {vector: unknown}\n", encoding="utf-8")
    mini = REPO / "tests" / "fixtures" / "runner" / "mini.yaml"
    assert run(["start", str(mini), "--answers", str(answers), "--db", db, "--as", "a"]) == 1
    capsys.readouterr()
    assert run(["list", "--json", "--db", db]) == 0
    (incident,) = [row["id"] for row in json.loads(capsys.readouterr().out)]
    code = run(["drill", "report", incident, "--db", db])
    out, err = capsys.readouterr()
    assert code == 2
    assert "is not a drill" in err and "Traceback" not in out + err


def test_drill_start_takes_a_shipped_scenario_by_name_and_watch_shows_its_inject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "named.db")
    answers = tmp_path / "a.yaml"
    answers.write_text("steps: {open-incident-channel: done}\n", encoding="utf-8")
    code = run(
        [
            "drill",
            "start",
            "supply-chain-compromise",
            "--scenario",
            "hijacked-ci-npm-publish",
            "--answers",
            str(answers),
            "--db",
            db,
            "--as",
            "alice",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err  # stopped early, as the file ends
    assert "DRILL INJECT: external-report" in out
    assert run(["list", "--drills", "--json", "--db", db]) == 0
    (drill_id,) = [row["id"] for row in json.loads(capsys.readouterr().out)]
    assert run(["watch", drill_id, "--once", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Drill injects (exercise only)" in out
    assert "to alice: An outside researcher reports malicious versions" in out

    wrong = run(
        ["drill", "start", "supply-chain-compromise", "--scenario", "hijacked-ci", "--db", db]
    )
    _, err = capsys.readouterr()
    assert wrong == 2 and "no scenario named 'hijacked-ci'" in err
    assert "hijacked-ci-npm-publish" in err
