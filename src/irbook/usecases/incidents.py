"""Incident operations that Python and the CLI share: start, load, record, note, attach, close.

Every function takes the store and the responder as keyword arguments; nothing here prompts or
prints. The walker (``irbook.runner``) builds on ``record``.
"""

from __future__ import annotations

import getpass
import hashlib
import itertools
import os
import secrets
import socket
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from irbook.domain import engine
from irbook.domain.drills import DRILL_MARK, Scenario
from irbook.domain.engine import IncidentState
from irbook.domain.events import (
    Event,
    EvidenceAttached,
    IncidentClosed,
    IncidentOpened,
    Kind,
    NewEvent,
    NoteAdded,
    SeverityChanged,
)
from irbook.domain.models import Runbook
from irbook.domain.redact import find_secrets, redact, redact_value, scrub_event
from irbook.domain.text import check_one_line
from irbook.errors import (
    CloseRefusedError,
    IrbookError,
    NotFoundError,
    UsageError,
)
from irbook.files.read import open_regular
from irbook.loader.load import LoadedRunbook, parse_runbook_text
from irbook.loader.messages import did_you_mean
from irbook.store import Incident, Reader
from irbook.usecases.lookup import find_incident as find_incident
from irbook.usecases.retry import retry_on_conflict

if TYPE_CHECKING:
    from irbook.store import Store

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Responder:
    """Who is acting, and from where: recorded on every event."""

    actor: str
    host: str
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    def __post_init__(self) -> None:
        # The name is stored on every event and in opened_by, and shown in every report: a secret
        # in it would be everywhere, so it is refused (not redacted: a mangled name is useless).
        check_one_line(self.actor, "the responder name (--as / IRBOOK_ACTOR)")
        found = find_secrets(self.actor)
        if found:
            raise UsageError(
                f"the responder name (--as / IRBOOK_ACTOR) looks like a secret ({', '.join(found)})",
                hint="use your name or handle; rotate that secret",
            )

    @classmethod
    def resolve(
        cls, actor: str | None = None, *, ask: Callable[[], str] | None = None
    ) -> Responder:
        """``--as``, else IRBOOK_ACTOR, else ``git config user.name``, else the name remembered on
        this machine, else (with ``ask``: a terminal) the name asked now and remembered, else the
        OS user. The host name is recorded too."""
        from irbook.usecases.actor import actor_name, remember

        name, asked = actor_name(actor, ask=ask)
        responder = cls(actor=(name or _os_user()).strip(), host=socket.gethostname())
        if asked:  # only a name that passed the checks above is kept
            remember(responder.actor)
        return responder


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers without a passwd entry
        return f"uid-{os.getuid()}"


def output_dir(incident_id: str) -> Path:
    """Where an incident's rendered files (.eml, reports) go by default; created 0700."""
    base = os.environ.get("IRBOOK_OUTPUT_DIR")
    if base:
        root = Path(base)
    else:
        from platformdirs import user_data_dir

        root = Path(user_data_dir("irbook", appauthor=False)) / "incidents"
    path = root / incident_id
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def new_incident_id(now: datetime, *, drill: bool = False) -> str:
    mark = f"{DRILL_MARK}-" if drill else ""  # IR-DRILL-20261130-1A2B: a bare id says "drill"
    return f"IR-{mark}{now:%Y%m%d}-{secrets.token_hex(2).upper()}"


