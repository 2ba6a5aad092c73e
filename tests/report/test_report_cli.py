"""`irbook report` and `irbook followup` through the real command line (irbook.cli.run)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from scripted_incident import NPM_TOKEN, Scripted

from irbook.cli import run
from irbook.cli.report import ReportFormat
from irbook.report import FORMATS, export_report


def test_cli_formats_are_the_exporters_formats() -> None:
    assert tuple(f.value for f in ReportFormat) == FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_to_file_is_private_and_equals_the_export(
    scripted: Scripted, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"report.{fmt}"
    assert (
        run(["report", scripted.incident_id, "-f", fmt, "-o", str(out), "--db", scripted.db_url])
        == 0
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(encoding="utf-8", newline="") as handle:
        assert handle.read() == export_report(scripted.state(), fmt)
    assert f"wrote {out}" in capsys.readouterr().out


def test_report_to_stdout(scripted: Scripted, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", scripted.incident_id.lower(), "--db", scripted.db_url]) == 0
    assert capsys.readouterr().out.startswith(f"# Incident {scripted.incident_id}: completed")


def test_unknown_format_and_incident_exit_2(
    scripted: Scripted, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["report", scripted.incident_id, "-f", "pdf", "--db", scripted.db_url]) == 2
    assert run(["report", "IR-20250908-REPX", "--db", scripted.db_url]) == 2
    assert "did you mean IR-20250908-REPT" in capsys.readouterr().err


def test_followup_after_close_is_redacted_and_exported(
    scripted: Scripted, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "followup",
        scripted.incident_id,
        f"Rotate {NPM_TOKEN} in the mirror too",
        "--owner",
        "erin",
        "--due",
        "2025-11-01",
        "--as",
        "frank",
        "--json",
        "--db",
        scripted.db_url,
    ]
    assert run(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["redacted"] == ["npm-access-token"] and data["seq"] == 24
    assert NPM_TOKEN not in json.dumps(data)
    csv_text = export_report(scripted.state(), "followups-csv")
    assert "Rotate [REDACTED npm-access-token] in the mirror too" in csv_text
    assert ",erin,2025-11-01," in csv_text
    assert scripted.state().events[-1].actor == "frank"


@pytest.mark.parametrize("due", ["2025-13-01", "01/11/2025", "20251101", "soon"])
def test_followup_with_a_bad_date_exits_2(
    scripted: Scripted, due: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["followup", scripted.incident_id, "x", "--due", due, "--db", scripted.db_url]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert scripted.state().events[-1].seq == 23  # nothing was recorded


def test_empty_followup_exits_2(scripted: Scripted) -> None:
    assert run(["followup", scripted.incident_id, "  ", "--db", scripted.db_url]) == 2


def test_report_never_writes_through_a_symlink(
    scripted: Scripted, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me\n")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    assert run(["report", scripted.incident_id, "-o", str(link), "--db", scripted.db_url]) == 2
    assert "it is a symbolic link" in capsys.readouterr().err
    assert target.read_text() == "keep me\n"


def test_report_over_an_existing_0644_file_makes_it_0600(
    scripted: Scripted, tmp_path: Path
) -> None:
    out = tmp_path / "report.md"
    out.write_text("old")
    out.chmod(0o644)
    assert run(["report", scripted.incident_id, "-o", str(out), "--db", scripted.db_url]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").startswith(f"# Incident {scripted.incident_id}")
