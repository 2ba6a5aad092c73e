"""Typed answers: turn what a responder typed (or an answers file holds) into a stored value."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from irbook.domain.models import ValueType

_TRUE = {"y", "yes", "true", "1", "on"}
_FALSE = {"n", "no", "false", "0", "off"}


def split_list(text: str) -> list[str]:
    """Items separated by commas, spaces or new lines (hostnames, package specs, IOCs)."""
    return [item for item in re.split(r"[,\s]+", text) if item]


def coerce(kind: ValueType, raw: Any, choices: tuple[str, ...] | None = None) -> Any:
    """The value to store for ``raw``; ValueError with a responder-facing message when invalid."""
    if kind is ValueType.BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError("answer yes or no")
    if kind is ValueType.INT:
        if isinstance(raw, bool):
            raise ValueError("expected a whole number")
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError("expected a whole number") from None
    if kind in (ValueType.LIST, ValueType.MULTICHOICE):
        items = [str(i).strip() for i in raw] if isinstance(raw, list) else split_list(str(raw))
        items = [i for i in items if i]
        if kind is ValueType.MULTICHOICE and choices:
            unknown = [i for i in items if i not in choices]
            if unknown:
                raise ValueError(
                    f"not a choice: {', '.join(unknown)} (choose from {', '.join(choices)})"
                )
        return items
    if isinstance(raw, list | dict):
        raise ValueError(f"expected {kind.value} text, not a {type(raw).__name__}")
    text = str(raw).strip() if kind is not ValueType.MULTILINE else str(raw).rstrip()
    if kind is ValueType.CHOICE:
        if choices and text not in choices:
            raise ValueError(f"'{text}' is not one of: {', '.join(choices)}")
        return text
    if kind is ValueType.DATETIME:
        return parse_datetime(text)
    if not text:
        raise ValueError("an answer is required")
    return text


def parse_datetime(text: str) -> str:
    """ISO 8601 date-time (UTC when no offset is given), stored as ISO text in UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected a date and time like 2026-05-11T19:46:00Z") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def validator(kind: ValueType, choices: tuple[str, ...] | None, *, required: bool = True) -> Any:
    """A prompt validator for ``kind`` (returns an error message or None)."""

    def check(text: str) -> str | None:
        if not text.strip() and not required:
            return None
        try:
            coerce(kind, text, choices)
        except ValueError as exc:
            return str(exc)
        return None

    return check
