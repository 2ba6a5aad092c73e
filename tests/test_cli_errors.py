"""The one catch site: an unexpected exception (a bug) gives exit 3, a log file, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from irbook.cli import run
from irbook.loader import catalog


def test_a_bug_exits_3_and_keeps_the_traceback_off_the_screen(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = "npm_" + "s" * 36

    def broken(**_: object) -> None:
        token = secret  # a local variable a pretty traceback would print
        raise RuntimeError(f"simulated bug near {len(token)}")

    # No honest way exists to provoke a real bug on demand: replace one core call with a broken one.
    monkeypatch.setattr(catalog, "entries", broken)
    monkeypatch.setenv("IRBOOK_LOG_DIR", str(tmp_path / "logs"))
    code = run(["runbooks", "list"])
    out, err = capsys.readouterr()
    assert code == 3
    assert "Traceback" not in out + err and secret not in out + err
    assert "internal error: RuntimeError" in err
    (log,) = (tmp_path / "logs").glob("crash-*.log")
    assert str(log) in err.replace("\n", "")
    assert "Traceback" in log.read_text() and "simulated bug" in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600


def test_ctrl_c_inside_a_command_says_interrupted_and_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typer turns a KeyboardInterrupt inside a command into a bare exit code: the responder
    who pressed Ctrl-C during a long report saw nothing at all."""

    def pressed(**_: object) -> None:
        raise KeyboardInterrupt  # as the signal raises it, wherever the command is

    monkeypatch.setattr(catalog, "entries", pressed)
    code = run(["runbooks", "list"])
    out, err = capsys.readouterr()
    assert code == 130
    assert err.strip() == "interrupted" and "Traceback" not in out + err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["status", "--no-such-option"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_a_hint_is_one_line_whatever_the_width(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A hint often holds a command to copy; rich must not break it into two lines."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "40", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "irbook", "status", "--db", str(tmp_path / "none" / "x.db")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    (hint,) = [line for line in result.stderr.splitlines() if line.startswith("hint:")]
    assert len(hint) > 40 and hint.rstrip().endswith("you meant")


def test_ctrl_c_while_a_prompt_builds_its_event_loop_prints_only_interrupted(
    tmp_path: Path,
) -> None:
    """Seen in a fresh shell: Ctrl-C right as the first question was being drawn left, under
    "interrupted", an "Exception ignored ... '_thread_id'" traceback from a half-built asyncio
    loop and a "coroutine ... was never awaited" warning. The same leftovers are made here for
    real (a loop object whose __init__ never ran, a coroutine never awaited) and the command
    interrupted; the real exit path (`irbook.cli.main`) runs in its own interpreter."""
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import asyncio, gc, sys\n"
        "import irbook.cli.app as app_module\n"
        "from irbook import cli\n"
        "gc.disable()  # collected when the collector next runs, not at an allocation count\n"
        "async def run_async():\n"
        "    pass\n"
        "def app(**_):\n"
        "    # a cycle, as prompt_toolkit's objects are: freed by the collector, not on the spot\n"
        "    held = {'loop': asyncio.SelectorEventLoop.__new__(asyncio.SelectorEventLoop)}\n"
        "    held['coroutine'], held['self'] = run_async(), held\n"
        "    raise KeyboardInterrupt\n"
        "app_module.app = app\n"
        "cli.main(['start', 'x'])\n",
        encoding="utf-8",
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 130
    assert done.stderr.strip().splitlines() == ["interrupted"], done.stderr
