"""A database password never reaches the screen: the resume hint printed on Ctrl-C and on an
answers file that stops early shows it as ``***``, whether the URL came from --db or IRBOOK_DB."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from teamkit import DRILL, libpq, write_answers

from irbook.cli import run


def password_of(url: str) -> str:
    return url.split("@")[0].rsplit(":", 1)[1]


@pytest.mark.pty
@pytest.mark.parametrize("given", ["--db", "IRBOOK_DB"])
def test_ctrl_c_hint_masks_the_database_password(pg_url: str, given: str) -> None:
    import pexpect

    url = libpq(pg_url)  # as a user types it: postgresql://irbook:PASSWORD@host/db
    args = ["-m", "irbook", "start", str(DRILL), "--as", "alice"]
    env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"}
    if given == "--db":
        args += ["--db", url]
        env.pop("IRBOOK_DB", None)
    else:
        env["IRBOOK_DB"] = url
    child = pexpect.spawn(
        sys.executable, args, env=env, encoding="utf-8", timeout=120, dimensions=(40, 120)
    )
    child.expect("Declare the incident")  # the first step is on screen
    # Its menu is drawn only once the prompt reads the terminal: Ctrl-C then reaches it as a key
    # even where the test runner ignores SIGINT (a background job), not only as a signal.
    child.expect("What now\\?")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before or ""

    assert child.exitstatus == 130, screen
    # `irbook`, or how to run this same irbook when that name is not on PATH (issue 15)
    assert re.search(r"resume with: (irbook|\S+ -m irbook) resume IR-", screen), screen
    masked = url.replace(password_of(url), "***")
    # the hint wraps at the terminal width (at spaces): read it as one line
    flat = re.sub(r"\s*\r?\n\s*", " ", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen))
    assert f"--db {masked}" in flat.replace("'", ""), screen
    assert password_of(url) not in screen


def test_answers_file_stop_hint_masks_the_password(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = write_answers(tmp_path / "a.json", {"declare": True})
    monkeypatch.setenv("IRBOOK_DB", pg_url)

    code = run(["start", str(DRILL), "--answers", str(answers), "--as", "alice"])

    out = capsys.readouterr()
    assert code == 1
    assert "irbook resume IR-" in out.out + out.err
    assert password_of(pg_url) not in out.out + out.err
    assert ":***@127.0.0.1" in out.out + out.err


def test_a_password_in_the_url_query_is_masked_too(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """libpq also takes ?password=...; SQLAlchemy's own masking only covers user:password@."""
    password = password_of(pg_url)
    url = pg_url.replace(f":{password}@", "@") + f"?password={password}"

    assert run(["db", "init", "--db", url]) == 0

    out = capsys.readouterr().out
    assert password not in out and "password=***" in out
