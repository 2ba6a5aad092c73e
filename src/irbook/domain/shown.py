"""What a reader is shown of a check's findings and a command's output: one finding as one line,
and the redacted end of an output. Pure text, shared by the walker (runner/shown.py) and the
report's step table, so a finding or an output is never cut or cleaned two ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from irbook.domain.describe import one_line
from irbook.domain.redact import redact

MAX_LINE = 300  # a minified bundle on one log line must not fill a screen or a table cell

# Control characters (ESC sequences, bells, carriage returns) from a command or a log would act
# on a terminal, or hide text in a page: shown as "?" instead. Tab and line feed are kept.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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


def _cut(text: str) -> str:
    return one_line(CONTROL.sub("?", text), MAX_LINE)


@dataclass(frozen=True)
class Tail:
    """The last lines of an output, and how many lines before them were left out."""

    lines: tuple[str, ...]
    earlier: int


def output_tail(
    output: str, *, lines: int, max_chars: int | None = None, checked: bool = False
) -> Tail:
    """The last ``lines`` lines of ``output``, at most ``max_chars`` characters in all (the
    first kept line loses its start when it alone is longer), with secrets redacted again and
    control characters shown as "?". Stored output is redacted when it is recorded; this is the
    last guard before a screen, a chat paste or a report (a database written by an older irbook
    may still hold a secret). ``checked``: the caller has already checked ``output`` and
    redacted what it found (the report checks every entry before formatting it, issue 17)."""
    clean = output if checked else redact(output)[0]
    every = clean.rstrip().splitlines()
    kept: list[str] = []
    size = 0
    for line in reversed(every[-lines:] if lines > 0 else []):
        line = CONTROL.sub("?", line)
        if max_chars is not None:
            if kept and size + len(line) + 1 > max_chars:
                break
            if len(line) > max_chars:
                line = "…" + line[-(max_chars - 1) :]
        kept.append(line)
        size += len(line) + 1
    kept.reverse()
    return Tail(lines=tuple(kept), earlier=len(every) - len(kept))
