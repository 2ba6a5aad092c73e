"""The outline of the start of a JSON (or bun's JSONC) file, for telling formats apart.

Only the first bytes of a file are read, so the text is usually cut off: a tolerant scanner walks
it, tracking strings and nesting, and records the top-level keys with the first character of
each value (``{``, ``[``, ``"``...), and the first character of the first value inside a
top-level ``packages`` object. No JSON parser is needed and nothing is evaluated.
"""

from __future__ import annotations

from irbook.audit.lockfiles.inventory.bun_lock import to_json


def json_outline(head: str) -> tuple[dict[str, str], str | None] | None:
    """(top-level key -> first char of its value, first char of packages' first value), or None
    when the text does not start like a JSON object."""
    text = to_json(head.lstrip("\ufeff"))  # comments and trailing commas become spaces
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] != "{":
        return None
    keys: dict[str, str] = {}
    first_package: str | None = None
    depth, i, n = 0, start, len(text)
    key_path: list[str | None] = []  # the key whose value opened each level
    pending: str | None = None  # a key just read, waiting for its value
    while i < n:
        char = text[i]
        if char == '"':
            end = _string_end(text, i)
            if end < 0:
                break
            word = text[i + 1 : end]
            after = text[end + 1 :].lstrip()
            if after.startswith(":"):
                pending = word
                value_at = len(text) - len(after) + 1
                value = text[value_at:].lstrip()[:1]
                if depth == 1:
                    keys.setdefault(word, value)
                elif depth == 2 and key_path[-1] == "packages" and first_package is None:
                    first_package = value
            i = end + 1
            continue
        if char in "{[":
            key_path.append(pending)
            pending = None
            depth += 1
        elif char in "}]":
            depth -= 1
            if key_path:
                key_path.pop()
            if depth == 0:
                break
        elif char == ",":
            pending = None
        i += 1
    return keys, first_package


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return -1
