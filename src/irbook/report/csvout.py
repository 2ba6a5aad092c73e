"""CSV exports: the timeline (one event per row) and the follow-ups for issue trackers.

Spreadsheets run a cell that starts with ``= + - @`` (or a tab / carriage return) as a formula, so
such text cells get a leading apostrophe (OWASP "CSV injection"). Numbers are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from irbook.domain.drills import SUBJECT_PREFIX
from irbook.report.model import Report

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIMELINE_COLUMNS = [
    *("seq", "at", "actor", "host", "kind", "step_id", "phase_id", "summary", "hash"),
    "login",  # last: added in schema 2, so columns read by position keep their place
    "drill",  # true on every row of a rehearsal's timeline (irbook drill start); added last too
]
FOLLOWUP_COLUMNS = ["title", "description", "owner", "due", "labels"]
TITLE_MAX = 80


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(header)
    for row in rows:
        writer.writerow([v if isinstance(v, int) else cell(v) for v in row])
    return buffer.getvalue()


def timeline_csv(r: Report) -> str:
    return _write(
        TIMELINE_COLUMNS,
        (
            [
                t.seq,
                t.at.isoformat(),
                t.actor,
                t.host,
                t.kind,
                t.step_id,
                t.phase_id,
                t.summary,
                t.hash,
                t.login,
                "true" if r.drill else "false",
            ]
            for t in r.timeline
        ),
    )


def followups_csv(r: Report) -> str:
    """title, description, owner, due, labels: the columns GitLab, Jira and Linear map on import."""
    rows = []
    for f in r.followups:
        first = " ".join(f.text.split())
        if r.drill:  # imported into a tracker, a rehearsal's follow-up must say what it is
            first = SUBJECT_PREFIX + first
        title = first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1].rstrip() + "…"
        description = (
            f"{f.text}\n\nFollow-up of incident {r.incident_id} ({r.title}), "
            f"recorded by {f.actor} on {f.at:%Y-%m-%d %H:%M} UTC."
        )
        labels = f"incident-response {r.incident_id}"  # space-separated: labels have no spaces
        labels += " drill" if r.drill else ""
        rows.append([title, description, f.owner, f.due, labels])
    return _write(FOLLOWUP_COLUMNS, rows)
