"""What the walker shows after a check or a command: the first findings, named, and the last
lines of a failed command's output. Pure text; ``irbook.console.walker`` prints it.

Before, a check said only how many ("2 affected package version(s) in 2 file(s)") and a failed
command only its exit code, though both were stored: the responder had to export the report to
learn which package, which repository, or that npm said E403.
"""

from __future__ import annotations

from typing import Any

from irbook.domain.shown import CONTROL, MAX_LINE, finding_line, output_tail

FIRST_FINDINGS = 5  # enough to act on; the report has every one
LAST_LINES = 12  # npm's error block fits; the report has the whole (truncated) output


def _output_line(text: str) -> str:
    """A line of command output: indentation kept (npm's error blocks are indented)."""
    text = CONTROL.sub("?", text.replace("\t", "    ").rstrip())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def finding_lines(
    findings: list[dict[str, Any]], *, incident_id: str, first: int = FIRST_FINDINGS
) -> list[str]:
    """The first ``first`` findings, then "N more" naming where every one is."""
    lines = [finding_line(f) for f in findings[:first]]
    rest = len(findings) - first
    if rest > 0:
        lines.append(f"… and {rest} more: `irbook report {incident_id}` lists every finding")
    return lines


def last_lines(output: str, *, count: int = LAST_LINES) -> list[str]:
    """The end of a command's output, secrets redacted again (``output_tail``)."""
    return [_output_line(line) for line in output_tail(output, lines=count).lines]
