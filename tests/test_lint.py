"""`irbook runbooks lint`: each rule fires on its fixture with its id, the shipped runbooks are clean.

Every rule has a fixture under tests/fixtures/lint/ named after it; the test finds the rule id in
the file name, so a new rule without a fixture (or a fixture that fires a different rule) fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from irbook.cli import run
from irbook.loader import resources
from irbook.loader.lint import RULES, lint_paths
from shared import FIXTURES, REPO

LINT = FIXTURES / "lint"
RULE_FIXTURES = sorted(LINT.glob("L0*.yaml"))
SHIPPED = sorted(resources.shipped_dir("runbooks").glob("*.yaml"))


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_every_rule_has_a_fixture_and_a_documented_rationale() -> None:
    doc = (REPO / "docs" / "runbook-lint.md").read_text(encoding="utf-8")
    assert sorted(p.name[:4] for p in RULE_FIXTURES) == [r.id for r in RULES]
    for rule in RULES:
        assert f"## {rule.id} {rule.name}" in doc


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.stem)
def test_each_fixture_exits_1_with_its_rule_id_only(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    rule = path.name[:4]
    code, out = cli(capsys, "runbooks", "lint", str(path))
    assert code == 1, out
    lines = out.strip().splitlines()
    assert lines
    for line in lines:
        match = re.match(rf"^{re.escape(str(path))}:(\d+):(\d+): (L\d\d\d) [a-z-]+: ", line)
        assert match, line
        assert match.group(3) == rule, line
        assert int(match.group(1)) > 1 and int(match.group(2)) >= 1


def test_findings_point_at_the_offending_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = LINT / "L001-revoke-not-gated.yaml"
    _, out = cli(capsys, "runbooks", "lint", str(path))
    line = int(out.split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip() == "revokes: [ssh]"
    assert "fleet-swept" in out and "sweep-fleet" in out


def test_l002_reports_both_the_skippable_preservation_and_the_ungated_reimage() -> None:
    (result,) = lint_paths([LINT / "L002-evidence-not-protected.yaml"])
    assert [(f.rule, f.message.split("'")[1]) for f in result.findings] == [
        ("L002", "preserve-evidence"),
        ("L002", "reimage"),
    ]


def test_a_clean_runbook_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "runbooks", "lint", str(LINT / "clean.yaml"))
    assert code == 0, out
    assert out.strip() == f"OK {LINT / 'clean.yaml'}"


def test_an_invalid_runbook_exits_2_and_says_it_was_not_linted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = FIXTURES / "invalid" / "unknown-step-type.yaml"
    code, out = cli(
        capsys, "runbooks", "lint", str(LINT / "L004-critical-unverifiable.yaml"), str(bad)
    )
    assert code == 2
    assert "not linted" in out and "L004" in out


def test_validate_stays_schema_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "runbooks", "validate", *map(str, RULE_FIXTURES))
    assert code == 0, out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "runbooks", "lint", "--json", str(LINT / "L005-unused-input.yaml"))
    assert code == 1
    (entry,) = json.loads(out)
    assert entry["valid"] is True and entry["problems"] == []
    assert entry["findings"] == [
        {
            "rule": "L005",
            "name": "unused-input",
            "line": 7,
            "column": 9,
            "message": entry["findings"][0]["message"],
        }
    ]
    assert "secret_kind" in entry["findings"][0]["message"]


def test_shipped_runbooks_lint_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "runbooks", "lint", *map(str, SHIPPED))
    assert code == 0, out


def test_the_runbook_as_reviewed_fires_the_ordering_rules(tmp_path: Path) -> None:
    """The 1.0.0 supply-chain runbook (kept as a fixture) had the hazards the review found:
    revocations without declarations (L007), the internal alert in phase 4 (L003)."""
    (result,) = lint_paths([LINT / "reviewed" / "supply-chain-compromise-1.0.0.yaml"])
    rules = {f.rule for f in result.findings}
    assert {"L003", "L007"} <= rules
    undeclared = {f.message.split("'")[1] for f in result.findings if f.rule == "L007"}
    assert {"rotate-ssh-keys", "rotate-ci-secrets", "rotate-cloud-credentials"} <= undeclared


def test_declaring_the_reviewed_rotations_shows_them_ungated(tmp_path: Path) -> None:
    """W1 as lint sees it: declare what the 1.0.0 SSH and cloud rotation steps revoke, and L001
    finds that they waited for neither persistence removal nor a fleet sweep."""
    text = (LINT / "reviewed" / "supply-chain-compromise-1.0.0.yaml").read_text(encoding="utf-8")
    for step_id, kind in (("rotate-ssh-keys", "ssh"), ("rotate-cloud-credentials", "cloud")):
        anchor = f"      - id: {step_id}\n"
        assert anchor in text
        text = text.replace(anchor, f"{anchor}        revokes: [{kind}]\n")
    path = tmp_path / "declared.yaml"
    path.write_text(text, encoding="utf-8")
    (result,) = lint_paths([path])
    gated = [
        (f.message.split("'")[1], f.message.split("provides ")[1].split(":")[0])
        for f in result.findings
        if f.rule == "L001"
    ]
    assert ("rotate-ssh-keys", "persistence-removed") in gated
    assert ("rotate-ssh-keys", "fleet-swept") in gated
    assert ("rotate-cloud-credentials", "persistence-removed") in gated
