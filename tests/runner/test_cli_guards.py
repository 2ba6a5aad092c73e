"""Small guards of the record (issue 11, finding 10): a note or evidence filed under an unknown
step is refused; read commands never create a database; a second `start` of a runbook whose
incident is still open is asked (terminal) or refused (no terminal) unless --new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from walker_support import MINI, RecordingDisplay, mini, responder

from irbook.cli import run
from irbook.errors import Interrupted, UsageError
from irbook.prompts import ScriptedPrompter
from irbook.runner.api import start
from irbook.store import Store, open_store


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def open_incident(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str) -> str:
    """Start the mini runbook, answering only its input (the run stops at the first step)."""
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs: {vector: unknown}\n", encoding="utf-8")
    assert cli(capsys, "start", str(MINI), "--answers", str(answers), "--db", db)[0] == 1
    _, out, _ = cli(capsys, "list", "--json", "--db", db)
    return str(json.loads(out)[0]["id"])


@pytest.mark.parametrize("command", ["note", "attach"])
def test_a_note_or_evidence_on_an_unknown_step_is_refused_with_did_you_mean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    db = str(tmp_path / "irbook.db")
    incident = open_incident(capsys, tmp_path, db)
    what = "seen on ci-4" if command == "note" else str(MINI)
    before = len(open_store(db).events(incident))

    code, _, err = cli(capsys, command, incident, what, "--step", "disconect", "--db", db)

    assert code == 2
    assert "has no step 'disconect' (did you mean 'disconnect'?)" in err
    assert len(open_store(db).events(incident)) == before  # nothing recorded
    code, _, _ = cli(capsys, command, incident, what, "--step", "disconnect", "--db", db)
    assert code == 0
    (last,) = open_store(db).events(incident)[-1:]
    assert last.step_id == "disconnect"


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["list"],
        ["report", "IR-20260511-1A2B"],
        ["verify", "IR-20260511-1A2B"],
        ["watch", "IR-20260511-1A2B"],
        ["resume"],
        ["note", "IR-20260511-1A2B", "hello"],
        ["close", "IR-20260511-1A2B"],
    ],
    ids=lambda argv: argv[0],
)
def test_commands_other_than_start_never_create_a_database_or_its_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    db = tmp_path / "nonexistent" / "dir" / "irbook.db"
    code, _, err = cli(capsys, *argv, "--db", str(db))
    assert code == 2
    assert f"no database at {db}" in err
    assert not (tmp_path / "nonexistent").exists()


def test_read_commands_refuse_an_empty_file_and_leave_it_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    code, _, err = cli(capsys, "list", "--db", str(db))
    assert code == 2 and "holds no irbook database" in err
    assert db.read_bytes() == b""


def test_start_while_one_is_open_is_refused_without_a_terminal_unless_new(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "irbook.db")
    first = open_incident(capsys, tmp_path, db)
    answers = str(tmp_path / "a.yaml")

    code, _, err = cli(capsys, "start", str(MINI), "--answers", answers, "--db", db)
    assert code == 2
    assert f"not started: an incident of mini is still open: {first} (" in err
    assert f"irbook resume {first}" in err and "--new" in err
    assert [i.id for i in open_store(db).incidents()] == [first]

    code, _, _ = cli(capsys, "start", str(MINI), "--answers", answers, "--db", db, "--new")
    assert code == 1  # opened, then stopped at the first step the answers do not give
    assert len(open_store(db).incidents(status="open")) == 2


def start_at_terminal(store: Store, answers: list[object]) -> ScriptedPrompter:
    """`irbook start mini` at a (scripted) terminal; the script ends in Ctrl-C."""
    prompter = ScriptedPrompter(answers)
    with pytest.raises(Interrupted):
        start(
            mini(),
            store=store,
            responder=responder(),
            display=RecordingDisplay(),
            prompter=prompter,
        )
    return prompter


@pytest.mark.parametrize("second", [False, True])
def test_start_while_one_is_open_asks_at_a_terminal(tmp_path: Path, second: bool) -> None:
    store = open_store(str(tmp_path / "irbook.db"))
    start_at_terminal(store, [KeyboardInterrupt])  # opened, nothing answered
    (first,) = store.incidents()

    if second:
        prompter = start_at_terminal(store, [True, KeyboardInterrupt])
        assert len(store.incidents(status="open")) == 2
    else:
        prompter = ScriptedPrompter([False])
        with pytest.raises(UsageError, match="not started: an incident of mini is still open"):
            start(
                mini(),
                store=store,
                responder=responder(),
                display=RecordingDisplay(),
                prompter=prompter,
            )
        assert store.incidents() == [first]
    assert prompter.asked[0].startswith(f"{first.id} (Mini response, opened ")
    assert prompter.asked[0].endswith("is still open. Open a second incident of mini?")
