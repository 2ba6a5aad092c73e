"""The completed-incident report: build one Report from the event log, then export it.

``build_report(state)`` is pure; ``export_report(state, fmt)`` formats it as Markdown, one
self-contained HTML file, JSON (the Report model, schema in docs/report-schema.json), the timeline
as CSV, or the follow-ups as a CSV that issue trackers import.
"""

from __future__ import annotations

from irbook.domain.engine import IncidentState
from irbook.errors import UsageError
from irbook.report.build import build_report
from irbook.report.model import SCHEMA_VERSION, Report, report_json_schema

FORMATS = ("md", "html", "json", "csv", "followups-csv")
SUFFIX = {
    "md": ".md",
    "html": ".html",
    "json": ".json",
    "csv": ".csv",
    "followups-csv": "-followups.csv",
}


def format_report(report: Report, fmt: str) -> str:
    """``report`` in one of FORMATS (the last secret check included)."""
    from irbook.report.stream import format_model

    return format_model(report, fmt)


def export_report(state: IncidentState, fmt: str) -> str:
    """The report of ``state`` as text in format ``fmt`` (see FORMATS); the CLI streams the
    same writers over the store instead (report/service.py)."""
    if fmt not in FORMATS:  # before building: a typo should not cost a 10,000-event fold
        raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    import io

    from irbook.report.stream import stream_report

    out = io.BytesIO()
    stream_report(state.incident_id, state.runbook, state.events, fmt, out)
    return out.getvalue().decode()


__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "SUFFIX",
    "Report",
    "build_report",
    "export_report",
    "format_report",
    "report_json_schema",
]