def start_incident(
    loaded: LoadedRunbook,
    *,
    store: Store,
    responder: Responder,
    title: str | None = None,
    severity: str = "SEV2",
    drill: bool = False,
    scenario: Scenario | None = None,
) -> IncidentState:
    """Open an incident of ``loaded``; the exact runbook text is kept in its first event. A
    ``drill`` (``irbook drill start``) is marked in its id and its first event, with the
    ``scenario`` kept whole there."""
    if scenario is not None and not drill:
        raise UsageError("a scenario is for drills only", hint="use `irbook drill start`")
    severity = severity.upper()
    if severity not in SEVERITIES:
        raise UsageError(f"unknown severity '{severity}'; use one of {', '.join(SEVERITIES)}")
    runbook = loaded.runbook
    now = responder.clock()
    incident_id = new_incident_id(now, drill=drill)
    clean_title, found = redact(check_one_line(title or runbook.title, "the incident title"))
    kept_scenario = None
    if scenario is not None:  # a facilitator's file: its inject texts and inputs are typed text too
        kept_scenario, in_scenario = redact_value(scenario.model_dump(mode="json"))
        found += [kind for kind in in_scenario if kind not in found]
    incident = Incident(
        id=incident_id,
        title=clean_title,
        severity=severity,
        status=engine.OPEN,
        runbook_id=runbook.id,
        runbook_version=runbook.version,
        runbook_sha256=loaded.sha256,
        opened_at=now,
        opened_by=responder.actor,
        closed_at=None,
    )
    opened = IncidentOpened(
        title=clean_title,
        severity=severity,
        tlp=str(runbook.tlp),
        runbook_id=runbook.id,
        runbook_version=runbook.version,
        runbook_sha256=loaded.sha256,
        runbook_path=loaded.path,
        runbook_text=loaded.text,
        redacted=found,
        drill=drill,
        scenario=kept_scenario,
    )
    event = store.create_incident(
        incident,
        NewEvent(Kind.INCIDENT_OPENED, opened),
        actor=responder.actor,
        host=responder.host,
        at=now,
    )
    state = engine.new_state(incident_id, runbook)
    engine.apply(state, event)
    return state


@lru_cache(maxsize=16)
def _runbook_from_text(text: str, label: str) -> Runbook:
    return parse_runbook_text(text, label)


def runbook_of(events: Sequence[Event], incident_id: str) -> Runbook:
    if not events or events[0].kind != Kind.INCIDENT_OPENED:
        raise IrbookError(
            f"incident {incident_id} has no opening event; its log is damaged",
            hint=f"run `irbook verify {incident_id}` to see where",
        )
    payload = events[0].payload
    return _runbook_from_text(payload["runbook_text"], f"<runbook of {incident_id}>")


def load_state(store: Reader, incident_id: str, *, keep_events: bool = True) -> IncidentState:
    """Fold the incident's events (the walker never keeps state of its own). With
    ``keep_events=False`` (read-only views: `status`) the log is read and folded a batch at a
    time and not held, and the payloads the fold does not read are not decoded."""
    payloads = None if keep_events else engine.PAYLOAD_KINDS
    found, runbook, events = open_events(store, incident_id, payloads=payloads)
    return engine.fold(found, runbook, events, keep_events=keep_events)


def open_events(
    store: Reader, incident_id: str, *, payloads: frozenset[str] | None = None
) -> tuple[str, Runbook, Generator[Event, None, None]]:
    """The incident's id as stored, its runbook (from the opening event) and an iterator over
    its whole log, read a batch at a time: for a caller that looks at each event once (closing
    it early releases the store's cursor)."""
    incident = store.incident(incident_id)
    events = store.iter_events(incident.id, payloads=payloads)
    first = list(itertools.islice(events, 1))
    return incident.id, runbook_of(first, incident.id), _whole_log(first, events)


def _whole_log(first: list[Event], rest: Iterator[Event]) -> Generator[Event, None, None]:
    """``first`` then ``rest``; closing it closes ``rest`` (a store's cursor), as a chain cannot."""
    yield from first
    yield from rest


def record(store: Store, state: IncidentState, new: NewEvent, responder: Responder) -> Event:
    """Append one event after the state's last one and apply it; AppendConflict if overtaken."""
    (event,) = record_all(store, state, [new], responder)
    return event


