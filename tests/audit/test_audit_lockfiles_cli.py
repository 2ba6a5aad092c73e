"""`irbook audit lockfiles` through the real CLI, and the `lockfile-audit` runbook action."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from irbook.audit.actions import run_action
from irbook.cli import run
from irbook.errors import UsageError
from shared import FIXTURES, shared_data

OWN = FIXTURES / "lockfile-audit"


def audit_json(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict[str, object]]]:
    code = run(["audit", "lockfiles", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_findings_exit_1_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = audit_json(capsys, str(OWN / "app"), "--advisories", str(shared_data("osv")))
    assert code == 1
    got = {(r["name"], r["version"], r["advisory"], r["match"], r["safe_version"]) for r in rows}
    assert got == {
        ("@tanstack/react-router", "1.169.8", "GHSA-g7cv-rxg3-hmpx", "exact", "1.169.9"),
        ("@tanstack/react-router", "1.169.8", "MAL-2026-3465", "exact", None),
        ("@tanstack/history", "1.161.12", "GHSA-g7cv-rxg3-hmpx", "exact", "1.161.13"),
        ("@tanstack/history", "1.161.12", "MAL-2026-3463", "exact", "1.161.13"),
    }
    row = next(r for r in rows if r["advisory"] == "MAL-2026-3465")
    assert row["file"] == str(OWN / "app" / "package-lock.json")
    assert row["ecosystem"] == "npm"
    assert row["aliases"] == ["GHSA-5q7g-gw3w-r3rh"]
    assert row["low_confidence"] is False


def test_clean_lockfile_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = audit_json(capsys, str(OWN / "clean"), "-a", str(shared_data("osv")))
    assert (code, rows) == (0, [])


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A 200-column console, so table cells are not folded across lines."""
    from irbook import console

    monkeypatch.setenv("COLUMNS", "200")
    console.stdout.cache_clear()
    yield
    console.stdout.cache_clear()


@pytest.mark.usefixtures("wide_terminal")
def test_table_marks_low_confidence(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lock = tmp_path / "package-lock.json"
    lock.write_text(
        json.dumps(
            {
                "name": "x",
                "lockfileVersion": 3,
                "packages": {"": {"name": "x"}, "node_modules/left-padder": {"version": "3.0.0"}},
            }
        )
    )
    code = run(["audit", "lockfiles", str(lock), "--advisories", str(OWN / "osv")])
    out = capsys.readouterr().out
    assert code == 1
    assert "x_IRBOOK-TEST-1" in out and "all versions (low confidence)" in out
    assert "1 low-confidence" in out


def test_plain_list_and_several_sources(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "package-lock.json").write_text(
        json.dumps(
            {
                "name": "web",
                "lockfileVersion": 3,
                "packages": {
                    "": {"name": "web"},
                    "node_modules/@tanstack/react-router": {"version": "1.169.5"},
                    "node_modules/ranged": {"version": "1.2.0"},
                },
            }
        )
    )
    (tmp_path / "requirements.txt").write_text(
        "Mistral_AI==2.4.6\nmistralai==2.4.6\nrequests==2.32.3\n"
    )
    code, rows = audit_json(
        capsys, str(tmp_path), "-a", str(OWN / "lists" / "seen.txt"), "-a", str(OWN / "osv")
    )
    assert code == 1
    assert {(r["name"], r["advisory"], r["match"]) for r in rows} == {
        ("@tanstack/react-router", "seen.txt:2", "exact"),
        ("mistralai", "seen.txt:4", "exact"),
        ("ranged", "x_IRBOOK-TEST-2", "range"),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--advisories", str(OWN / "bad" / "broken.json")], "broken.json:4:51"),
        (["--advisories", str(OWN / "bad" / "truncated.zip")], "not a readable zip file"),
        (["--advisories", str(OWN / "bad" / "bad-list.txt")], "bad-list.txt:2:1"),
        (["--advisories", str(OWN / "does-not-exist")], "advisory source not found"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_the_file(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = run(["audit", "lockfiles", str(OWN / "app"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_missing_advisories_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "lockfiles", str(OWN / "app")]) == 2
    assert "--advisories" in capsys.readouterr().err


def test_help_teaches_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "lockfiles", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example: irbook audit lockfiles" in out and "all-versions" in out


def test_real_process_exit_codes(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "irbook", "audit", "lockfiles"]
    env_cache = ["--no-cache"]
    found = subprocess.run(
        [*base, str(OWN / "app"), "-a", str(shared_data("osv")), "--json", *env_cache],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 1, found.stderr
    assert {r["advisory"] for r in json.loads(found.stdout)} >= {
        "MAL-2026-3465",
        "GHSA-g7cv-rxg3-hmpx",
    }
    bad = subprocess.run(
        [*base, str(OWN / "app"), "-a", str(OWN / "bad" / "broken.json"), *env_cache],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        bad.returncode == 2 and "broken.json:4:51" in bad.stderr and "Traceback" not in bad.stderr
    )


def test_runbook_action(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "package-lock.json").write_bytes((OWN / "app" / "package-lock.json").read_bytes())
    result = run_action(
        "lockfile-audit", {"paths": "repo", "advisories": [str(shared_data("osv"))]}, cwd=tmp_path
    )
    assert result.action == "lockfile-audit" and result.ok is False
    assert {f["advisory"] for f in result.findings} == {
        "GHSA-g7cv-rxg3-hmpx",
        "MAL-2026-3465",
        "MAL-2026-3463",
    }
    assert str(repo / "package-lock.json") in result.inputs
    assert result.summary == "4 affected package version(s) in 1 file(s)"

    clean = run_action(
        "lockfile-audit",
        {"paths": [str(OWN / "clean")], "advisories": str(shared_data("osv"))},
        cwd=tmp_path,
    )
    assert clean.ok is True and clean.findings == []


def test_runbook_action_needs_both_arguments(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'advisories'"):
        run_action("lockfile-audit", {"paths": "."}, cwd=tmp_path)
