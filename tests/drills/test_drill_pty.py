"""`irbook drill start` at a real terminal (pexpect): the DRILL banner above the header and above
each step screen; the scenario's input is never asked, the others are."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from irbook.domain.drills import BANNER

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

pytestmark = pytest.mark.pty
MINI = Path(__file__).resolve().parent.parent / "fixtures" / "runner" / "mini.yaml"
GAP = r"(?:\x1b\[[0-9;?]*[A-Za-z]|\s)+"  # spaces and the colour codes between two words


def words(*parts: str) -> str:
    return GAP.join(re.escape(p) for p in parts)


SCENARIO = "id: s\ntitle: Stolen token drill\nrunbook: mini\ninputs: {vector: ci-cd-pipeline}\n"


def test_the_walker_shows_the_banner_on_the_header_and_every_step(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "IRBOOK_ACTOR": "alice",
        "COLUMNS": "120",
        "IRBOOK_OUTPUT_DIR": str(tmp_path / "out"),
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "irbook", "drill", "start", str(MINI), "--scenario", str(scenario), "--db", str(db)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 120),
    )
    try:
        child.expect(re.escape(BANNER))
        child.expect(r"Started IR-DRILL-\d{8}-[0-9A-F]{4}")
        child.expect("Stolen token drill")
        child.expect("Organisation")  # the optional input the scenario leaves open is asked
        child.expect(r"\?|:")
        child.send("Acme\r")
        child.expect(re.escape(BANNER))  # above the first step
        child.expect(words("affected-devices", "input"))
        assert "How were the malicious versions published" not in child.before
        child.expect("What now\\?")
        child.send("\r")  # answer
        child.expect(r"\?")
        child.send("ci-4\r")
        child.expect(re.escape(BANNER))  # above the second step
        child.expect(words("disconnect", "confirm"))
        child.expect("What now\\?")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select payload from event where kind = 'input_recorded' order by seq"
        ).fetchall()
    inputs = {p["input_id"]: p["value"] for p in (json.loads(r[0]) for r in rows)}
    assert inputs == {"vector": "ci-cd-pipeline", "organisation": "Acme"}