def record_all(
    store: Store, state: IncidentState, news: list[NewEvent], responder: Responder
) -> list[Event]:
    """Append events after the state's last one in ONE transaction, and apply them.

    All or nothing: a fact and the step completion that rests on it (a check's result and the
    check step being done) can never be split by a kill. AppendConflict if overtaken.
    """
    news = [
        scrub_event(new)[0] for new in news
    ]  # the last guard: payloads record what was redacted
    events = store.append_many(
        state.incident_id,
        news,
        expected_seq=state.last_seq + 1,
        actor=responder.actor,
        host=responder.host,
        at=responder.clock(),
    )
    for event in events:
        engine.apply(state, event)
    return events


def catch_up(store: Store, state: IncidentState) -> list[Event]:
    """Apply what others appended after the state's last event; returns those events."""
    events = store.events(state.incident_id, after_seq=state.last_seq)
    for event in events:
        engine.apply(state, event)
    return events


def record_anyway(store: Store, incident_id: str, new: NewEvent, responder: Responder) -> Event:
    """Append an event that does not depend on the state (a note, evidence) at the end of the log.

    No expected seq: the store queues the incident's writers before reading its head, so the
    event goes after whatever the others appended, with no race to lose (issue 17: with an
    expected seq, 16 processes spent 11 conflicts per append). Only a writer that does not queue
    (an older irbook, a script) can still take the seq first: then the retry policy of
    ``irbook.usecases.retry`` applies.
    """
    new, _ = scrub_event(new)  # the last guard: the payload records what was redacted
    seen: int | None = None  # the log's length at the last conflict

    def attempt() -> Event:
        return store.append(
            incident_id,
            new,
            expected_seq=None,
            actor=responder.actor,
            host=responder.host,
            at=responder.clock(),
        )

    def caught_up() -> int:  # the first conflict is retried; after it, only while the log grows
        nonlocal seen
        latest = store.last_seq(incident_id)
        grown = 1 if seen is None else latest - seen
        seen = latest
        return max(grown, 0)

    return retry_on_conflict(attempt, catch_up=caught_up)


def check_step_id(store: Store, incident_id: str, step_id: str | None) -> None:
    """A step named on the command line (`note --step`, `attach --step`) must be a step of the
    incident's runbook: a typo would otherwise file the entry under no step the report shows."""
    if step_id is None:
        return
    runbook = runbook_of(store.events(incident_id, limit=1), incident_id)
    ids = [step.id for _, step in runbook.steps()]
    if step_id not in ids:
        raise NotFoundError(
            f"runbook {runbook.id} of {incident_id} has no step '{step_id}'"
            f"{did_you_mean(step_id, ids)}; nothing was recorded",
            hint=f"`irbook status {incident_id}` lists its steps",
        )


def add_note(
    store: Store,
    incident_id: str,
    text: str,
    *,
    responder: Responder,
    step_id: str | None = None,
) -> tuple[Event, list[str]]:
    """Record a note; secrets in it are redacted first. Returns the event and what was redacted."""
    if not text.strip():
        raise UsageError("the note is empty")
    incident = store.incident(incident_id)
    check_step_id(store, incident.id, step_id)
    clean, found = redact(text)
    event = record_anyway(
        store,
        incident.id,
        NewEvent(Kind.NOTE_ADDED, NoteAdded(text=clean, redacted=found), step_id=step_id),
        responder,
    )
    return event, found


def evidence_payload(path: Path, description: str = "") -> EvidenceAttached:
    """Path, sha256 and size of a file (streamed: evidence can be a large disk image or log)."""
    try:
        digest = hashlib.sha256()
        size = 0
        # /dev/zero or a FIFO would be hashed forever: regular files only, refused without waiting
        with open_regular(path, kind="evidence file") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise NotFoundError(f"evidence file not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory; attach files (e.g. a .tar.gz of it)") from None
    except OSError as exc:
        raise UsageError(f"cannot read evidence file {path}: {exc.strerror}") from None
    return EvidenceAttached(
        path=str(path.resolve()), sha256=digest.hexdigest(), size=size, description=description
    )


