"""Output of `irbook report`, `irbook followup` and `irbook verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from irbook.console import info, print_json, stdout, success, warn

if TYPE_CHECKING:
    from irbook.report.service import ExportedReport
    from irbook.usecases.followups import FollowupResult
    from irbook.usecases.verify import Verification


def exported(report: ExportedReport, output: Path | None) -> None:
    """The report on stdout, or the line saying the caller wrote it to ``output``."""
    if report.redacted:
        warn(f"masked in the report: {', '.join(report.redacted)}; rotate that secret")
    if output is None:
        sys.stdout.flush()
        report.copy_to(sys.stdout.buffer)  # streamed: a big report is never one string
        sys.stdout.buffer.flush()
        return
    success(f"wrote {output} ({report.fmt}, incident {report.incident_id}, {report.status})")


def followup_added(result: FollowupResult, *, as_json: bool) -> None:
    event = result.event
    if as_json:
        print_json(
            {
                "incident_id": event.incident_id,
                "seq": event.seq,
                "hash": event.hash,
                "followup": event.payload,
                "redacted": result.redacted,
            }
        )
        return
    if result.redacted:
        warn(f"removed from the follow-up before storing it: {', '.join(result.redacted)}")
    success(f"follow-up recorded on {event.incident_id} (event {event.seq})")


def verification(result: Verification, *, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
        return
    if result.ok:
        success(f"OK {result.incident_id}: {result.events} events, hash chain intact")
        stdout().print(f"head hash {result.head_hash}", markup=False)
        return
    where = f"event {result.bad_seq}" if result.bad_seq is not None else "the head"
    if result.bad_seq is None and not result.row_ok:
        where = "the incident row"
    stdout().print(
        f"FAILED {result.incident_id} at {where}: {result.problem}", markup=False, style="bold red"
    )
    if result.damaged:
        stdout().print(f"{len(result.damaged)} damaged event row(s):", markup=False)
        for row in result.damaged:
            stdout().print(f"  {row}", markup=False)
    changed = "the log" if result.bad_seq is not None or result.row_ok else "the incident row"
    info(f"{result.events} events read; {changed} was changed outside irbook")
