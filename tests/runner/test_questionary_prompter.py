"""The questionary adapter through prompt_toolkit's pipe input (keys in, answers out)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from irbook.prompts.terminal import QuestionaryPrompter


@pytest.fixture
def keys() -> Iterator[object]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


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
