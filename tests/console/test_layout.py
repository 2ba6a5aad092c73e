"""Issue 15, layout: text wraps to the terminal and is never cropped; piped output is plain.

The terminal cases run the real rendering code in a real pseudo-terminal (pexpect) with
COLUMNS set, the way a responder's narrow window would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shared import FIXTURES, shared_data

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
REVOKE = "gh api -X DELETE /orgs/ORG/credential-authorizations/CREDENTIAL_ID"

SHOW_STEP = """
import sys
from pathlib import Path
from irbook.console.walker import ConsoleDisplay
from irbook.domain.engine import Progress
from irbook.loader.load import load_runbook

runbook = load_runbook(Path(sys.argv[1])).runbook
step = next(s for p in runbook.phases for s in p.steps if s.id == sys.argv[2])

class State:
    roles: dict[str, str] = {}
    drill = False

ConsoleDisplay().step(step, State(), Progress(1, 1, "Scope", 3, 50))  # type: ignore[arg-type]
"""


def in_terminal(args: list[str], columns: int) -> list[str]:
    """Run ``args`` in a pseudo-terminal ``columns`` wide; the screen's lines without colour."""
    env = dict(os.environ, COLUMNS=str(columns), LINES="200", TERM="xterm")
    child = pexpect.spawn(
        args[0], args[1:], env=env, dimensions=(200, columns), encoding="utf-8", timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    text = ANSI.sub("", child.before or "").replace("\r\n", "\n")
    return [line.split("\r")[-1] for line in text.split("\n")]  # what stays after a redraw


def test_a_long_command_wraps_whole_at_60_columns(tmp_path: Path) -> None:
    """The walker cropped help bullets at the console's width, so the revoke command of
    `revoke-device-sessions` was never shown whole; now it wraps at spaces."""
    script = tmp_path / "show.py"
    script.write_text(SHOW_STEP, encoding="utf-8")
    runbook = ROOT / "runbooks" / "supply-chain-compromise.yaml"
    lines = in_terminal([sys.executable, str(script), str(runbook), "revoke-device-sessions"], 60)
    # the step's header is one logical line on purpose (the terminal folds it); the rest wraps
    long = [line for line in lines if len(line) > 60 and "steps settled" not in line]
    assert long == []
    screen = " ".join(" ".join(lines).split())
    assert REVOKE in screen, screen
    assert "…" not in screen
    # the words of the command are never split inside a word: each one is on a line of its own
    for word in REVOKE.split():
        assert any(word in line for line in lines), word


def test_piped_table_is_plain_one_line_per_row() -> None:
    """Piped, `audit lockfiles` wrapped its table at 80 columns and split paths into pieces; now
    each finding is one line of aligned columns with the whole path."""
    app = FIXTURES / "lockfile-audit" / "app"
    osv = str(shared_data("osv"))
    done = subprocess.run(
        [sys.executable, "-m", "irbook", "audit", "lockfiles", str(app), "--advisories", osv],
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS="60"),
        check=False,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "file", "ecosystem", "package", "version", "advisory", "match", "safe", "version",
    ]  # fmt: skip
    rows = [line for line in lines[1:] if line.startswith(str(app))]
    assert len(rows) == 4
    assert all(str(app / "package-lock.json") + "  " in row for row in rows)
    assert "\x1b[" not in done.stdout and not any(line != line.rstrip() for line in lines)


def test_narrow_terminal_keeps_paths_whole(tmp_path: Path) -> None:
    """On a terminal too narrow for the table, each finding is a block: the path on its own
    line(s), broken only after a `/`, never into 12-character pieces."""
    app = tmp_path / "a-long-directory-name" / "another-directory"
    app.mkdir(parents=True)
    lock = (FIXTURES / "lockfile-audit" / "app" / "package-lock.json").read_bytes()
    (app / "package-lock.json").write_bytes(lock)
    osv = str(shared_data("osv"))
    irbook = [sys.executable, "-m", "irbook", "audit", "lockfiles", str(tmp_path), "-a", osv]
    lines = in_terminal(irbook, 90)
    path = str(app / "package-lock.json")
    pieces = [line.strip() for line in lines if line.strip() and line.strip() in path]
    assert "".join(pieces) == path * 4, lines  # the path, whole, once for each finding
    assert all(p.endswith("/") or p.endswith("package-lock.json") for p in pieces), pieces
    assert all(len(line) <= 90 for line in lines)
    assert any(line.split() == ["package", "@tanstack/history"] for line in lines)


def test_piped_runbook_list_is_aligned_columns() -> None:
    """Piped, `runbooks list` is aligned columns: every row one line, each column starting at
    the same place as its header, no colour, nothing after the last cell."""
    done = subprocess.run(
        [sys.executable, "-m", "irbook", "runbooks", "list"],
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS="30"),
        cwd=ROOT,
        check=True,
    )
    lines = done.stdout.splitlines()
    header = lines[0]
    starts = [header.index(h) for h in ("version", "title", "phases", "steps")]
    row = next(line for line in lines if line.startswith("supply-chain-compromise "))
    assert [row[s - 2 : s] for s in starts] == ["  "] * 4  # each column begins after a gap
    assert "Software supply-chain compromise" in row and row == row.rstrip()
    assert "\x1b[" not in done.stdout


