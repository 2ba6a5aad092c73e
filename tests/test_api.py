"""irbook.api against a real SQLite file: start, record, close, report, audit (docs/api.md)."""

from __future__ import annotations

import inspect
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from irbook import api
from irbook.errors import (
    CloseRefusedError,
    ExitCode,
    InvalidInputError,
    StepUnansweredError,
    UsageError,
)
from irbook.store import open_store
from shared import FIXTURES

MINI = FIXTURES / "runner" / "mini.yaml"
CASE = FIXTURES / "runner" / "case"
LOCKFILES = FIXTURES / "lockfile-audit"
INPUTS = "inputs: {vector: ci-cd-pipeline, organisation: Acme}\n"
ALL_STEPS = (
    "steps:\n  affected-devices: [ci-runner-4]\n  disconnect: done\n  disarm-persistence: done\n"
    "  tokens: done\n  list-tokens: {run: false}\n  signing-cert: {skip: no signing here}\n"
)
NPM_TOKEN = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # the shape of a real one


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def event_kinds(db: Path, incident: str) -> list[str]:
    """Straight from the file, not through irbook: what was really committed."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "select kind from event where incident_id = ? order by seq", (incident,)
        ).fetchall()
    finally:
        conn.close()
    return [kind for (kind,) in rows]


def test_start_record_close_and_report(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    answers = write(tmp_path / "answers.yaml", INPUTS + ALL_STEPS)

    walked = api.start(runbook=MINI, answers=answers, db=db, actor="alice", severity="SEV1")
    assert (walked.outcome, walked.status) == ("settled", "open")
    assert walked.state.inputs == {"vector": "ci-cd-pipeline", "organisation": "Acme"}
    incident = walked.incident_id

    note = api.record(
        incident=incident, note=f"token was {NPM_TOKEN}", step="tokens", db=db, actor="bob"
    )
    assert note.redacted == ["npm-access-token"] and NPM_TOKEN not in json.dumps(note.event.payload)
    assert (note.event.actor, note.event.step_id) == ("bob", "tokens")
    evidence_file = write(tmp_path / "proxy.log", "GET https://git-tanstack.com/x\n")
    evidence = api.record(
        incident=incident, evidence=evidence_file, description="proxy log", db=db, actor="bob"
    )
    assert evidence.event.payload["size"] == evidence_file.stat().st_size
    followup = api.record(
        incident=incident, followup="trusted publishing", owner="dana", due="2026-06-30", db=db
    )
    assert followup.event.payload["due"] == "2026-06-30"

    closed = api.close(incident=incident, db=db, actor="alice")
    assert (closed.outcome, closed.status) == ("closed", "completed with exceptions")
    kinds = event_kinds(db, incident)
    assert kinds[0] == "incident_opened" and kinds[-1] == "incident_closed"
    assert {"note_added", "evidence_attached", "followup_added"} <= set(kinds)

    markdown = api.report(incident=incident, format="md", db=db)
    assert incident in markdown and "no signing here" in markdown
    assert NPM_TOKEN not in markdown
    document = json.loads(api.report(incident=incident, format="json", db=db))
    assert document["schema_version"] == "1"
    assert document["status"] == "completed with exceptions"
    assert document["incident_id"] == incident


def test_an_answers_file_that_stops_early_and_resume(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    partial = write(tmp_path / "a.yaml", INPUTS + "steps:\n  affected-devices: [a]\n")
    with pytest.raises(StepUnansweredError) as stopped:
        api.start(runbook=MINI, answers=partial, db=db, actor="alice")
    assert stopped.value.exit_code == ExitCode.FINDINGS
    assert "stopped at step isolate/disconnect" in stopped.value.message

    rest = write(tmp_path / "b.yaml", ALL_STEPS.replace("  affected-devices: [ci-runner-4]\n", ""))
    resumed = api.resume(answers=rest, db=db, actor="alice")  # the most recent open incident
    assert resumed.outcome == "settled"
    assert resumed.state.steps["signing-cert"].reason == "no signing here"


def test_close_is_refused_while_a_critical_step_is_open(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    with pytest.raises(StepUnansweredError):
        api.start(runbook=MINI, answers=write(tmp_path / "a.yaml", INPUTS), db=db, actor="a")
    (incident,) = [i.id for i in _incidents(db)]
    with pytest.raises(CloseRefusedError, match="open critical steps: disconnect"):
        api.close(incident=incident, db=db)
    assert event_kinds(db, incident)[-1] != "incident_closed"


def test_a_critical_step_cannot_be_skipped_through_the_api(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    answers = write(tmp_path / "a.yaml", INPUTS + "steps:\n  disconnect: {skip: busy}\n")
    with pytest.raises(InvalidInputError, match="critical"):
        api.start(runbook=MINI, answers=answers, db=db, actor="alice")
    assert _incidents(db) == []  # checked before anything was opened


def test_record_takes_exactly_one_thing(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    with pytest.raises(UsageError, match=r"exactly one of .* \(got note, followup\)"):
        api.record(incident="IR-1", note="a", followup="b", db=db)
    with pytest.raises(UsageError, match=r"\(got none\)"):
        api.record(incident="IR-1", db=db)


def test_an_open_store_is_used_and_left_open(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "irbook.db"))
    try:
        answers = write(tmp_path / "answers.yaml", INPUTS + ALL_STEPS)
        walked = api.start(runbook=MINI, answers=answers, db=store, actor="alice")
        api.close(incident=walked.incident_id, db=store)
        assert store.incident(walked.incident_id).status == "completed with exceptions"
    finally:
        store.close()


def test_an_unknown_report_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        api.report(incident="IR-1", format="pdf", db=tmp_path / "irbook.db")


def test_audit_lockfiles_finds_the_fixture_lockfiles_compromised_version(tmp_path: Path) -> None:
    advisories = write(tmp_path / "seen.txt", "npm:@tanstack/react-router:1.169.8\n")
    report = api.audit_lockfiles(paths=[LOCKFILES / "app"], advisories=[advisories])
    assert report.files == [str(LOCKFILES / "app" / "package-lock.json")]
    assert [(f.package.name, f.package.version, f.match) for f in report.findings] == [
        ("@tanstack/react-router", "1.169.8", "exact")
    ]
    clean = api.audit_lockfiles(paths=[LOCKFILES / "clean"], advisories=[advisories])
    assert clean.ok and clean.packages > 0


def test_audit_logs_finds_an_indicator(tmp_path: Path) -> None:
    result = api.audit_logs(paths=[CASE / "logs"], ioc_files=[CASE / "iocs.txt"])
    assert result.hits and {hit.file for hit in result.hits} == {str(CASE / "logs" / "proxy.log")}
    nothing = api.audit_logs(paths=[CASE / "logs"], domains=["nothing-here.example"])
    assert nothing.ok


@pytest.mark.parametrize("name", api.__all__)
def test_every_function_takes_keyword_arguments_only(name: str) -> None:
    function: Any = getattr(api, name)
    if inspect.isclass(function):
        return  # the result types
    parameters = inspect.signature(function).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), name


def _incidents(db: Path) -> list[Any]:
    store = open_store(str(db))
    try:
        return list(store.incidents())
    finally:
        store.close()


def test_docs_api_md_describes_every_function_and_argument() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
    for name in api.__all__:
        function: Any = getattr(api, name)
        if inspect.isclass(function):
            assert f"`{name}`" in doc, name
            continue
        assert f"\n### {name}\n" in doc, f"docs/api.md has no section '### {name}'"
        section = doc.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0]
        for parameter in inspect.signature(function).parameters:
            assert f"{parameter}=" in section or f"{parameter}," in section, (name, parameter)
