"""The report as the CLI asks for it: load the incident from the store, export one format."""

from __future__ import annotations

from dataclasses import dataclass

from irbook.report import FORMATS, export_report
from irbook.store import Reader
from irbook.usecases.incidents import load_state


@dataclass(frozen=True)
class ExportedReport:
    incident_id: str
    fmt: str
    status: str
    text: str
    redacted: tuple[str, ...] = ()  # kinds masked by the last check before the report leaves


def report_incident(store: Reader, incident_id: str, fmt: str) -> ExportedReport:
    """Fold the incident's events and export its report in ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        from irbook.errors import UsageError

        raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    from irbook.domain.redact import redact

    state = load_state(store, incident_id)
    # The last check: events are redacted when stored, but a database written by an older irbook
    # (or edited by hand) may still hold a secret; the report never carries one out.
    text, found = redact(export_report(state, fmt))
    return ExportedReport(state.incident_id, fmt, state.status, text, tuple(found))
