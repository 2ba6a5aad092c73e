"""irbook as Python calls: what the CLI does, with keyword-only arguments (docs/api.md).

Each function is a thin wrapper over the use cases, the walker, the report and the audits, the
same code the CLI runs; errors are the ``irbook.errors`` classes the CLI turns into exit codes
(``err.exit_code``), and nothing is printed unless a ``display`` is passed.

``db`` is what ``--db`` takes (an SQLAlchemy URL or a file path; ``None``: ``IRBOOK_DB``, then
the user data directory) or an open ``irbook.store.Store``, which is used and left open.
``actor`` is what ``--as`` takes (``None``: ``IRBOOK_ACTOR``, then the OS user).

    from irbook import api

    walked = api.start(runbook="supply-chain-compromise", answers=Path("answers.yaml"), db="ir.db")
    api.record(incident=walked.incident_id, note="ci-runner-4 reimaged", db="ir.db")
    api.close(incident=walked.incident_id, db="ir.db")
    print(api.report(incident=walked.incident_id, format="md", db="ir.db"))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from irbook.errors import UsageError

if TYPE_CHECKING:
    from irbook.audit.lockfiles.audit import AuditReport
    from irbook.audit.logs.scan import LogScanResult
    from irbook.domain.engine import IncidentState
    from irbook.domain.events import Event
    from irbook.domain.models import Phase, Step
    from irbook.prompts import Prompter
    from irbook.runner.display import Display
    from irbook.store import Store

__all__ = [
    "IncidentOutcome",
    "Recorded",
    "audit_lockfiles",
    "audit_logs",
    "close",
    "record",
    "report",
    "resume",
    "start",
]


@dataclass(frozen=True)
class IncidentOutcome:
    """Where an incident stands after ``start``, ``resume`` or ``close``."""

    incident_id: str
    status: str  # "open", "completed" or "completed with exceptions"
    # the walk paused, settled every step, closed, or (a role walk) waits on other roles' steps
    outcome: Literal["paused", "settled", "closed", "waiting"]
    state: IncidentState  # the folded event log: inputs, steps, milestones, events


@dataclass(frozen=True)
class Recorded:
    """The event ``record`` appended, and the kinds of secret redacted before storing."""

    event: Event
    redacted: list[str]


def start(
    *,
    runbook: str | Path,
    db: str | Path | Store | None = None,
    answers: Path | None = None,
    prompter: Prompter | None = None,
    display: Display | None = None,
    title: str | None = None,
    severity: str = "SEV2",
    actor: str | None = None,
    runbooks_dir: Path | None = None,
    templates_dir: Path | None = None,
    out_dir: Path | None = None,
    drill: bool = False,
    scenario: Path | None = None,
) -> IncidentOutcome:
    """Open an incident from ``runbook`` (a name from the catalog, or a path) and walk it.

    Answers come from ``answers`` (an answers file: the run stops with StepUnansweredError at the
    first step it does not answer), else from ``prompter``, else from the terminal (NoTerminalError
    without one). Both are checked before the incident is opened. ``drill`` (or a ``scenario``
    file) opens a drill, as `irbook drill start` does (docs/drills.md).
    """
    from irbook.loader import catalog
    from irbook.runner import WalkOptions
    from irbook.runner.api import start as start_walk
    from irbook.runner.drill import load_drill_scenario
    from irbook.usecases.incidents import Responder

    loaded = catalog.load(str(runbook), runbooks_dir=runbooks_dir, templates_dir=templates_dir)
    options = WalkOptions(out_dir=out_dir, templates_dir=templates_dir)
    loaded_scenario = (
        load_drill_scenario(scenario, loaded, cwd=options.cwd) if scenario is not None else None
    )
    responder = Responder.resolve(actor)
    with _store(db) as store:
        result = start_walk(
            loaded,
            store=store,
            responder=responder,
            display=display or _Silent(),
            title=title,
            severity=severity,
            answers=answers,
            prompter=prompter,
            options=options,
            drill=drill,
            scenario=loaded_scenario,
        )
    return _outcome(result.state, result.outcome)


def resume(
    *,
    incident: str | None = None,
    db: str | Path | Store | None = None,
    answers: Path | None = None,
    prompter: Prompter | None = None,
    display: Display | None = None,
    actor: str | None = None,
    role: str | None = None,
    templates_dir: Path | None = None,
    out_dir: Path | None = None,
) -> IncidentOutcome:
    """Continue ``incident`` (default: the most recent open one) at its first open step; with
    ``role``, walk only that role's steps and the steps without a role."""
    from irbook.runner import WalkOptions
    from irbook.runner.api import resume as resume_walk
    from irbook.usecases.incidents import Responder

    responder = Responder.resolve(actor)
    with _store(db) as store:
        result = resume_walk(
            incident,
            store=store,
            responder=responder,
            display=display or _Silent(),
            answers=answers,
            prompter=prompter,
            options=WalkOptions(role=role, out_dir=out_dir, templates_dir=templates_dir),
        )
    return _outcome(result.state, result.outcome)