def test_piped_step_help_is_the_source_text(tmp_path: Path) -> None:
    """Piped (a non-interactive walk into a log), a step's help is its own text, line for line:
    the long `az rest ... --url https://graph.microsoft.com/...` line is not re-wrapped."""
    script = tmp_path / "show.py"
    script.write_text(SHOW_STEP, encoding="utf-8")
    runbook = ROOT / "runbooks" / "supply-chain-compromise.yaml"
    done = subprocess.run(
        [sys.executable, str(script), str(runbook), "revoke-device-sessions"],
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS="60"),
        check=True,
    )
    url = "https://graph.microsoft.com/v1.0/users/USER_ID/revokeSignInSessions"
    assert any(f"`az rest --method POST --url {url}`" in line for line in done.stdout.splitlines())


# --- piped `watch --once` and `db info` (they printed rich tables wrapped at 80 columns) --------

LONG_TITLE = (
    "Malicious @acme/ui 2.3.1 published with a stolen maintainer token; every downstream build "
    "since Monday pulled it"
)
LONG_PERSON = "priya.raman-incident-commander-on-call-for-the-weekend-rotation"
LONG_NOTE = (
    "postinstall hook fetched https://cdn.example.invalid/telemetry/collector-v2/bootstrap.js "
    "and wrote ~/.config/acme/session-cache.json on build-runner-07"
)


def _long_incident(tmp_path: Path) -> tuple[str, str]:
    """An incident whose title, role holder, actor and note are all longer than 80 columns, in
    a SQLite file whose URL is too: (database URL, incident id)."""
    from irbook.domain.events import Kind, NewEvent, RoleAssigned
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, add_note, record_anyway, start_incident

    folder = tmp_path / "a-rather-long-folder-name-for-the-team-database" / "shared-volume-01"
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'irbook.db'}"
    store = open_store(url)
    try:
        who = Responder(actor=LONG_PERSON, host="ic-laptop")
        runbook = load_runbook(FIXTURES / "runner" / "mini.yaml")
        incident = start_incident(runbook, store=store, responder=who, title=LONG_TITLE)
        iid = incident.incident_id
        assigned = RoleAssigned(role="ops-lead", person=LONG_PERSON)
        record_anyway(store, iid, NewEvent(Kind.ROLE_ASSIGNED, assigned), who)
        add_note(store, iid, LONG_NOTE, responder=who)
    finally:
        store.close()
    return url, iid


def _piped(args: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "irbook", *args],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # no colour in a pipe
    lines = done.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines), "padding after the last cell"
    return lines


def test_piped_watch_once_is_plain_one_line_per_row(tmp_path: Path) -> None:
    """Piped, `watch --once` folded its tables at 80 columns: the title, the role holder and
    each event's text broke across lines. Now each row is one line of aligned columns."""
    url, incident = _long_incident(tmp_path)
    lines = _piped(["watch", incident, "--once", "--db", url])
    assert lines[0].startswith(f"{incident}  {LONG_TITLE}  SEV2  open")
    header = next(line for line in lines if line.startswith("phase "))
    assert header.split() == ["phase", "settled", "done", "skipped", "n/a", "milestone"]
    isolate = next(line for line in lines if line.startswith("Isolate "))
    assert isolate.split()[1:4] == ["0/3", "0", "0"]
    assert "contained —" in isolate
    (role,) = [line for line in lines if line.startswith("ops-lead ")]
    assert role.split() == ["ops-lead", LONG_PERSON, "2"]  # disconnect, tokens
    (note,) = [line for line in lines if "note: postinstall" in line]
    assert note.endswith(f"{LONG_PERSON}  note: {LONG_NOTE}")
    events = lines[lines.index("Latest events") + 1]
    assert events.split() == ["#", "time", "(UTC)", "who", "what"]
    assert max(len(line) for line in lines) > 80  # long rows stay long: nothing wrapped them


def test_piped_db_info_is_aligned_pairs(tmp_path: Path) -> None:
    """Piped, `db info` folded the database URL at 80 columns; now each fact is one line, the
    values starting in one column."""
    url, _ = _long_incident(tmp_path)
    lines = _piped(["db", "info", "--db", url])
    assert len(url) > 80
    facts = dict(line.split("  ", 1) for line in lines)
    assert [k.strip() for k in facts] == [
        "database", "backend", "schema version", "incidents", "events", "actor",
    ]  # fmt: skip
    starts = {len(line) - len(line.split("  ", 1)[1].lstrip()) for line in lines}
    assert len(starts) == 1  # every value begins at the same column
    assert lines[0].endswith(url) and lines[0].split()[-1] == url
    assert lines[3].split()[-3:] == ["1", "(1", "open)"]
    assert lines[5].endswith("not checked (SQLite has no logins)")


def test_watch_in_a_narrow_terminal_wraps_and_never_crops(tmp_path: Path) -> None:
    """On a terminal, `watch` cut a word longer than its column with an ellipsis (rich's
    default): the note's URL ended in "…". Now cells wrap and long words fold; nothing is cut."""
    url, incident = _long_incident(tmp_path)
    lines = in_terminal(
        [sys.executable, "-m", "irbook", "watch", incident, "--once", "--db", url], 70
    )
    assert all(len(line) <= 70 for line in lines)
    screen = "".join(lines)
    assert "…" not in screen
    header = next(n for n, line in enumerate(lines) if line.startswith("#  time"))
    what = lines[header].index("what")
    column = "".join(line[what:].strip() for line in lines[header + 1 :])
    assert "https://cdn.example.invalid/telemetry/collector-v2/bootstrap.js" in column
