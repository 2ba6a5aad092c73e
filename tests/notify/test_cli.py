"""`irbook notify` through the real command line (typer app, catch site, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

from irbook.cli import run

TEMPLATES = Path(__file__).resolve().parent.parent / "fixtures" / "notify" / "templates"


def test_notify_writes_eml_and_prints_json(make_incident, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    db = f"sqlite:///{tmp_path / 't.db'}"
    out = tmp_path / "out"
    code = run(
        [
            "notify",
            state.incident_id,
            "registry-report",
            "--to",
            "security@npmjs.com",
            "--out",
            str(out),
            "--db",
            db,
            "--json",
            "--as",
            "carol",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["to"] == ["security@npmjs.com"] and Path(data["path"]).parent == out
    assert Path(data["path"]).read_bytes().count(state.incident_id.encode()) >= 2
    body = Path(data["path"]).read_bytes().decode().replace("=\r\n", "")
    # The registry may publish the report: it names the organisation, not the responder.
    assert f"Reporter: Acme Corp, incident {state.incident_id}." in body
    assert "carol" not in body.split("\r\n\r\n", 1)[1]


def test_notify_preview_shows_the_text(make_incident, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    db = f"sqlite:///{tmp_path / 't.db'}"
    code = run(
        [
            "notify",
            state.incident_id,
            "advisory-downstream",
            "--preview",
            "--db",
            db,
            "--out",
            str(tmp_path / "out"),
        ]
    )
    output = capsys.readouterr().out
    assert code == 0
    assert "What you must do" in output and "From: irbook <irbook@localhost>" in output
    assert not (tmp_path / "out").exists()


def test_missing_variable_exits_2_with_every_name(make_incident, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    db = f"sqlite:///{tmp_path / 't.db'}"
    code = run(
        [
            "notify",
            state.incident_id,
            "missing-vars",
            "--db",
            db,
            "--templates",
            str(TEMPLATES),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "missing-vars.txt.j2:2:1: 'customer_name' is undefined" in err
    assert "missing-vars.html.j2:1:1: 'incident.owner' is undefined" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_header_injection_on_the_command_line_exits_2(
    make_incident, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    db = f"sqlite:///{tmp_path / 't.db'}"
    code = run(
        [
            "notify",
            state.incident_id,
            "internal-alert",
            "--to",
            "a@acme.example\nBcc: all@acme.example",
            "--db",
            db,
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "line break" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_preview_is_recorded_as_a_preview_and_the_report_says_so(  # type: ignore[no-untyped-def]
    make_incident, tmp_path: Path, capsys
) -> None:
    """Issue 15: the report listed `notify --preview` as "rendered", the same as a real .eml."""
    state = make_incident()
    db = f"sqlite:///{tmp_path / 't.db'}"
    out = str(tmp_path / "out")
    common = ["--db", db, "--out", out]
    assert run(["notify", state.incident_id, "advisory-downstream", "--preview", *common]) == 0
    assert run(["notify", state.incident_id, "registry-report", *common]) == 0
    capsys.readouterr()

    assert run(["report", state.incident_id, "--format", "json", "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    states = {n["template"]: n["state"] for n in report["notifications"]}
    assert states == {"advisory-downstream": "preview", "registry-report": "rendered"}
    timeline = [t["summary"] for t in report["timeline"]]
    assert any(
        s.startswith("previewed (not written or sent) advisory-downstream") for s in timeline
    )
    assert any(s.startswith("rendered registry-report") for s in timeline)

    assert run(["report", state.incident_id, "--format", "md", "--db", db]) == 0
    markdown = capsys.readouterr().out
    assert "| preview | advisory-downstream |" in markdown
    assert "| rendered | registry-report |" in markdown

    import sqlite3

    with sqlite3.connect(tmp_path / "t.db") as conn:
        payloads = [
            json.loads(p)
            for (p,) in conn.execute(
                "select payload from event where kind = 'notification_rendered' order by seq"
            )
        ]
    assert [p.get("preview", False) for p in payloads] == [True, False]


def test_notify_preview_shows_every_line_whole(make_incident, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: the preview was a panel 80 columns wide that cropped longer lines; piped, each
    line of the message is printed as it is."""
    state = make_incident()
    args = ["notify", state.incident_id, "advisory-downstream", "--preview"]
    args += ["--db", f"sqlite:///{tmp_path / 't.db'}", "--out", str(tmp_path / "out")]
    assert run([*args, "--json"]) == 0
    text = json.loads(capsys.readouterr().out)["text"]
    long_lines = [line for line in text.splitlines() if len(line) > 76]
    assert long_lines, "the template must have a line longer than an 80-column panel"
    assert run(args) == 0
    output = capsys.readouterr().out
    for line in text.splitlines():
        assert line.rstrip() in output, line
