"""`irbook audit logs`: exit codes, --json, and bad input that never shows a traceback."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from irbook.cli import run


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """A folder of logs and, beside it, an IOC file (of the TanStack incident)."""
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "proxy.log").write_text(
        "2026-05-11T19:21:03Z GET https://filev2.getsession.org/file/upload 200\n"
        "2026-05-11T19:21:04Z GET https://registry.npmjs.org/@tanstack/history 200\n"
        "2026-05-11T19:21:05Z CONNECT notgetsession.org:443\n",
        encoding="utf-8",
    )
    (folder / "ci.log.gz").write_bytes(
        gzip.compress(b"> prepare\n> node tanstack_runner.js && node router_init.js\n")
    )
    (tmp_path / "iocs.txt").write_text(
        "# TanStack 2026-05-11\nrouter_init.js\ntanstack_runner.js\nhxxps://git-tanstack[.]com/\n",
        encoding="utf-8",
    )
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = run(["audit", "logs", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_hits_exit_1_with_file_and_line(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        logs / "proxy.log",
        logs / "ci.log.gz",
        "--ioc",
        logs.parent / "iocs.txt",
        "--domain",
        "filev2.getsession[.]org",
    )
    assert code == 1
    assert f"{logs / 'proxy.log'}:1  domain filev2.getsession.org\n" in out
    assert f"{logs / 'ci.log.gz'}:2  filename router_init.js\n" in out
    assert "\n    > node tanstack_runner.js && node router_init.js\n" in out
    assert "3 hit(s) of 3 of 4 indicator(s) in 2 of 2 file(s)" in out


def test_clean_exit_0(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, logs / "proxy.log", "--domain", "seed3.getsession.org")
    assert code == 0
    assert "no hit of 1 indicator(s) in 1 file(s)" in out


def test_json_lists_every_hit(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, logs, "--ioc", logs.parent / "iocs.txt", "--json")
    assert code == 1
    hits = json.loads(out)
    assert [(Path(h["file"]).name, h["line"], h["kind"], h["ioc"]) for h in hits] == [
        ("ci.log.gz", 2, "filename", "tanstack_runner.js"),
        ("ci.log.gz", 2, "filename", "router_init.js"),
    ]
    assert hits[0]["sources"] == [f"{logs.parent / 'iocs.txt'}:3"]
    assert hits[0]["text"] == "> node tanstack_runner.js && node router_init.js"
    code, out, _ = _run(capsys, logs / "proxy.log", "--domain", "evil.example", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_advisories_supply_domains(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = {
        "id": "MAL-2026-3465",
        "modified": "2026-05-12T00:00:00Z",
        "database_specific": {"iocs": {"domains": ["filev2.getsession.org"]}},
    }
    (logs / "MAL-2026-3465.json").write_text(json.dumps(record), encoding="utf-8")
    code, out, _ = _run(
        capsys, logs / "proxy.log", "--advisories", logs / "MAL-2026-3465.json", "--json"
    )
    assert code == 1
    assert [(h["line"], h["sources"]) for h in json.loads(out)] == [(1, ["MAL-2026-3465"])]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.log", "--domain", "evil.com"], "missing.log: no such file or directory"),
        (["proxy.log"], "no indicators given"),
        (["proxy.log", "--ioc", "nope.txt"], "nope.txt: IOC file not found"),
        (["proxy.log", "--domain", "not a host"], "--domain 'not a host'"),
        (["proxy.log", "--ioc", "bad.txt"], "bad.txt:2:1: 'zz' is not a sha256 hash"),
        (["cut.gz", "--domain", "evil.com"], "cut.gz:1:1: not a readable gzip file"),
        (["proxy.log", "--advisories", "broken.json"], "broken.json:1:"),
    ],
)
def test_bad_input_exit_2(
    logs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    (logs / "bad.txt").write_text("evil.com\nsha256:zz\n", encoding="utf-8")
    (logs / "cut.gz").write_bytes(gzip.compress(os.urandom(4000))[:100])
    (logs / "broken.json").write_text('{"iocs": ', encoding="utf-8")
    monkeypatch.chdir(logs)
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert message in err
    assert out == ""


def test_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    assert "Example: irbook audit logs" in out
    assert "--advisories" in out and "--domain" in out and "--json" in out


def test_real_process_exit_codes(logs: Path) -> None:
    command = [sys.executable, "-m", "irbook", "audit", "logs", str(logs / "ci.log.gz")]
    hit = subprocess.run(
        [*command, "--ioc", str(logs.parent / "iocs.txt")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert hit.returncode == 1 and "router_init.js" in hit.stdout
    bad = subprocess.run(
        [*command, "--ioc", str(logs / "absent.txt")], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "absent.txt: IOC file not found" in bad.stderr and "Traceback" not in bad.stderr
