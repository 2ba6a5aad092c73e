"""A step's last check or command run, as the step table shows it: a check's first findings, one
line each, and the bounded, redacted end of a command's output (``domain.shown`` cuts and
cleans; the walker uses the same rules). ``build`` keeps one run per step; the exporters word it.
"""

from __future__ import annotations

from typing import Any

from irbook.domain.shown import finding_line, output_tail
from irbook.report.model import LastRun

OUTPUT_LINES = 40  # npm's or git's error block, with room; the JSON export has the whole output
OUTPUT_CHARS = 8 * 1024  # a minified bundle on one line must not make the page or a cell huge
FIRST_FINDINGS = 5  # the step table names the first ones; the Checks section has every one


def check_run(seq: int, *, ok: bool, summary: str, findings: list[dict[str, Any]]) -> LastRun:
    return LastRun(
        seq=seq,
        kind="check",
        ok=ok,
        summary=summary,
        findings=[finding_line(f) for f in findings[:FIRST_FINDINGS]],
        more_findings=max(0, len(findings) - FIRST_FINDINGS),
    )


def command_run(
    seq: int,
    *,
    command: str,
    exit_code: int,
    output: str,
    truncated: bool = False,
    checked: bool = False,
) -> LastRun:
    """``checked``: ``output`` has been through the report's secret check (``output_tail``)."""
    tail = output_tail(output, lines=OUTPUT_LINES, max_chars=OUTPUT_CHARS, checked=checked)
    return LastRun(
        seq=seq,
        kind="command",
        ok=exit_code == 0,
        summary=command,
        exit_code=exit_code,
        output=list(tail.lines),
        earlier_lines=tail.earlier,
        truncated=truncated,
    )


def output_heading(run: LastRun) -> str:
    """``exit 1 (failed), last 40 of 200 lines``: what a collapsed output block holds."""
    verdict = f"exit {run.exit_code}" + ("" if run.ok else " (failed)")
    if not run.output:
        return f"{verdict}, no output"
    total = len(run.output) + run.earlier_lines
    count = f"last {len(run.output)} of {total} lines" if run.earlier_lines else f"{total} line(s)"
    return f"{verdict}, {count}"


def earlier_note(run: LastRun, incident_id: str) -> str:
    """Where the output lines not shown are, or "" when every line is shown."""
    notes = []
    if run.earlier_lines:
        notes.append(
            f"{run.earlier_lines} earlier line(s) in the event log "
            f"(irbook report {incident_id} -f json has them)"
        )
    if run.truncated:
        notes.append("the start of the output was cut when it was recorded")
    return "… " + "; ".join(notes) if notes else ""


def last_run_text(run: LastRun | None) -> str:
    """For a step with no answer yet (a failed check or command keeps its step open): what its
    last run said."""
    if run is None:
        return ""
    if run.kind == "check":
        return f"last run {'passed' if run.ok else 'failed'}: {run.summary}"
    return f"last run exited with {run.exit_code}"
