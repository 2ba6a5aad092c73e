"""The questionary adapter: the real terminal prompts."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import Any

import questionary
from prompt_toolkit.styles import Style

from irbook.errors import HelpRequested, TerminalInputError
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


_HELP = object()  # what the application returns when ? was pressed
_BACK = object()  # what it returns when Esc was pressed (only where escape=True)


def _add_keys(app: Any, *, escape: bool) -> None:
    """``?`` asks for help at any prompt (in a text prompt only while the answer is empty, so a
    "?" inside an answer is typed as usual); ``escape`` makes Esc leave the prompt."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    keys = KeyBindings()

    @Condition
    def empty() -> bool:
        return not app.current_buffer.text

    @keys.add("?", filter=empty, eager=True)
    def _help(event: Any) -> None:
        event.app.exit(result=_HELP)

    if escape:

        @keys.add("escape", eager=True)
        def _back(event: Any) -> None:
            event.app.exit(result=_BACK)

    app.key_bindings = merge_key_bindings([k for k in (app.key_bindings, keys) if k is not None])


def _ask(question: questionary.Question, *, escape: bool = False) -> Any:
    """Ask like questionary's ``unsafe_ask`` (Ctrl-C raises KeyboardInterrupt, not None), but an
    input that ends or fails ends the prompt with TerminalInputError instead of hanging.

    prompt_toolkit's own handler for an error in its event loop prints it and waits for Enter on
    the same input. When the error comes from reading that input, the reader fires again at once
    and fails again, and every failure queues another "Press ENTER" task: the prompt never ends
    and memory grows without bound. It happens for real when the input's descriptor is above
    1023: prompt_toolkit checks it with select(), which refuses such descriptors with ValueError
    (prompt-toolkit/python-prompt-toolkit#1702, open). Here the first such error ends the prompt.
    """
    app = question.application

    def end_prompt(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if app.future is None or app.future.done():
            return  # already ending: the reader may fire once more before it is removed
        cause = context.get("exception")
        what = f"{type(cause).__name__}: {cause}" if cause else context.get("message", "?")
        app.exit(exception=TerminalInputError(f"the terminal input failed ({what})"))

    def pre_run() -> None:
        asyncio.get_running_loop().set_exception_handler(end_prompt)

    if question.should_skip_question:
        return question.default
    _add_keys(app, escape=escape)
    discard_typeahead()
    try:
        answer = app.run(pre_run=pre_run, set_exception_handler=False)
    except EOFError:  # prompt_toolkit's signal that the input was closed
        raise TerminalInputError("the terminal input ended while a question was open") from None
    if answer is _HELP:
        raise HelpRequested
    return answer


class QuestionaryPrompter:
    """Every question through ``_ask``: typeahead discarded first, Ctrl-C raises
    KeyboardInterrupt, a dead input raises TerminalInputError; nothing returns None. Yes/no
    questions wait for Enter."""

    def select(
        self,
        message: str,
        choices: Sequence[tuple[str, str]],
        *,
        default: str | None = None,
        escape: str | None = None,
    ) -> str:
        options = [questionary.Choice(title=t, value=v) for t, v in choices]
        answer = _ask(
            questionary.select(
                message,
                choices=options,
                default=default,
                style=_STYLE,
                use_shortcuts=len(options) <= 36,
            ),
            escape=escape is not None,
        )
        if answer is _BACK:
            return str(escape)
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
        answer = _ask(
            questionary.text(
                message,
                default=default,
                multiline=multiline,
                validate=_validator(validate),
                style=_STYLE,
            )
        )
        return str(answer)

    def confirm(self, message: str, *, default: bool = False) -> bool:
        question = questionary.confirm(message, default=default, auto_enter=False, style=_STYLE)
        return bool(_ask(question))

    def checkbox(
        self, message: str, choices: Sequence[str], *, default: Sequence[str] = ()
    ) -> list[str]:
        options = [questionary.Choice(title=c, value=c, checked=c in default) for c in choices]
        answer = _ask(questionary.checkbox(message, choices=options, style=_STYLE))
        return [str(a) for a in answer]

    def path(self, message: str, *, validate: Validator | None = None) -> str:
        answer = _ask(questionary.path(message, validate=_validator(validate), style=_STYLE))
        return str(answer)
