"""The Prompter protocol and the scripted adapter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from irbook.errors import ScriptExhausted

Validator = Callable[[str], str | None]  # returns an error message, or None when valid


class Prompter(Protocol):
    """What the walker may ask. Ctrl-C raises KeyboardInterrupt from any method."""

    def select(
        self,
        message: str,
        choices: Sequence[tuple[str, str]],
        *,
        default: str | None = None,
        escape: str | None = None,
    ) -> str:
        """Pick one of (title, value) pairs; returns the value. With ``escape``, Esc leaves the
        menu and returns that value. ``?`` raises HelpRequested (at every prompt)."""
        ...

    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        validate: Validator | None = None,
    ) -> str: ...

    def confirm(self, message: str, *, default: bool = False) -> bool: ...

    def checkbox(
        self, message: str, choices: Sequence[str], *, default: Sequence[str] = ()
    ) -> list[str]:
        """Tick any of ``choices``; those in ``default`` start ticked."""
        ...

    def path(self, message: str, *, validate: Validator | None = None) -> str: ...


class ScriptedPrompter:
    """Answers from a list, in order; an exception (class or instance) in the list is raised.

    Used by tests to drive the real walker: ``ScriptedPrompter(["done", "skip", "no time",
    KeyboardInterrupt])``. Each response is validated like a typed answer would be.
    """

    def __init__(self, responses: Sequence[Any]) -> None:
        self.responses = list(responses)
        self.asked: list[str] = []

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        if not self.responses:
            raise ScriptExhausted(f"no scripted answer left for: {message}")
        response = self.responses.pop(0)
        if isinstance(response, type) and issubclass(response, BaseException):
            raise response()
        if isinstance(response, BaseException):
            raise response
        return response

    def select(
        self,
        message: str,
        choices: Sequence[tuple[str, str]],
        *,
        default: str | None = None,
        escape: str | None = None,
    ) -> str:
        value = self._next(message)
        values = [v for _, v in choices] + ([escape] if escape is not None else [])
        if value not in values:
            raise ValueError(f"scripted answer {value!r} is not one of {values} for: {message}")
        return str(value)

    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        validate: Validator | None = None,
    ) -> str:
        value = str(self._next(message))
        error = validate(value) if validate else None
        if error:
            raise ValueError(f"scripted answer {value!r} rejected: {error}")
        return value

    def confirm(self, message: str, *, default: bool = False) -> bool:
        return bool(self._next(message))

    def checkbox(
        self, message: str, choices: Sequence[str], *, default: Sequence[str] = ()
    ) -> list[str]:
        value = self._next(message)
        return [str(v) for v in value]

    def path(self, message: str, *, validate: Validator | None = None) -> str:
        return self.text(message, validate=validate)
