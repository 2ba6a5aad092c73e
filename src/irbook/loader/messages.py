"""Pydantic's validation errors, rewritten for runbook authors.

Pydantic speaks Python ("Input should be a valid tuple"); a runbook author wrote YAML. Each error
becomes a sentence naming what was expected and what was found, with a did-you-mean hint where one
helps. ``irbook.loader.load`` maps the errors to file positions; this module only words them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

Loc = tuple[str | int, ...]

# What each pydantic type error expected, in YAML words.
_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "tuple_type": "a list",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping (key: value lines)",
}


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def describe(value: Any) -> str:
    """A YAML author's name for a value: "'isolate'", "the number 3", "a mapping"..."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def type_message(kinds: Iterable[str], value: Any) -> str | None:
    """'expected X (or Y), got Z' for type errors (several kinds: the members of a union)."""
    expected = list(dict.fromkeys(_EXPECTED[k] for k in kinds if k in _EXPECTED))
    if not expected:
        return None
    if len(expected) > 2:  # "true or false" is itself an alternative: a plain list reads clearer
        head = f"expected one of: {', '.join(expected)}; got"
    else:
        head = f"expected {' or '.join(expected)}, got"
    message = f"{head} {describe(value)}"
    if expected == ["a list"] and isinstance(value, dict):
        message += " (start each item with '- ')"
    return message


def _options(expected: str) -> list[str]:
    """Pydantic's "'a', 'b' or 'c'" as ['a', 'b', 'c']."""
    return [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip(" '")]


def message(loc: Loc, err: Any) -> str:
    """The author-facing message of one pydantic error (not missing/extra/union tags)."""
    kind: str = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if loc and loc[-1] == "version" and kind in ("string_type", "string_pattern_mismatch"):
        return pattern_message(loc, value)  # `version: 1.0` is a float to YAML: same advice
    if kind in _EXPECTED:
        return type_message([kind], value) or err["msg"]
    if kind == "literal_error":
        options = _options(str(ctx.get("expected", "")))
        hint = did_you_mean(value, options) if isinstance(value, str) and len(options) > 1 else ""
        return f"expected {ctx.get('expected')}, got {describe(value)}{hint}"
    if kind == "enum":
        options = _options(str(ctx.get("expected", "")))
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        return f"unknown value {describe(value)}{hint}; expected one of: {', '.join(options)}"
    if kind == "too_short":
        count = int(ctx.get("min_length", 1))
        return f"needs at least {count} item{'s' if count > 1 else ''}; the list is empty"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        size = len(value) if isinstance(value, str) else "?"
        return f"is too long ({size} characters; the limit is {ctx.get('max_length')})"
    if kind == "string_pattern_mismatch":
        return pattern_message(loc, value)
    text = str(err["msg"])
    if kind == "value_error":  # a model's own check: its message is already the author's words
        text = text.removeprefix("Value error, ")
    return text[:1].lower() + text[1:]


def pattern_message(loc: Loc, value: Any) -> str:
    if loc and (loc[-1] == "at" or (len(loc) == 2 and loc[0] == "targets")):  # drill scenarios
        return f"'{value}' is not a time offset: a number and s, m, h or d (90s, 45m, 2h, 1.5d)"
    if loc and loc[-1] == "version":
        return f"version '{value}' is not MAJOR.MINOR.PATCH (e.g. 1.0.0)"
    if len(loc) >= 2 and loc[0] == "inputs":
        suggestion = re.sub(r"[^a-z0-9_]+", "_", str(value).lower()).strip("_")
        return (
            f"input id '{value}' must start with a lower-case letter and hold only "
            "lower-case letters, digits and underscores (it is used as a name in `when`)"
            + (f"; try '{suggestion}'" if re.fullmatch(r"[a-z][a-z0-9_]*", suggestion) else "")
        )
    suggestion = re.sub(r"[^a-z0-9-]+", "-", str(value).lower()).strip("-")
    return (
        f"id '{value}' must start with a lower-case letter or digit and hold only lower-case "
        "letters, digits and hyphens"
        + (f"; try '{suggestion}'" if re.fullmatch(r"[a-z0-9][a-z0-9-]*", suggestion) else "")
    )


# --- YAML syntax errors (duck-typed: PyYAML itself lives in irbook.loader.load only) ---------------


def _at_end(text: str, mark: Any) -> bool:
    """Whether only whitespace follows the mark: the parser ran off the end of the file."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return True
    return not (lines[mark.line][mark.column :] + "".join(lines[mark.line + 1 :])).strip()


def yaml_problem(text: str, exc: Any) -> tuple[int, int, str]:
    """Line, column and wording of a YAML syntax error, in the author's terms.

    When the parser only notices at the end of the file (an unclosed quote or bracket), the end of
    the file is a useless place to point at: the opening quote or bracket is where to look.
    """
    problem = exc.problem or str(exc)
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if mark is not None and exc.context_mark is not None and _at_end(text, mark):
        mark = exc.context_mark
        if "quoted scalar" in context:
            problem, context = "this quoted string is never closed", ""
        elif "flow sequence" in context or "flow mapping" in context:
            bracket = "[" if "sequence" in context else "{"
            problem, context = f"this '{bracket}' is never closed", ""
    if "tab" in problem or "\t" in problem:
        problem, context = "tab character; YAML indents with spaces only", ""
    elif any(s in problem for s in ("expected '-' indicator", "expected key", "<block end>")):
        problem, context = "bad indentation: this line does not line up with the lines above it", ""
    elif "found another document" in problem:
        problem, context = "expected one YAML document; this '---' starts a second one", ""
    elif "mapping values are not allowed" in problem:
        problem, context = "unexpected ':' (quote a value that holds ': ')", ""
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    suffix = f" {context}" if context and context not in problem else ""
    return line, column, f"{problem}{suffix}".strip()
