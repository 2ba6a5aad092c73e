"""Parser limits turned into the usual ``file:line:col`` problem.

Python's parsers stop hostile input with exceptions that are not syntax errors: ``json`` and
``tomllib`` raise RecursionError on 100,000 nested ``[``; ``int()`` (JSON, YAML and TOML
integers) raises ValueError on more than 4,300 digits (CVE-2020-10735's guard). Both are the
input's fault, so they become an InvalidInputError pinned to where the input goes wrong instead
of a crash log.
"""

from __future__ import annotations

import re

from irbook.errors import Problem

_LONG_DIGITS = re.compile(r"\d{4301,}")
_DEPTH_SHOWN = 1000  # a depth no real file reaches; named in the message


def limit_problem(exc: BaseException, name: str, text: str | bytes, kind: str) -> Problem | None:
    """The problem ``exc`` (raised while parsing ``text``) stands for, or None when it is not a
    parser limit (the caller re-raises it)."""
    source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if isinstance(exc, RecursionError):
        found = _deep_position(source)
        if found is None:  # nested by indentation (YAML blocks), not brackets
            return Problem(name, 1, 1, "", f"{kind} is nested too deeply to parse")
        return Problem(
            name, *found, "", f"{kind} is nested too deeply (over {_DEPTH_SHOWN} levels)"
        )
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        digits = _LONG_DIGITS.search(source)
        line, column = _position(source, digits.start()) if digits else (1, 1)
        return Problem(name, line, column, "", "a number with more than 4300 digits is not allowed")
    return None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _deep_position(text: str) -> tuple[int, int] | None:
    """Where bracket nesting first passes ``_DEPTH_SHOWN`` levels, strings skipped (JSON, TOML
    and YAML flow style all nest with ``[`` and ``{``)."""
    depth, quote, escaped = 0, "", False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char == '"':  # single quotes are apostrophes in YAML plain text: best effort
            quote = char
        elif char in "[{":
            depth += 1
            if depth > _DEPTH_SHOWN:
                return _position(text, index)
        elif char in "]}":
            depth -= 1
    return None
