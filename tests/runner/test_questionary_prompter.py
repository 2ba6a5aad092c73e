"""The questionary adapter through prompt_toolkit's pipe input (keys in, answers out)."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from walker_support import RecordingDisplay, mini, responder

from irbook.errors import ExitCode, TerminalInputError
from irbook.prompts.terminal import QuestionaryPrompter
from irbook.runner.api import start
from irbook.store import open_store
from irbook.usecases.incidents import load_state

SELECT_LIMIT = 1024  # FD_SETSIZE: select() refuses descriptors from here on

# A hung prompt runs in prompt_toolkit's event loop, whose exception handler swallows the
# exception pytest-timeout's default (signal) method raises: only the thread method (stacks,
# then the test process exits) ends it. Seen: 4.8 GB after ten minutes, the 300 s limit passed.
pytestmark = pytest.mark.timeout(60, method="thread")


@pytest.fixture
def keys() -> Iterator[object]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        # prompt_toolkit reads its input through select(): a pipe numbered past its limit
        # cannot work (see the test below), and only a descriptor leak elsewhere gets there.
        assert pipe.fileno() < SELECT_LIMIT, "an earlier test leaked file descriptors"
        yield pipe


@contextmanager
def descriptors_up_to_the_select_limit() -> Iterator[None]:
    """Hold open descriptors until the next one opened is numbered past select()'s limit, as
    earlier tests that leaked descriptors once did (test_crash.py left SQLite files open)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = SELECT_LIMIT + 64
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the hard limit of open files ({hard}) is below {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    held: list[int] = []
    try:
        while not held or held[-1] < SELECT_LIMIT:
            held.append(os.open(os.devnull, os.O_RDONLY))
        yield
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_select_moves_with_arrows_and_returns_the_value(keys) -> None:  # type: ignore[no-untyped-def]
    keys.send_text("\x1b[B\x1b[B\r")  # down, down, enter
    choice = QuestionaryPrompter().select(
        "What now?", [("Done", "done"), ("Skip", "skip"), ("Note", "note")]
    )
    assert choice == "note"


def test_text_refuses_invalid_input_until_it_is_valid(keys) -> None:  # type: ignore[no-untyped-def]
    keys.send_text("abc\r\x7f\x7f\x7f42\r")  # invalid, then backspace x3 and a number
    answer = QuestionaryPrompter().text(
        "How many?", validate=lambda t: None if t.isdigit() else "expected a whole number"
    )
    assert answer == "42"


def test_checkbox_toggle_all(keys) -> None:  # type: ignore[no-untyped-def]
    keys.send_text("a\r")
    assert QuestionaryPrompter().checkbox("Tick", ["one", "two"]) == ["one", "two"]


def test_ctrl_c_raises_keyboard_interrupt(keys) -> None:  # type: ignore[no-untyped-def]
    keys.send_text("\x03")
    with pytest.raises(KeyboardInterrupt):
        QuestionaryPrompter().confirm("Close?")


def test_an_input_select_cannot_watch_ends_the_prompt_instead_of_hanging() -> None:
    with (
        descriptors_up_to_the_select_limit(),
        create_pipe_input() as pipe,
        create_app_session(input=pipe, output=DummyOutput()),
    ):
        assert pipe.fileno() >= SELECT_LIMIT
        pipe.send_text("\x1b[B\x1b[B\r")
        with pytest.raises(TerminalInputError, match="filedescriptor out of range") as caught:
            QuestionaryPrompter().select("What now?", [("Done", "done"), ("Skip", "skip")])
    assert caught.value.exit_code == ExitCode.INTERRUPTED


def test_an_input_that_ends_is_a_terminal_input_error_not_eof(keys) -> None:  # type: ignore[no-untyped-def]
    keys.send_text("ab")
    keys.close()  # the write end: what a dropped SSH session looks like to the reader
    with pytest.raises(TerminalInputError, match="the terminal input ended"):
        QuestionaryPrompter().text("Why?")


def test_the_walker_keeps_the_incident_and_says_how_to_resume_when_input_ends(
    keys,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    keys.close()
    store = open_store(str(tmp_path / "irbook.db"))
    with pytest.raises(TerminalInputError) as caught:
        start(
            mini(),
            store=store,
            responder=responder(),
            display=RecordingDisplay(),
            prompter=QuestionaryPrompter(),
        )
    error = caught.value
    assert error.message == (
        "the terminal input ended while a question was open: everything answered so far is saved"
    )
    assert error.hint is not None and error.hint.startswith("resume with: irbook resume ")
    incident_id = error.hint.removeprefix("resume with: irbook resume ")
    assert load_state(store, incident_id).incident_id == incident_id


class KeyedPrompter(QuestionaryPrompter):
    """The real questionary prompts, with the keys for each question typed once it is asked
    (keys typed ahead are discarded by design, so they cannot all be sent up front)."""

    def __init__(self, pipe: object, keys: list[str]) -> None:
        self.pipe, self.keys = pipe, list(keys)

    def _type(self) -> None:
        self.pipe.send_text(self.keys.pop(0))  # type: ignore[attr-defined]

    def select(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._type()
        return super().select(*args, **kwargs)

    def text(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._type()
        return super().text(*args, **kwargs)


def test_going_back_to_an_input_step_offers_the_earlier_answer(keys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    up, enter = "\x1b[A", "\r"
    prompter = KeyedPrompter(
        keys,
        [
            enter,  # vector: the first choice
            enter,  # organisation (optional): empty
            enter,  # affected-devices: "Answer"
            "web-1 ci-4" + enter,
            up * 3 + enter,  # disconnect: up from the top wraps to Pause, Change an input, Go back
            enter,  # the list's cursor starts on the latest settled step: affected-devices
            enter,  # affected-devices again: "Answer"
            enter,  # the earlier answer is in the field: Enter keeps it
            up + enter,  # disconnect: "Pause"
        ],
    )
    store = open_store(str(tmp_path / "irbook.db"))
    result = start(
        mini(), store=store, responder=responder(), display=RecordingDisplay(), prompter=prompter
    )
    assert result.outcome == "paused" and prompter.keys == []
    answers = [
        e.payload["value"]
        for e in result.state.events
        if e.step_id == "affected-devices" and e.kind == "step_completed"
    ]
    assert answers == [["web-1", "ci-4"], ["web-1", "ci-4"]]
