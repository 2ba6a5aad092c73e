"""Typed answers: turn what a responder typed (or an answers file holds) into a stored value.

Each answer is checked against what it means when it is given (re-asked with the reason at the
terminal; ``file:line:col`` in an answers file), not discovered malformed hours later by a
notification: packages are ``ECOSYSTEM:NAME@VERSION`` with a valid version, times carry a zone
and are not in the future, paths exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from irbook.domain.models import InputStep, PathKind, RunbookInput, ValueType
from irbook.domain.packages import split_spec

_TRUE = {"y", "yes", "true", "1", "on"}
_FALSE = {"n", "no", "false", "0", "off"}
_LISTS = (ValueType.LIST, ValueType.MULTICHOICE, ValueType.PACKAGES, ValueType.PATHS)
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_DAYS = re.compile(r"^(\d+)d$")
# Clocks of a team's machines differ a little: "in the future" means beyond this.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ValueSpec:
    """What an answer must be: the type and the options of an input or an input step."""

    kind: ValueType
    choices: tuple[str, ...] | None = None
    path_kind: PathKind = PathKind.ANY
    not_before: str | None = None

    @classmethod
    def of(cls, item: RunbookInput | InputStep) -> ValueSpec:
        return cls(item.value_type, item.choices, item.path_kind, item.not_before)


@dataclass(frozen=True)
class ValueContext:
    """Where and when an answer is given: paths are relative to ``cwd``; ``now`` is the real
    time (not a test clock), against which "in the future" is judged."""

    cwd: Path = field(default_factory=Path.cwd)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def split_list(text: str) -> list[str]:
    """Items separated by commas, spaces or new lines (hostnames, package specs, IOCs)."""
    return [item for item in re.split(r"[,\s]+", text) if item]


def coerce(spec: ValueSpec, raw: Any, context: ValueContext | None = None) -> Any:
    """The value to store for ``raw``; ValueError with a responder-facing message when invalid."""
    ctx = context or ValueContext()
    kind = spec.kind
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
    if kind in _LISTS:
        items = [str(i).strip() for i in raw] if isinstance(raw, list) else split_list(str(raw))
        return _list(spec, [i for i in items if i], ctx)
    if isinstance(raw, list | dict):
        raise ValueError(f"expected {kind.value} text, not a {type(raw).__name__}")
    text = str(raw).strip() if kind is not ValueType.MULTILINE else str(raw).rstrip()
    if kind is ValueType.CHOICE:
        if spec.choices and text not in spec.choices:
            raise ValueError(f"'{text}' is not one of: {', '.join(spec.choices)}")
        return text
    if kind is ValueType.DATETIME:
        return check_datetime(text, spec.not_before, ctx.now)
    if not text:
        raise ValueError("an answer is required")
    if kind is ValueType.PACKAGE:
        return package_spec(text)
    if kind is ValueType.PATH:
        return check_path(text, spec.path_kind, ctx.cwd)
    if kind is ValueType.EMAIL:
        if not _EMAIL.match(text):
            raise ValueError(f"'{text}' is not an e-mail address (name@example.org)")
        return text
    if kind is ValueType.URL:
        return check_url(text)
    return text


def _list(spec: ValueSpec, items: list[str], ctx: ValueContext) -> list[str]:
    if spec.kind is ValueType.MULTICHOICE and spec.choices:
        unknown = [i for i in items if i not in spec.choices]
        if unknown:
            raise ValueError(
                f"not a choice: {', '.join(unknown)} (choose from {', '.join(spec.choices)})"
            )
    if spec.kind is ValueType.PACKAGES:
        return _each(items, package_spec)
    if spec.kind is ValueType.PATHS:
        return _each(items, lambda item: check_path(item, spec.path_kind, ctx.cwd))
    return items


def _each(items: list[str], check: Any) -> list[str]:
    """Every item checked; all the bad ones named in one message."""
    out, problems = [], []
    for item in items:
        try:
            out.append(check(item))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("; ".join(problems))
    return out


def package_spec(text: str) -> str:
    """``ECOSYSTEM:NAME@VERSION`` checked and normalised (OSV ecosystem spelling, the name as
    the ecosystem indexes it); npm versions must be SemVer and PyPI ones PEP 440."""
    from irbook.audit.lockfiles.versions import KEYS
    from irbook.errors import VersionError

    ecosystem, name, version = split_spec(text)
    if ecosystem in KEYS:
        try:
            KEYS[ecosystem](version)
        except VersionError:
            grammar = "SemVer" if ecosystem == "npm" else "PEP 440"
            raise ValueError(
                f"'{text.strip()}': '{version}' is not a {ecosystem} version ({grammar})"
            ) from None
    return f"{ecosystem}:{name}@{version}"


def parse_datetime(text: str) -> datetime:
    """ISO 8601 date and time with a zone (Z or an offset): a time without one is ambiguous."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected a date and time like 2026-05-11T19:46:00Z") from None
    if value.tzinfo is None:
        raise ValueError(
            f"'{text.strip()}' has no time zone: add Z for UTC (2026-05-11T19:46:00Z) or an "
            "offset (+02:00)"
        )
    return value.astimezone(UTC)


def earliest(not_before: str | None, now: datetime) -> datetime | None:
    """The earliest time a runbook's ``not_before`` allows: ``365d`` before now, or a date."""
    if not not_before:
        return None
    days = _DAYS.match(not_before.strip())
    if days:
        return now - timedelta(days=int(days.group(1)))
    value = datetime.fromisoformat(not_before.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_datetime(text: str, not_before: str | None, now: datetime) -> str:
    """Stored as ISO text in UTC; refused in the future (beyond clock skew) or too early."""
    value = parse_datetime(text)
    if value > now + CLOCK_SKEW:
        raise ValueError(
            f"{value:%Y-%m-%d %H:%M} UTC is in the future (now {now:%Y-%m-%d %H:%M} UTC)"
        )
    first = earliest(not_before, now)
    if first is not None and value < first:
        raise ValueError(
            f"{value:%Y-%m-%d %H:%M} UTC is before {first:%Y-%m-%d %H:%M} UTC, the earliest "
            f"this runbook accepts (not_before: {not_before})"
        )
    return value.isoformat()


def check_path(text: str, kind: PathKind, cwd: Path) -> str:
    """The path as typed, once it is known to exist (relative to ``cwd``) and be of its kind."""
    path = Path(text).expanduser()
    where = path if path.is_absolute() else cwd / path
    if not where.exists():
        raise ValueError(f"{text}: no such file or directory")
    if kind is PathKind.FILE and not where.is_file():
        raise ValueError(f"{text}: not a regular file")
    if kind is PathKind.DIRECTORY and not where.is_dir():
        raise ValueError(f"{text}: not a directory")
    return text


def check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        raise ValueError(f"'{text}' is not an http(s) URL")
    return text


def validator(spec: ValueSpec, context: ValueContext, *, required: bool = True) -> Any:
    """A prompt validator for ``spec`` (returns an error message or None)."""

    def check(text: str) -> str | None:
        if not text.strip() and not required:
            return None
        try:
            coerce(spec, text, context)
        except ValueError as exc:
            return str(exc)
        return None

    return check
