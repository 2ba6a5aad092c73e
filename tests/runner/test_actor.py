"""Who the responder is, and a resume command that works as printed (issue 15, "Actor").

The actor was the login name (`root` in a container) unless --as was given; now it comes from
--as, IRBOOK_ACTOR, `git config user.name`, or a name asked once at a terminal and remembered on
this machine. The resume hint said `irbook resume ...` even when `irbook` was not on PATH (it was
installed in an unactivated .venv), so the command as printed failed with "command not found".
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from walker_support import MINI

from irbook.cli import run

PARTIAL = "inputs: {vector: unknown}\nsteps:\n  affected-devices: [a]\n"
REST = "steps:\n  disconnect: done\n  disarm-persistence: done\n"


def opened_by(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select actor from event order by incident_id, seq")]


def test_resume_hint_names_the_executable_when_irbook_is_not_on_path(tmp_path: Path) -> None:
    irbook = Path(sys.executable).parent / "irbook"  # the console script of this install
    assert irbook.is_file(), "irbook is installed next to the test interpreter"
    db = tmp_path / "irbook.db"
    (tmp_path / "a.yaml").write_text(PARTIAL)
    (tmp_path / "b.yaml").write_text(REST)
    env = {
        **os.environ,
        "PATH": "/usr/bin:/bin",  # a fresh shell: the virtualenv is not activated
        "IRBOOK_ACTOR": "alice",
        "COLUMNS": "400",
    }
    first = subprocess.run(
        [str(irbook), "start", str(MINI), "--answers", "a.yaml", "--db", str(db)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 1, first.stderr
    match = re.search(r"`([^`]* resume [^`]*)`", first.stderr)
    assert match, first.stderr
    printed = match.group(1).strip()
    assert printed.startswith(f"{irbook} resume IR-"), printed

    # the command exactly as printed, in the same kind of shell, continues the incident
    second = subprocess.run(
        ["bash", "-c", f"{printed} --answers b.yaml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "command not found" not in second.stderr
    # it ran irbook: the walk moved on past the steps b.yaml answers, to the next unanswered one
    assert second.returncode == 1, second.stderr
    assert "stopped at step rotate/tokens" in second.stderr


def test_the_actor_comes_from_git_user_name_when_nothing_else_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (Path(os.environ["HOME"]) / ".gitconfig").write_text("[user]\n\tname = Dana Scully\n")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "irbook.db"
    (tmp_path / "a.yaml").write_text(PARTIAL)
    assert run(["start", str(MINI), "--answers", "a.yaml", "--db", str(db)]) == 1
    assert set(opened_by(db)) == {"Dana Scully"}
    # --as and IRBOOK_ACTOR still come first
    monkeypatch.setenv("IRBOOK_ACTOR", "env-name")
    again = ["start", str(MINI), "--answers", "a.yaml", "--db", str(db), "--new"]
    assert run(again) == 1
    assert run([*again, "--as", "flag"]) == 1
    assert set(opened_by(db)) == {"Dana Scully", "env-name", "flag"}


@pytest.mark.pty
def test_a_name_is_asked_once_at_a_terminal_and_remembered_on_this_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")
    db = tmp_path / "irbook.db"
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "COLUMNS": "120",
    }
    env.pop("IRBOOK_ACTOR", None)

    def spawn(*extra: str) -> pexpect.spawn:
        return pexpect.spawn(
            sys.executable,
            ["-m", "irbook", "start", str(MINI), "--db", str(db), *extra],
            cwd=str(tmp_path),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 120),
        )

    child = spawn()
    child.expect("Your name, as recorded on every event you write")
    child.send("Fox Mulder\r")
    child.expect("How were the malicious versions published")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert set(opened_by(db)) == {"Fox Mulder"}

    child = spawn("--new")  # the second time it is not asked
    index = child.expect(["Your name", "How were the malicious versions published"])
    assert index == 1, child.before
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    # a command without a terminal uses the remembered name too, never the login name
    (incident,) = {r for r in _incidents(db)}
    assert run(["note", incident, "checked the proxy", "--db", str(db)]) == 0
    assert set(opened_by(db)) == {"Fox Mulder"}
    remembered = Path(os.environ["XDG_CONFIG_HOME"]) / "irbook" / "actor"
    assert remembered.read_text() == "Fox Mulder\n"
    assert remembered.stat().st_mode & 0o777 == 0o600


def _incidents(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select id from incident order by opened_at")][:1]
