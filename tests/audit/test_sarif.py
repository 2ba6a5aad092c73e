"""`irbook audit lockfiles --format sarif`: SARIF 2.1.0, validated against the OASIS schema
(tests/fixtures/sarif/SOURCE.md says where the schema comes from)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from irbook.cli import run
from shared import FIXTURES

OWN = FIXTURES / "lockfile-audit"
SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = run(["audit", "lockfiles", *args, "--format", "sarif"])
    document = json.loads(capsys.readouterr().out)
    jsonschema.Draft7Validator(SCHEMA).validate(document)
    return code, document


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_findings_as_sarif_results_with_rules_and_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "package-lock.json").write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "": {"name": "app"},
                    "node_modules/left-padder": {"version": "9.9.9"},
                    "node_modules/@tanstack/history": {"version": "1.161.12"},
                },
            },
            indent=2,
        )
    )
    listing = tmp_path / "list.txt"
    listing.write_text("@tanstack/history:1.161.12\n")
    open_ended = OWN / "osv" / "x_open-ended.json"
    code, document = sarif(capsys, str(repo), "-a", str(listing), "-a", str(open_ended))
    assert code == 1
    (run_,) = document["runs"]
    assert run_["tool"]["driver"]["name"] == "irbook"
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    results = {r["ruleId"]: r for r in run_["results"]}
    assert set(results) == set(rules) == {"list.txt:1", "x_IRBOOK-TEST-1"}
    assert results["list.txt:1"]["level"] == "error"
    assert results["x_IRBOOK-TEST-1"]["level"] == "warning"  # all-versions: low confidence
    location = results["list.txt:1"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == (repo / "package-lock.json").as_uri()
    assert location["region"]["startLine"] == 10  # the first line that names @tanstack/history
    assert run_["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_no_finding_is_an_empty_valid_log(capsys: pytest.CaptureFixture[str]) -> None:
    listing = OWN / "lists" / "seen.txt"
    code, document = sarif(capsys, str(OWN / "clean"), "-a", str(listing))
    assert code == 0
    assert document["runs"][0]["results"] == []


def test_unreadable_advisories_are_error_notifications(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "MAL-1.json"
    broken.write_text('{"id": "MAL-1", "affected": [')
    code, document = sarif(capsys, str(OWN / "app"), "-a", str(broken), "--keep-going")
    assert code == 2
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == broken.as_uri()


def test_format_json_is_the_json_list_and_disagreeing_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [str(OWN / "app"), "-a", str(OWN / "lists" / "seen.txt")]
    run(["audit", "lockfiles", *args, "--json"])
    as_json = capsys.readouterr().out
    run(["audit", "lockfiles", *args, "--format", "json"])
    assert capsys.readouterr().out == as_json
    assert run(["audit", "lockfiles", *args, "--json", "--format", "sarif"]) == 2
    assert "disagree" in capsys.readouterr().err
