"""A drill inject in the real walker, in a real pseudo-terminal: shown before the first question,
recorded once, not shown again after Ctrl-C and resume."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from drill_support import REPO

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

pytestmark = pytest.mark.pty
CASE = REPO / "tests" / "fixtures" / "runner" / "case"
FIRST_QUESTION = "When was the compromise detected"  # the shipped scenario fixes the ones before


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "IRBOOK_DB": str(tmp_path / "irbook.db"),
        "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "IRBOOK_ACTOR": "alice",
        "COLUMNS": "120",
        "IRBOOK_OUTPUT_DIR": str(tmp_path / "out"),
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "irbook", *args],
        cwd=str(CASE),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 120),
    )


def delivered(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "irbook.db") as db:
        rows = db.execute(
            "SELECT incident_id, json_extract(payload, '$.inject_id') FROM event "
            "WHERE kind = 'inject_delivered'"
        )
        return [(str(a), str(b)) for a, b in rows]


def test_the_inject_is_shown_before_the_first_question_and_once(tmp_path: Path) -> None:
    child = spawn(
        tmp_path,
        "drill",
        "start",
        "supply-chain-compromise",
        "--scenario",
        "hijacked-ci-npm-publish",
    )
    child.expect("DRILL INJECT: external-report")
    child.expect("An outside researcher reports malicious versions")
    child.expect(FIRST_QUESTION)
    child.sendintr()  # Ctrl-C at the question: the delivery was committed before it was asked
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    ((incident, inject),) = delivered(tmp_path)
    assert inject == "external-report"

    again = spawn(tmp_path, "resume", incident)
    again.expect(FIRST_QUESTION)
    assert "DRILL INJECT" not in (again.before or "")
    again.sendintr()
    again.expect(pexpect.EOF)
    again.close()
    assert delivered(tmp_path) == [(incident, "external-report")]
