"""docs/drill-report-schema.json is generated from the drill report model and validates a report.

Regenerate after an intended change: UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/drills
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
from drill_support import REPO, T0, Clock, open_drill, scenario

from irbook.report.drill_model import drill_report_json_schema
from irbook.report.drill_service import drill_report
from irbook.store import open_store

SCHEMA_FILE = REPO / "docs" / "drill-report-schema.json"


def test_the_committed_schema_is_current() -> None:
    text = json.dumps(drill_report_json_schema(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SCHEMA_FILE.write_text(text, encoding="utf-8")
    assert SCHEMA_FILE.read_text(encoding="utf-8") == text, (
        "docs/drill-report-schema.json is out of date; rerun with UPDATE_SNAPSHOTS=1"
    )


def test_a_drill_report_validates_against_the_committed_schema(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "irbook.db"))
    injects = [{"id": "second-host", "title": "A second host", "at": "0m"}]
    drill = open_drill(store, Clock(T0), scenario(injects=injects, targets={"contained": "1h"}))
    document = json.loads(drill_report(store, drill.incident_id, "json").text)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
