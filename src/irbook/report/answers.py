"""Answers and findings as a reader wants them in the report, not as the record stores them.

A check step's recorded answer is ``{"ok": false, "summary": "...", "findings": 2}`` and a notify
step's is ``{"files": [...]}``: the record keeps them whole (``--json`` and the event log show
them), the report's tables say what they mean in words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

MATCH_LABEL = {"exact": "exact", "range": "range", "all-versions": "all versions (low confidence)"}
LOCKFILE_KEYS = frozenset({"file", "name", "version", "advisory"})
PATH_KEYS = ("file", "path")


def answer_text(value: Any, show: Callable[[Any], str]) -> str:
    """A recorded answer in words; ``show`` formats anything that is not a known shape."""
    if not isinstance(value, dict):
        return show(value)
    if "ok" in value and "summary" in value:
        verdict = "passed" if value["ok"] else "found problems"
        return f"check {verdict}: {value['summary']}"
    if set(value) == {"files"} and isinstance(value["files"], list):
        names = ", ".join(PurePath(str(f)).name for f in value["files"])
        return f"rendered {names}" if names else "rendered (no file)"
    if set(value) == {"exit_code"}:
        return f"command ran, exit code {value['exit_code']}"
    return "; ".join(f"{k}: {show(v)}" for k, v in value.items())


def finding_table(
    findings: list[dict[str, Any]], show: Callable[[Any], str]
) -> tuple[list[str], list[list[str]], int | None]:
    """Headers, rows and the index of the path column (or None) for a check's findings.

    Lockfile findings get the five columns a reader needs (file, package and version, advisory
    with its aliases, match, safe version); the rest of each finding is in the JSON export.
    Other findings keep their own keys, without the columns that are empty in every row."""
    if findings and all(f.keys() >= LOCKFILE_KEYS for f in findings):
        rows = []
        for f in findings:
            aliases = f" ({', '.join(map(str, f['aliases']))})" if f.get("aliases") else ""
            rows.append(
                [
                    str(f["file"]),
                    f"{f['name']} {f['version']}",
                    f"{f['advisory']}{aliases}",
                    MATCH_LABEL.get(str(f.get("match")), show(f.get("match"))),
                    show(f.get("safe_version")) or "—",
                ]
            )
        return ["File", "Package", "Advisory", "Match", "Safe version"], rows, 0
    keys: list[str] = []
    for f in findings:
        keys += [k for k in f if k not in keys]
    rows = [[show(f.get(k)) for k in keys] for f in findings]
    shown = [n for n in range(len(keys)) if any(row[n] for row in rows)]
    if len(shown) < len(keys):  # a column empty in every row is left out
        keys = [keys[n] for n in shown]
        rows = [[row[n] for n in shown] for row in rows]
    path = next((keys.index(k) for k in PATH_KEYS if k in keys), None)
    return keys, rows, path