def record(
    *,
    incident: str,
    note: str | None = None,
    evidence: Path | None = None,
    followup: str | None = None,
    step: str | None = None,
    description: str = "",
    owner: str | None = None,
    due: str | None = None,
    db: str | Path | Store | None = None,
    actor: str | None = None,
) -> Recorded:
    """Add one thing to an incident's timeline: a ``note`` (``irbook note``), an ``evidence`` file
    (``irbook attach``: its path, sha256 and size, with ``description``) or a ``followup``
    (``irbook followup``, with ``owner`` and ``due`` as YYYY-MM-DD). ``step`` ties a note or
    evidence to a step. Secrets in text are redacted before storing."""
    given = [
        name
        for name, value in (("note", note), ("evidence", evidence), ("followup", followup))
        if value is not None
    ]
    if len(given) != 1:
        raise UsageError(
            "record takes exactly one of note=, evidence=, followup= "
            f"(got {', '.join(given) or 'none'})"
        )
    from irbook.usecases.incidents import Responder, add_note, attach_evidence

    responder = Responder.resolve(actor)
    with _store(db) as store:
        if note is not None:
            event, redacted = add_note(store, incident, note, responder=responder, step_id=step)
            return Recorded(event, list(redacted))
        if evidence is not None:
            event = attach_evidence(
                store,
                incident,
                evidence,
                responder=responder,
                description=description,
                step_id=step,
            )
            return Recorded(event, [])
        from irbook.usecases.followups import add_followup

        assert followup is not None  # exactly one was given
        result = add_followup(store, incident, followup, responder=responder, owner=owner, due=due)
        return Recorded(result.event, list(result.redacted))


def close(
    *, incident: str, db: str | Path | Store | None = None, actor: str | None = None
) -> IncidentOutcome:
    """Close ``incident``: CloseRefusedError while critical steps are open; the status is
    "completed", or "completed with exceptions" when a step was skipped or left open."""
    from irbook.usecases.incidents import Responder, close_incident

    responder = Responder.resolve(actor)
    with _store(db) as store:
        state = close_incident(store, incident, responder=responder)
    return _outcome(state, "closed")


def report(*, incident: str, format: str = "md", db: str | Path | Store | None = None) -> str:
    """The report of ``incident`` as text: ``format`` is md, html, json (schema in
    docs/report-schema.json), csv (the timeline) or followups-csv."""
    from irbook.report.service import report_incident

    with _store(db) as store:
        return report_incident(store, incident, format).text


def audit_lockfiles(
    *,
    paths: Sequence[Path],
    advisories: Sequence[Path],
    cache_dir: Path | None = None,
) -> AuditReport:
    """``irbook audit lockfiles``: the locked packages under ``paths`` (lockfiles, SBOMs, folders)
    that the advisories (OSV files, folders, all.zip dumps, ecosystem:name:version lists) name.
    ``report.findings`` is empty when nothing matched."""
    from irbook.audit.lockfiles.audit import audit

    return audit(list(paths), list(advisories), cache_dir=cache_dir)


def audit_logs(
    *,
    paths: Sequence[Path],
    ioc_files: Sequence[Path] = (),
    advisories: Sequence[Path] = (),
    domains: Sequence[str] = (),
) -> LogScanResult:
    """``irbook audit logs``: lines of the logs under ``paths`` (plain or .gz) that hold an
    indicator from ``ioc_files``, the advisories' domains/URLs, or ``domains``."""
    from irbook.audit.logs.scan import audit_logs as scan

    return scan(list(paths), ioc_files=ioc_files, advisories=advisories, domains=domains)


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def _store(db: str | Path | Store | None) -> Iterator[Store]:
    """An open Store for ``db``: the caller's own is used as it is; one opened here is closed."""
    from irbook.store import Store, open_store

    if isinstance(db, Store):
        yield db
        return
    store = open_store(None if db is None else str(db))
    try:
        yield store
    finally:
        store.close()


def _outcome(
    state: IncidentState, outcome: Literal["paused", "settled", "closed", "waiting"]
) -> IncidentOutcome:
    return IncidentOutcome(state.incident_id, state.status, outcome, state)


class _Silent:
    """The Display of a Python call: the walker shows nothing; the result says what happened."""

    def incident(self, state: IncidentState, *, resumed: bool) -> None:
        pass

    def phase(self, phase: Phase, progress: object) -> None:
        pass

    def step(self, step: Step, state: IncidentState, progress: object) -> None:
        pass

    def recorded(self, message: str) -> None:
        pass

    def notice(self, message: str) -> None:
        pass

    def problem(self, message: str) -> None:
        pass

    def finished(self, state: IncidentState) -> None:
        pass

    def waiting(self, state: IncidentState, waits: list[tuple[Step, list[Step]]]) -> None:
        pass

    def help(self, topic: object) -> None:
        pass

    def input(self, spec: object) -> None:
        pass

    def details(self, lines: list[str]) -> None:
        pass

    def message(self, title: str, text: str) -> None:
        pass

    def inject(self, inject: object, due_at: object) -> None:
        pass
