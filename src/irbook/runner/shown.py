"""What the walker shows after a check or a command: the first findings, named, and the last
lines of a failed command's output. Pure text; ``irbook.console.walker`` prints it.

Before, a check said only how many ("2 affected package version(s) in 2 file(s)") and a failed
command only its exit code, though both were stored: the responder had to export the report to
learn which package, which repository, or that npm said E403.
"""

from __future__ import annotations

import re
from typing import Any

from irbook.domain.describe import one_line
from irbook.domain.redact import redact

FIRST_FINDINGS = 5  # enough to act on; the report has every one
LAST_LINES = 12  # npm's error block fits; the report has the whole (truncated) output
MAX_LINE = 300  # a minified bundle on one log line must not fill the screen


# Terminal control characters (ESC sequences, bells, carriage returns) from a command or a log
# would act on the responder's terminal: shown as "?" instead.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _cut(text: str) -> str:
    return one_line(_CONTROL.sub("?", text), MAX_LINE)


def _output_line(text: str) -> str:
    """A line of command output: indentation kept (npm's error blocks are indented)."""
    text = _CONTROL.sub("?", text.replace("\t", "    ").rstrip())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def finding_line(finding: dict[str, Any]) -> str:
    """One finding as a responder reads it: where, what, and which advisory."""
    if "ioc" in finding:  # log-ioc-scan
        where = f"{finding.get('file', '?')}:{finding.get('line', '?')}"
        return _cut(f"{where}: {finding.get('kind', 'ioc')} {finding.get('ioc', '')}")
    if "name" in finding:  # lockfile-audit
        package = (
            f"{finding.get('ecosystem', '')}:{finding.get('name', '')}@{finding.get('version', '')}"
        )
        advisory = finding.get("advisory") or ""
        safe = f" (safe: {finding['safe_version']})" if finding.get("safe_version") else ""
        low = " (low confidence: all versions)" if finding.get("low_confidence") else ""
        return _cut(f"{finding.get('file', '?')}: {package} {advisory}{safe}{low}")
    # another action's finding: its fields, in order
    return _cut(", ".join(f"{k}={v}" for k, v in finding.items() if not isinstance(v, list | dict)))


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
    """The end of a command's output, secrets redacted again (stored output already is; this is
    the last guard before a screen or a chat paste)."""
    clean, _ = redact(output)
    lines = clean.rstrip().splitlines()
    return [_output_line(line) for line in lines[-count:]]
