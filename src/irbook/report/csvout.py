"""CSV exports: the timeline (one event per row) and the follow-ups for issue trackers.

Spreadsheets run a cell that starts with ``= + - @`` (or a tab / carriage return) as a formula, so
such text cells get a leading apostrophe (OWASP "CSV injection"). Numbers are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from irbook.domain.drills import SUBJECT_PREFIX

if TYPE_CHECKING:
    from irbook.report.model import Report
    from irbook.report.stream import Context, Document, Render

Item = dict[str, Any]  # one entry of a streamed section (report/build.py makes them)

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


class _Rows:
    """CSV rows as text, one writer reused (a writer per row would cost more than the row)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")  # RFC 4180 line ends

    def __call__(self, rows: Iterable[Sequence[object]]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        for row in rows:
            self._writer.writerow([v if isinstance(v, int) else cell(v) for v in row])
        return self._buffer.getvalue()


class TimelineCsv:
    """``--format csv``: the timeline, one event per row."""

    HEAD = False  # no summary, phases or chain verdict: the rows only

    def __init__(self) -> None:
        self._rows = _Rows()
        self.RENDER: dict[str, Render] = {"timeline": self._timeline}

    def _timeline(self, items: list[Item], incident: Context) -> str:
        drill = "true" if incident.drill else "false"
        return self._rows(
            [
                t["seq"],
                t["at"].isoformat(),
                t["actor"],
                t["host"],
                t["kind"],
                t["step_id"],
                t["phase_id"],
                t["summary"],
                t["hash"],
                t["login"],
                drill,
            ]
            for t in items
        )

    def write_document(self, r: Report | None, doc: Document) -> None:
        doc.text(self._rows([TIMELINE_COLUMNS]))
        doc.section("timeline")


class FollowupsCsv:
    """``--format followups-csv``: title, description, owner, due, labels: the columns GitLab,
    Jira and Linear map on import."""

    HEAD = False

    def __init__(self) -> None:
        self._rows = _Rows()
        self.RENDER: dict[str, Render] = {"followups": self._followups}

    def _followups(self, items: list[Item], incident: Context) -> str:
        rows = []
        for f in items:
            first = " ".join(f["text"].split())
            if incident.drill:  # imported into a tracker, a rehearsal's follow-up must say so
                first = SUBJECT_PREFIX + first
            title = first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1].rstrip() + "…"
            description = (
                f"{f['text']}\n\nFollow-up of incident {incident.incident_id} ({incident.title}), "
                f"recorded by {f['actor']} on {f['at']:%Y-%m-%d %H:%M} UTC."
            )
            # labels are space-separated: a label has no space
            labels = f"incident-response {incident.incident_id}"
            labels += " drill" if incident.drill else ""
            rows.append([title, description, f["owner"], f["due"], labels])
        return self._rows(rows)

    def write_document(self, r: Report | None, doc: Document) -> None:
        doc.text(self._rows([FOLLOWUP_COLUMNS]))
        doc.section("followups")
