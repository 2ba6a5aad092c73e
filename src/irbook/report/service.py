"""The report as the CLI asks for it: load the incident from the store, export one format."""

from __future__ import annotations

from dataclasses import dataclass

from irbook.report import FORMATS, export_report
from irbook.store import Store
from irbook.usecases.incidents import load_state


@dataclass(frozen=True)
class ExportedReport:
    incident_id: str
    fmt: str
    status: str
    text: str


def report_incident(store: Store, incident_id: str, fmt: str) -> ExportedReport:
    """Fold the incident's events and export its report in ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        from irbook.errors import UsageError

        raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    state = load_state(store, incident_id)
    return ExportedReport(state.incident_id, fmt, state.status, export_report(state, fmt))
