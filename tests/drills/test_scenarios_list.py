"""`irbook drill scenarios`: what `drill start --scenario NAME` takes, each checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from irbook.cli import run

BAD_STEP = """\
id: bad-step
title: Injects after a step the runbook does not have
runbook: supply-chain-compromise
injects:
  - id: late
    title: The CA answers
    after_step: no-such-step
"""

NO_RUNBOOK = """\
id: lost
title: Names a runbook nobody has
runbook: not-installed-here
"""


def _scenarios(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["drill", "scenarios", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def test_the_shipped_scenarios_are_listed_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _scenarios(capsys, "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0
    assert {"hijacked-ci-npm-publish", "vendor-device-signing-keys"} <= set(rows)
    npm = rows["hijacked-ci-npm-publish"]
    assert npm["valid"] and npm["runbook"] == "supply-chain-compromise" and npm["injects"] >= 2


def test_a_broken_scenario_is_listed_with_its_problems_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "bad-step.yaml").write_text(BAD_STEP, encoding="utf-8")
    (tmp_path / "scenarios" / "lost.yaml").write_text(NO_RUNBOOK, encoding="utf-8")
    code, out = _scenarios(capsys, "--runbooks", str(tmp_path), "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 1
    assert rows["hijacked-ci-npm-publish"]["valid"]  # the shipped ones still listed
    bad = rows["bad-step"]
    assert not bad["valid"]
    assert any("bad-step.yaml:7:" in p and "no-such-step" in p for p in bad["problems"]), bad
    assert not rows["lost"]["valid"] and "not-installed-here" in rows["lost"]["problems"][0]
    code, out = _scenarios(capsys, "--runbooks", str(tmp_path))
    assert code == 1 and "invalid:" in out and "bad-step" in out
