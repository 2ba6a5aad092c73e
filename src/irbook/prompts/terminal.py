"""The questionary adapter: the real terminal prompts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import questionary
from prompt_toolkit.styles import Style

from irbook.prompts.base import Validator

_STYLE = Style.from_dict(
    {
        "qmark": "fg:cyan bold",
        "question": "bold",
        "pointer": "fg:cyan bold",
        "highlighted": "fg:cyan bold",
        "answer": "fg:green",
    }
)


def _validator(validate: Validator | None) -> Any:
    if validate is None:
        return None

    def check(text: str) -> bool | str:
        error = validate(text)
        return True if error is None else error

    return check


def discard_typeahead() -> None:
    """Drop keys typed before the question was on screen.

    The responder answers what they see: a "y" and an Enter typed while the walker was busy
    must not answer the next question (an Enter once landed on a critical step's menu and
    recorded it done unread). Two places hold such keys: prompt_toolkit's typeahead buffer (keys
    read along with the previous answer and kept for the next prompt), and the terminal's input
    queue (tcflush; a no-op when stdin is not a terminal, or without termios)."""
    from prompt_toolkit.application import get_app_session
    from prompt_toolkit.input.typeahead import clear_typeahead

    clear_typeahead(get_app_session().input)
    try:
        import termios
    except ImportError:  # Windows: no tty line discipline to flush
        return
    try:
        if sys.stdin.isatty():
            termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (OSError, ValueError):  # stdin closed or replaced: nothing pending to drop
        return


class QuestionaryPrompter:
    """``unsafe_ask`` everywhere: Ctrl-C must raise KeyboardInterrupt, not return None.

    Every question first discards typeahead; yes/no questions wait for Enter."""

    def select(
        self, message: str, choices: Sequence[tuple[str, str]], *, default: str | None = None
    ) -> str:
        options = [questionary.Choice(title=t, value=v) for t, v in choices]
        discard_typeahead()
        answer = questionary.select(
            message,
            choices=options,
            default=default,
            style=_STYLE,
            use_shortcuts=len(options) <= 36,
        ).unsafe_ask()
        return str(answer)

    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        validate: Validator | None = None,
    ) -> str:
        if multiline:
            message += " (Esc then Enter to finish)"
        discard_typeahead()
        answer = questionary.text(
            message,
            default=default,
            multiline=multiline,
            validate=_validator(validate),
            style=_STYLE,
        ).unsafe_ask()
        return str(answer)

    def confirm(self, message: str, *, default: bool = False) -> bool:
        discard_typeahead()
        question = questionary.confirm(message, default=default, auto_enter=False, style=_STYLE)
        return bool(question.unsafe_ask())

    def checkbox(self, message: str, choices: Sequence[str]) -> list[str]:
        discard_typeahead()
        answer = questionary.checkbox(message, choices=list(choices), style=_STYLE).unsafe_ask()
        return [str(a) for a in answer]

    def path(self, message: str, *, validate: Validator | None = None) -> str:
        discard_typeahead()
        answer = questionary.path(message, validate=_validator(validate), style=_STYLE).unsafe_ask()
        return str(answer)
