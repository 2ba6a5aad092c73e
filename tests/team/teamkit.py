"""Helpers for the team-mode tests: PostgreSQL URLs, generated runbooks, responder processes
and the integrity check every concurrency test ends with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

if TYPE_CHECKING:
    from irbook.events import Event
    from irbook.store import Store

TEAM_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "team"
DRILL = TEAM_FIXTURES / "team-drill.yaml"


def libpq(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy) -> postgresql://... (libpq/psycopg)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def server_url() -> str:
    url = os.environ.get("IRBOOK_TEST_PG_URL")
    if not url:
        reason = (
            "no PostgreSQL server: set IRBOOK_TEST_PG_URL=postgresql+psycopg://USER:PW@HOST/DB "
            "or run `bash .ci/postgres.sh .venv/bin/python -m pytest tests/team`"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the team tests on a real server", pytrace=False)
        pytest.skip(reason)
    return url


def big_runbook(path: Path, roles: list[str], steps_per_role: int) -> Path:
    """A runbook with ``steps_per_role`` confirm steps owned by each role (concurrency tests)."""
    lines = [
        "apiVersion: irbook/v1", "id: load-drill", "version: 1.0.0", "title: Load drill",
        f"roles: [{', '.join(roles)}]", "phases:",
    ]  # fmt: skip
    for role in roles:
        lines += [f"  - id: {role}-work", f"    title: Work of {role}", "    steps:"]
        for n in range(steps_per_role):
            lines += [
                f"      - id: {role}-{n:04d}", "        type: confirm",
                f"        text: Step {n} of {role}.", f"        role: {role}",
            ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


DRIVER = Path(__file__).resolve().parent / "driver.py"


def write_answers(path: Path, steps: dict[str, object], inputs: dict[str, object] | None = None) -> Path:
    """An answers file (JSON is YAML, and keeps yaml out of the tests)."""
    path.write_text(json.dumps({"inputs": inputs or {}, "steps": steps}), encoding="utf-8")
    return path


def run_drivers(
    url: str, incident_id: str, walkers: list[tuple[str, Path, str | None]], *, mode: str = "walk"
) -> list[dict[str, Any]]:
    """Start one driver process per (actor, answers file, role), release them together once all
    are ready, and return each one's JSON report (failing with its stderr if it failed)."""
    procs = []
    for actor, answers, role in walkers:
        args = [sys.executable, str(DRIVER), mode, url, incident_id, actor, str(answers)]
        procs.append(subprocess.Popen(
            [*args, *([role] if role else [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        ))  # fmt: skip
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", (line, proc.communicate()[1])
    for proc in procs:  # the starting gun: every driver is blocked on this line
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, err = proc.communicate()
        assert proc.returncode == 0, f"driver failed ({proc.returncode}):\n{err}"
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def assert_log_intact(store: Store, incident_id: str) -> list[Event]:
    """Seqs are gapless 1..N and the hash chain verifies (what `irbook verify` checks)."""
    from irbook.verify import verify_incident

    events = store.events(incident_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    result = verify_incident(store, incident_id)
    assert result.ok, result.problem
    assert result.events == len(events)
    return events
