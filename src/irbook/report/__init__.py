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
    """``report`` in one of FORMATS."""
    if fmt == "md":
        from irbook.report.markdown import to_markdown

        return to_markdown(report)
    if fmt == "html":
        from irbook.report.html import to_html

        return to_html(report)
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        from irbook.report.csvout import timeline_csv

        return timeline_csv(report)
    if fmt == "followups-csv":
        from irbook.report.csvout import followups_csv

        return followups_csv(report)
    raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")


def export_report(state: IncidentState, fmt: str) -> str:
    """The report of ``state`` as text in format ``fmt`` (see FORMATS)."""
    if fmt not in FORMATS:  # before building: a typo should not cost a 10,000-event fold
        raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    return format_report(build_report(state), fmt)


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
