"""Snapshots of every export format for the scripted incident (fixed clock and id).

A change to the report's output fails here until the snapshot is looked at and regenerated:

    UPDATE_SNAPSHOTS=1 /work/venv/bin/python -m pytest tests/report

rewrites tests/report/snapshots/* and docs/report-schema.json; review the diff, then commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scripted_incident import Scripted

from irbook.report import FORMATS, SUFFIX, export_report, report_json_schema

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "report-schema.json"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def check_snapshot(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(actual)
        return
    assert path.exists(), f"no snapshot {path.name}; create it with UPDATE_SNAPSHOTS=1"
    with path.open(encoding="utf-8", newline="") as handle:  # keep CSV's \r\n as written
        expected = handle.read()
    assert actual == expected, f"{path.name} changed; if intended, rerun with UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_matches_snapshot(scripted: Scripted, fmt: str) -> None:
    text = export_report(scripted.state(), fmt)
    check_snapshot(SNAPSHOTS / f"scripted{SUFFIX[fmt]}", text)


def test_export_is_deterministic(scripted: Scripted) -> None:
    state = scripted.state()
    for fmt in FORMATS:
        assert export_report(state, fmt) == export_report(scripted.state(), fmt)


def test_committed_json_schema_is_current() -> None:
    schema = json.dumps(report_json_schema(), indent=2, sort_keys=True) + "\n"
    check_snapshot(SCHEMA_FILE, schema)


def test_json_report_validates_against_committed_schema(scripted: Scripted) -> None:
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    document = json.loads(export_report(scripted.state(), "json"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["schema_version"] == "1"
    broken = dict(document, metrics="fast")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)
