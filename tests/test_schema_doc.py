"""docs/runbook-schema.json is generated from the models and must not drift from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from irbook.cli import run
from irbook.loader.load import load_yaml_data
from shared import FIXTURES, REPO

SCHEMA_DOC = REPO / "docs" / "runbook-schema.json"
REGENERATE = "irbook runbooks schema -o docs/runbook-schema.json"


def generated(capsys: pytest.CaptureFixture[str]) -> str:
    assert run(["runbooks", "schema"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def committed_schema() -> Any:
    return json.loads(SCHEMA_DOC.read_text(encoding="utf-8"))


def test_committed_schema_matches_the_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert SCHEMA_DOC.read_text(encoding="utf-8") == generated(capsys), (
        f"{SCHEMA_DOC.relative_to(REPO)} is out of date with src/irbook/models.py; "
        f"regenerate it from the repository root with: {REGENERATE}"
    )


def test_schema_output_option_writes_the_same_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "schema.json"
    assert run(["runbooks", "schema", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    assert out.read_text(encoding="utf-8") == generated(capsys)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = committed_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_minimal_runbook_is_valid_against_the_schema() -> None:
    data = load_yaml_data(FIXTURES / "valid" / "minimal.yaml")
    jsonschema.Draft202012Validator(committed_schema()).validate(data)


@pytest.mark.parametrize(
    "name", ["unknown-key-step.yaml", "unknown-step-type.yaml", "phases-not-list.yaml"]
)
def test_editors_see_the_same_mistakes(name: str) -> None:
    """The schema is strict too (extra keys forbidden, step types closed), so an editor using it
    flags what `irbook runbooks validate` flags."""
    data = load_yaml_data(FIXTURES / "invalid" / name)
    errors = list(jsonschema.Draft202012Validator(committed_schema()).iter_errors(data))
    assert errors
