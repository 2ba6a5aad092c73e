"""A drill's report says so in every format (the real-incident formats are pinned by the
snapshots, which carry `drill: false` and the `drill` column)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from irbook.cli import run
from irbook.domain.drills import BANNER, SUBJECT_PREFIX

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "runner" / "mini.yaml"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def drill(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[str, str]:
    db = str(tmp_path / "t.db")
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs: {vector: unknown}\nsteps: {affected-devices: [ci-4]}\n")
    assert cli(capsys, "drill", "start", str(MINI), "--answers", str(answers), "--db", db)[0] == 1
    code, out, _ = cli(capsys, "list", "--drills", "--json", "--db", db)
    incident = json.loads(out)[0]["id"]
    code, _, err = cli(capsys, "followup", incident, "Rotate the signing key yearly", "--db", db)
    assert code == 0, err
    return db, incident


def report(capsys: pytest.CaptureFixture[str], drill: tuple[str, str], fmt: str) -> str:
    db, incident = drill
    code, out, err = cli(capsys, "report", incident, "--format", fmt, "--db", db)
    assert code == 0, err
    return out


def test_markdown_and_html_reports_of_a_drill_open_with_the_banner(
    capsys: pytest.CaptureFixture[str], drill: tuple[str, str]
) -> None:
    md = report(capsys, drill, "md")
    assert md.splitlines()[0] == f"> **{BANNER}**"
    html = report(capsys, drill, "html")
    assert f"<title>DRILL: {drill[1]}" in html
    main = html[html.index("<main>") :]
    assert main.index(f'<p class="drill-banner">{BANNER}</p>') < main.index('class="statusline"')


def test_json_and_csv_reports_of_a_drill_say_so(
    capsys: pytest.CaptureFixture[str], drill: tuple[str, str]
) -> None:
    assert json.loads(report(capsys, drill, "json"))["drill"] is True
    rows = list(csv.DictReader(io.StringIO(report(capsys, drill, "csv"))))
    assert rows and {r["drill"] for r in rows} == {"true"}
    (followup,) = csv.DictReader(io.StringIO(report(capsys, drill, "followups-csv")))
    assert followup["title"].startswith(SUBJECT_PREFIX)
    assert followup["labels"].split() == ["incident-response", drill[1], "drill"]
