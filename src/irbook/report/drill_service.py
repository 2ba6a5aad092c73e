"""`irbook drill report` as the CLI asks for it: read the drill and the earlier drills of its
runbook from the database, score, export Markdown or JSON."""

from __future__ import annotations

from irbook.domain.drills import is_drill_id
from irbook.errors import IrbookError, UsageError
from irbook.report import drill_model as dm
from irbook.report.build import milestone_names
from irbook.report.drill import comparison_row, score_drill
from irbook.report.service import ExportedReport
from irbook.store import Incident, Reader
from irbook.usecases.incidents import load_state

DRILL_FORMATS = ("md", "json")
# Rows of the comparison table: the most recent earlier drills (each is folded in turn, one at a
# time, so a database of many drills costs time, not memory).
MAX_EARLIER = 10


def _refuse(incident_id: str) -> UsageError:
    return UsageError(
        f"{incident_id} is not a drill: `irbook drill report` scores rehearsals only",
        hint=f"`irbook report {incident_id}` exports a real incident's report",
    )


def build_drill_report(store: Reader, incident_id: str) -> dm.DrillReport:
    row = store.incident(incident_id)
    if not is_drill_id(row.id):  # known from the id: a real incident is not even folded
        raise _refuse(row.id)
    state = load_state(store, row.id)
    if not state.drill:  # the id says DRILL but the first event does not: not scored as one
        raise _refuse(row.id)
    names = milestone_names(state)
    earlier = _earlier(store, row)
    rows = []
    for other in earlier[-MAX_EARLIER:]:
        try:
            rows.append(comparison_row(load_state(store, other.id), names))
        except IrbookError:  # a damaged earlier drill does not stop this report
            rows.append(
                dm.ComparisonRow(
                    drill_id=other.id,
                    opened_at=other.opened_at,
                    scenario=None,
                    status="unreadable (see `irbook verify`)",
                    milestones=dict.fromkeys(names),
                    score=None,
                )
            )
    return score_drill(state, rows, not_shown=max(len(earlier) - MAX_EARLIER, 0))


def _earlier(store: Reader, this: Incident) -> list[Incident]:
    """The other drills of the same runbook opened before this one, oldest first."""
    return sorted(
        (
            i
            for i in store.incidents()
            if i.id != this.id
            and is_drill_id(i.id)
            and i.runbook_id == this.runbook_id
            and i.opened_at <= this.opened_at
        ),
        key=lambda i: (i.opened_at, i.id),
    )


def drill_report(store: Reader, incident_id: str, fmt: str) -> ExportedReport:
    """The drill report of ``incident_id`` in ``fmt`` (md or json)."""
    if fmt not in DRILL_FORMATS:
        raise UsageError(f"unknown drill report format '{fmt}'; use one of md, json")
    from irbook.domain.redact import redact

    report = build_drill_report(store, incident_id)
    if fmt == "json":
        text = report.model_dump_json(indent=2) + "\n"
    else:
        from irbook.report.drill_markdown import to_markdown

        text = to_markdown(report)
    # the last check, as for the incident report: no secret leaves in a report
    clean, found = redact(text)
    return ExportedReport.of_text(report.drill_id, fmt, report.status, clean, tuple(found))
