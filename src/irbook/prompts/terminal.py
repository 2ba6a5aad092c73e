"""The questionary adapter: the real terminal prompts."""

from __future__ import annotations

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


class QuestionaryPrompter:
    """``unsafe_ask`` everywhere: Ctrl-C must raise KeyboardInterrupt, not return None."""

    def select(
        self, message: str, choices: Sequence[tuple[str, str]], *, default: str | None = None
    ) -> str:
        options = [questionary.Choice(title=t, value=v) for t, v in choices]
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
        answer = questionary.text(
            message,
            default=default,
            multiline=multiline,
            validate=_validator(validate),
            style=_STYLE,
        ).unsafe_ask()
        return str(answer)

    def confirm(self, message: str, *, default: bool = False) -> bool:
        return bool(questionary.confirm(message, default=default, style=_STYLE).unsafe_ask())

    def checkbox(self, message: str, choices: Sequence[str]) -> list[str]:
        answer = questionary.checkbox(message, choices=list(choices), style=_STYLE).unsafe_ask()
        return [str(a) for a in answer]

    def path(self, message: str, *, validate: Validator | None = None) -> str:
        answer = questionary.path(message, validate=_validator(validate), style=_STYLE).unsafe_ask()
        return str(answer)