def attach_evidence(
    store: Store,
    incident_id: str,
    path: Path,
    *,
    responder: Responder,
    description: str = "",
    step_id: str | None = None,
) -> Event:
    incident = store.incident(incident_id)
    check_step_id(store, incident.id, step_id)
    clean, found = redact(description)
    payload = evidence_payload(path, clean).model_copy(update={"redacted": found})
    new = NewEvent(Kind.EVIDENCE_ATTACHED, payload, step_id=step_id)
    return record_anyway(store, incident.id, new, responder)


def _reason(reason: str, what: str) -> tuple[str, list[str]]:
    """A one-line, non-empty reason with secrets redacted (it lands in the log and the report)."""
    clean = check_one_line(reason or "", what).strip()
    if not clean:
        raise UsageError(f"{what} is empty", hint="say why with --reason 'TEXT'")
    return redact(clean)


def abandon_incident(
    store: Store, incident_id: str, *, reason: str, responder: Responder
) -> IncidentState:
    """Close a mistaken or duplicate incident as "abandoned", whatever its steps say.

    It is an ``incident_closed`` event like any close, so the incident row follows it in the same
    statement (store/guards.py) and ``irbook verify`` agrees; nothing is deleted.
    """
    clean, found = _reason(reason, "the reason for abandoning")
    state = load_state(store, incident_id)

    def attempt() -> Event:  # decided again on the fresh state whenever someone else wrote
        if state.status != engine.OPEN:
            raise UsageError(f"incident {state.incident_id} is already closed ({state.status})")
        closed = IncidentClosed(outcome=engine.ABANDONED, reason=clean, redacted=found)
        return record(store, state, NewEvent(Kind.INCIDENT_CLOSED, closed), responder)

    retry_on_conflict(attempt, catch_up=lambda: len(catch_up(store, state)))
    return state


def change_severity(
    store: Store, incident_id: str, severity: str, *, reason: str, responder: Responder
) -> IncidentState:
    """Record a ``severity_changed`` event. The incident row keeps the opening severity (the
    server guards refuse edits of the row, and ``verify`` compares it with ``incident_opened``);
    the current severity is the log's: the folded state, ``list`` and the report read it there."""
    new = severity.strip().upper()
    if new not in SEVERITIES:
        raise UsageError(f"unknown severity '{severity}'; use one of {', '.join(SEVERITIES)}")
    clean, found = _reason(reason, "the reason for the severity change")
    state = load_state(store, incident_id)

    def attempt() -> Event:
        if state.status != engine.OPEN:
            raise UsageError(
                f"incident {state.incident_id} is closed ({state.status}); its severity stays"
            )
        if state.severity == new:
            raise UsageError(f"incident {state.incident_id} is already {new}")
        payload = SeverityChanged(
            severity=new, previous=state.severity, reason=clean, redacted=found
        )
        return record(store, state, NewEvent(Kind.SEVERITY_CHANGED, payload), responder)

    retry_on_conflict(attempt, catch_up=lambda: len(catch_up(store, state)))
    return state


def close_incident(store: Store, incident_id: str, *, responder: Responder) -> IncidentState:
    state = load_state(store, incident_id)

    def attempt() -> Event:  # decided again on the fresh state whenever someone else wrote
        if state.status != engine.OPEN:
            raise UsageError(f"incident {state.incident_id} is already closed ({state.status})")
        decision = engine.close_decision(state)
        if not decision.allowed:
            raise CloseRefusedError(
                f"incident {state.incident_id} has open critical steps: "
                f"{', '.join(decision.blocking)}",
                hint=f"finish them with `irbook resume {state.incident_id}` (critical steps "
                "cannot be skipped)",
            )
        closed = IncidentClosed(
            outcome=decision.outcome,
            skipped=decision.skipped,
            open_steps=decision.open_steps,
            exceptions=decision.with_exceptions,
            not_applicable=decision.not_applicable,
        )
        return record(store, state, NewEvent(Kind.INCIDENT_CLOSED, closed), responder)

    # The incident row follows in the same statement (store/guards.py: event_closes_incident)
    retry_on_conflict(attempt, catch_up=lambda: len(catch_up(store, state)))
    return state
