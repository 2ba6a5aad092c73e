"""What the walker shows after a check or a failed command (issue 15, "See what happened").

Before: `check: 2 affected package version(s) in 2 file(s)` named no package or file, and a failed
command showed `exited with 1`, not npm's E403 (stored, but never shown).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from walker_support import CASE, RecordingDisplay, responder

from irbook.loader.load import load_runbook
from irbook.prompts import ScriptedPrompter
from irbook.runner import TerminalSource, Walker, WalkOptions
from irbook.runner.shown import finding_lines, last_lines
from irbook.store import open_store
from irbook.usecases.incidents import start_incident
from secret_samples import ALNUM, rnd

RUNBOOK = """\
apiVersion: irbook/v1
id: shown
version: 1.0.0
title: Shown
tlp: AMBER
phases:
  - id: find
    title: Find
    steps:
      - id: audit
        type: check
        uses: lockfile-audit
        with: {paths: [app], advisories: [advisories]}
        text: Audit the lockfiles.
      - id: publish
        type: command
        run: "printf 'npm notice\\\\nnpm ERR! code E403\\\\nnpm ERR! 403 Forbidden - PUT https://registry.npmjs.org/@acme%%2fui\\\\n//registry.npmjs.org/:_authToken=%s\\\\n' \\"$SHOWN_TOKEN\\" >&2; exit 1"
"""


def test_a_check_names_its_findings_and_a_failed_command_shows_its_last_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "npm_" + rnd(ALNUM, 36)
    monkeypatch.setenv("SHOWN_TOKEN", token)  # npm prints it; the runbook does not contain it
    path = tmp_path / "shown.yaml"
    path.write_text(RUNBOOK)
    store = open_store(str(tmp_path / "irbook.db"))
    incident = start_incident(load_runbook(path), store=store, responder=responder()).incident_id
    display = RecordingDisplay()
    prompter = ScriptedPrompter(["done", "done", "run", True, "pause"])
    Walker(
        store=store,
        responder=responder(),
        display=display,
        source=TerminalSource(prompter),
        options=WalkOptions(cwd=CASE, interactive=True, resume_command="irbook resume X"),
    ).run(incident)
    shown = "\n".join(display.lines)

    # the finding: file, package and version, advisory, safe version
    (finding,) = [line for line in display.lines if "package-lock.json" in line]
    assert finding.endswith(
        "app/package-lock.json: npm:@tanstack/react-router@1.169.5 x_TEST-0001 (safe: 1.169.9)"
    ), shown
    # the failed command: npm's own words, with the token masked
    assert "exited with 1" in shown
    assert "  npm ERR! code E403" in display.lines, shown
    assert "  npm ERR! 403 Forbidden - PUT https://registry.npmjs.org/@acme%2fui" in display.lines
    assert token not in shown and "[REDACTED" in shown


def test_the_first_findings_then_how_many_more_and_where() -> None:
    findings = [
        {"file": f"logs/proxy-{n}.log", "line": n, "kind": "domain", "ioc": "filev2.getsession.org"}
        for n in range(1, 9)
    ]
    lines = finding_lines(findings, incident_id="IR-20260511-1A2B")
    assert lines[0] == "logs/proxy-1.log:1: domain filev2.getsession.org"
    assert len(lines) == 6
    assert lines[-1] == "… and 3 more: `irbook report IR-20260511-1A2B` lists every finding"


def test_command_output_lines_cannot_drive_the_terminal() -> None:
    lines = last_lines("ok\n\x1b]0;owned\x07\x1b[2Jnpm ERR! code E403\r\n" + "x" * 1000)
    assert lines[0] == "ok"
    assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
    assert lines[1].endswith("npm ERR! code E403")
    assert len(lines[2]) <= 300
    assert len(last_lines("\n".join(str(n) for n in range(100)))) == 12


@pytest.mark.parametrize("missing", ["advisory", "safe_version"])
def test_a_finding_without_optional_fields_still_reads(missing: str) -> None:
    finding = {
        "file": "a/package-lock.json",
        "ecosystem": "npm",
        "name": "left-pad",
        "version": "1.0.0",
        "advisory": "GHSA-x",
        "safe_version": "1.0.1",
    }
    finding.pop(missing)
    line = finding_lines([finding], incident_id="IR-1")[0]
    assert line.startswith("a/package-lock.json: npm:left-pad@1.0.0")
