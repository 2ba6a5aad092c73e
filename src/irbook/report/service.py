"""The report as the CLI asks for it: stream the incident's log from the store into one format.

The log is read a batch at a time and the report is written as it goes (report/stream.py) into
a temporary file (in memory while small, an unnamed 0600 file past that): a 100,000-event
incident is reported in bounded memory, and nothing reaches the caller's output until the whole
report is written (a damaged log stops it with nothing written).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass
from typing import IO

from irbook.report import FORMATS
from irbook.store import Reader
from irbook.usecases.incidents import open_events

IN_MEMORY = 8 << 20  # bytes of report kept in memory before it moves to a temporary file


@dataclass(frozen=True)
class ExportedReport:
    incident_id: str
    fmt: str
    status: str
    body: IO[bytes]  # the report, UTF-8, positioned at its start; closed by ``close``
    redacted: tuple[str, ...] = ()  # kinds masked by the last check before the report leaves

    @classmethod
    def of_text(
        cls, incident_id: str, fmt: str, status: str, text: str, redacted: tuple[str, ...] = ()
    ) -> ExportedReport:
        """A report built as one string (a drill's score: a few pages at most)."""
        return cls(incident_id, fmt, status, io.BytesIO(text.encode()), redacted)

    @property
    def text(self) -> str:
        """The whole report as one string (for the Python API and tests: small reports)."""
        self.body.seek(0)
        return self.body.read().decode()

    def copy_to(self, out: IO[bytes]) -> None:
        self.body.seek(0)
        shutil.copyfileobj(self.body, out, 1 << 20)

    def close(self) -> None:
        self.body.close()


def report_incident(store: Reader, incident_id: str, fmt: str) -> ExportedReport:
    """Fold the incident's events and export its report in ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        from irbook.errors import UsageError

        raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    from irbook.report.split import SplitReport, plan
    from irbook.report.stream import payloads_needed, stream_report

    # The last check (in stream_report): events are redacted when stored, but a database written
    # by an older irbook (or edited by hand) may still hold a secret; the report never carries
    # one out.
    incident_id, runbook, events = open_events(store, incident_id, payloads=payloads_needed(fmt))
    body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (the caller closes it)
    split = None
    try:
        where = plan(store, incident_id, fmt)  # a long log: two processes (report/split.py)
        if where is None:
            streamed = stream_report(incident_id, runbook, events, fmt, body)
        else:
            split = SplitReport(store, incident_id, runbook, fmt, where)
            streamed = stream_report(
                incident_id,
                runbook,
                split.events(events),
                fmt,
                body,
                chain=split.chain,
                elsewhere=split,
            )
    except BaseException:
        body.close()
        raise
    finally:
        if split is not None:
            split.close()
    body.seek(0)
    return ExportedReport(incident_id, fmt, streamed.status, body, streamed.found)
