"""The log scan searches the union of the indicators typed at the `iocs` step and the IOC file
(issue 11, finding 9: it used to scan only `inputs.ioc_file`, while the e-mails listed the typed
ones)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from walker_support import CASE

from irbook.cli import run


def test_log_scan_uses_typed_iocs_and_the_ioc_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASE)  # the answers' paths are relative to the working directory
    shipped = (CASE / "answers.yaml").read_text(encoding="utf-8")
    # example.org is typed only (not in iocs.txt); filev2.getsession.org is in both
    typed = "  iocs: [example.org, filev2.getsession.org]\n"
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "".join(typed if line.startswith("  iocs:") else line for line in shipped.splitlines(True)),
        encoding="utf-8",
    )
    db = str(tmp_path / "irbook.db")
    argv = ["start", "supply-chain-compromise", "--answers", str(answers), "--db", db]
    assert run([*argv, "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        (payload,) = conn.execute(
            "select payload from event where kind = 'check_ran' and step_id = 'log-ioc-scan'"
        ).fetchone()
    hits = {(h["ioc"], tuple(h["sources"])) for h in json.loads(payload)["findings"]}
    assert ("example.org", ("typed at the iocs step",)) in hits
    # in both: one indicator, both sources named
    (sources,) = [sources for ioc, sources in hits if ioc == "filev2.getsession.org"]
    assert sources[0].endswith("iocs.txt:2") and sources[1] == "typed at the iocs step"


def test_loader_names_an_unknown_answers_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    runbook = tmp_path / "r.yaml"
    runbook.write_text(
        "apiVersion: irbook/v1\nid: r\nversion: 1.0.0\ntitle: R\nphases:\n"
        "  - id: a\n    title: A\n    steps:\n"
        "      - id: iocs\n        type: input\n        value: list\n        prompt: IOCs\n"
        "      - id: scan\n        type: check\n        uses: log-ioc-scan\n"
        "        with: {paths: logs, indicators: '{{ answers.ioc }}'}\n",
        encoding="utf-8",
    )
    assert run(["runbooks", "validate", str(runbook)]) == 2
    out = capsys.readouterr()
    assert "unknown step 'ioc' (did you mean 'iocs'?)" in out.out + out.err
