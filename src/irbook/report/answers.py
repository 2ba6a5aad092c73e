"""Answers and findings as a reader wants them in the report, not as the record stores them.

A check step's recorded answer is ``{"ok": false, "summary": "...", "findings": 2}`` and a notify
step's is ``{"files": [...]}``: the record keeps them whole (``--json`` and the event log show
them), the report's tables say what they mean in words. A step's last check or command run is
told here too: its first findings, and the bounded, redacted end of a command's output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from irbook.domain.shown import Tail, finding_line, output_tail

if TYPE_CHECKING:  # model imports this module; the types are only for the checker
    from irbook.report.model import Check, Command

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
    keys = [k for k in keys if any(show(f.get(k)) for f in findings)]
    rows = [[show(f.get(k)) for k in keys] for f in findings]
    path = next((keys.index(k) for k in PATH_KEYS if k in keys), None)
    return keys, rows, path


# --- what a step's last run showed --------------------------------------------------------------

OUTPUT_LINES = 40  # npm's or git's error block, with room; the JSON export has the whole output
OUTPUT_CHARS = 8 * 1024  # a minified bundle on one line must not make the page or a cell huge
FIRST_FINDINGS = 5  # the step table names the first ones; the Checks section has every one


class _Run(Protocol):
    @property
    def step_id(self) -> str | None: ...


R = TypeVar("R", bound=_Run)


def last_by_step(runs: Iterable[R]) -> dict[str, R]:
    """Each step's last check or command run (a re-run replaces the one before it)."""
    return {r.step_id: r for r in runs if r.step_id}


def output_shown(cmd: Command) -> Tail:
    """The part of a command's output the report shows: bounded, redacted again."""
    return output_tail(cmd.output, lines=OUTPUT_LINES, max_chars=OUTPUT_CHARS)


def output_heading(cmd: Command, tail: Tail) -> str:
    """``exit 1 (failed), last 40 of 200 lines``: what the collapsed block holds."""
    verdict = f"exit {cmd.exit_code}" + (" (failed)" if cmd.exit_code else "")
    if not tail.lines:
        return f"{verdict}, no output"
    total = len(tail.lines) + tail.earlier
    count = f"last {len(tail.lines)} of {total} lines" if tail.earlier else f"{total} line(s)"
    return f"{verdict}, {count}"


def earlier_note(cmd: Command, tail: Tail, incident_id: str) -> str:
    """Where the lines not shown are, or "" when every line is shown."""
    notes = []
    if tail.earlier:
        notes.append(
            f"{tail.earlier} earlier line(s) in the event log "
            f"(irbook report {incident_id} -f json has them)"
        )
    if cmd.truncated:
        notes.append("the start of the output was cut when it was recorded")
    return "… " + "; ".join(notes) if notes else ""


def last_run_text(check: Check | None, cmd: Command | None) -> str:
    """For a step with no answer yet (a check or command that failed keeps its step open): what
    its last run said."""
    if check is not None:
        return f"last run {'passed' if check.ok else 'failed'}: {check.summary}"
    if cmd is not None:
        return f"last run exited with {cmd.exit_code}"
    return ""


def first_findings(check: Check) -> tuple[list[str], int]:
    """The first findings as one line each (file, package and version, advisory), and how many
    more there are."""
    return [finding_line(f) for f in check.findings[:FIRST_FINDINGS]], max(
        0, len(check.findings) - FIRST_FINDINGS
    )
