"""Events: what an incident is made of. Pure data, no I/O.

An incident is its append-only event log. Each event's payload is a small pydantic model dumped to
JSON (the models are here, validated when an event is written); the event record and its hash
chain are in ``domain/eventlog.py``, re-exported here, so code that only reads the log does not
build the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from irbook.domain.eventlog import GENESIS_HASH as GENESIS_HASH
from irbook.domain.eventlog import Event as Event
from irbook.domain.eventlog import Kind as Kind
from irbook.domain.eventlog import attributed as attributed
from irbook.domain.eventlog import canonical as canonical
from irbook.domain.eventlog import chain_hash as chain_hash
from irbook.domain.eventlog import event_hash as event_hash


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Fields added after events were first stored: left out of the stored JSON when empty, so
    # the events (and hashes) written before they existed, and plain ones since, stay the same.
    OMIT_WHEN_EMPTY: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in self.OMIT_WHEN_EMPTY:
            if not data.get(key):
                data.pop(key, None)
        return data


class IncidentOpened(Payload):
    title: str
    severity: str
    tlp: str
    runbook_id: str
    runbook_version: str
    runbook_sha256: str
    runbook_path: str
    runbook_text: str  # the exact runbook used, so the incident never depends on a file changing
    redacted: list[str] = []  # kinds of secrets removed from the title
    # A drill (`irbook drill start`): its id carries DRILL too. The scenario is kept whole, as the
    # runbook text is, so the drill report never depends on the scenario file changing.
    drill: bool = False
    scenario: dict[str, Any] | None = None  # domain.drills.Scenario, dumped
    OMIT_WHEN_EMPTY = ("drill", "scenario")


class InjectDelivered(Payload):
    """A drill's inject shown to the team (walker or watch), recorded the first time only."""

    inject_id: str
    title: str
    due_at: str  # RFC 3339: when it became due (the offset, or when its step was settled)


class InputRecorded(Payload):
    input_id: str
    value: Any
    redacted: list[str] = []


class InputCorrected(Payload):
    """An input changed after it was recorded (a typo, a moved folder): both values, redacted."""

    input_id: str
    value: Any
    previous: Any
    redacted: list[str] = []  # kinds of secrets removed from either value


class StepCompleted(Payload):
    value: Any = None  # the answer: True for confirm, text/list for input, items for checklist
    redacted: list[str] = []  # kinds of secrets removed from the answer before storing
    # A checklist done with exceptions: the items left unticked, and why.
    unticked: list[str] = []
    reason: str = ""
    # A check that failed, recorded done anyway with a reason: an exception, like a skip.
    overridden: bool = False
    OMIT_WHEN_EMPTY = ("unticked", "reason", "overridden")


class StepSkipped(Payload):
    reason: str
    redacted: list[str] = []


class StepNotApplicable(Payload):
    reason: str
    redacted: list[str] = []


class StepReopened(Payload):
    reason: str = ""


class StepWaiting(Payload):
    """The step stays open, waiting on ``on`` (a person, team or third party) until ``due``
    (RFC 3339 UTC, optional); the walk continues with steps that do not need it."""

    on: str
    due: str = ""
    redacted: list[str] = []
    OMIT_WHEN_EMPTY = ("due",)


class NoteAdded(Payload):
    text: str
    redacted: list[str] = []


class EvidenceAttached(Payload):
    path: str
    sha256: str
    size: int
    description: str = ""
    redacted: list[str] = []  # kinds of secrets removed from the description


class CheckRan(Payload):
    action: str
    ok: bool
    summary: str
    findings: list[dict[str, Any]] = []
    inputs: list[str] = []
    redacted: list[str] = []  # kinds of secrets masked in the findings (the IOC stays visible)
    failed: bool = False  # it could not run (a path not found): the step stays open
    OMIT_WHEN_EMPTY = ("failed",)


class CommandRan(Payload):
    command: str
    exit_code: int
    output: str  # captured stdout+stderr, truncated, secrets redacted
    truncated: bool = False
    redacted: list[str] = []


class NotificationRendered(Payload):
    template: str
    audience: str
    subject: str
    to: list[str] = []
    sha256: str
    path: str | None = None
    preview: bool = False  # only shown (`notify --preview`): no .eml written, nothing sent
    OMIT_WHEN_EMPTY = ("preview",)


class NotificationSent(Payload):
    template: str
    subject: str
    to: list[str]
    sha256: str
    message_id: str
    server: str


class RoleAssigned(Payload):
    role: str
    person: str


class SeverityChanged(Payload):
    severity: str
    previous: str
    reason: str = ""  # why (`irbook severity ID SEV1 --reason ...`), secrets redacted
    redacted: list[str] = []
    OMIT_WHEN_EMPTY = ("reason", "redacted")


class IncidentClosed(Payload):
    outcome: str  # "completed", "completed with exceptions" or "abandoned"
    skipped: list[str] = []
    open_steps: list[str] = []
    exceptions: list[str] = []  # checklists done with exceptions
    not_applicable: list[str] = []  # steps the responders decided do not apply (not exceptions)
    reason: str = ""  # why an incident was abandoned (a duplicate, a mistaken start)
    redacted: list[str] = []  # kinds of secrets removed from the reason
    OMIT_WHEN_EMPTY = ("exceptions", "not_applicable", "reason", "redacted")


class FollowupAdded(Payload):
    text: str
    owner: str | None = None
    due: str | None = None


class AdvisoryIssued(Payload):
    """One revision of an advisory: a re-issue with the same content is not a new revision, so
    ``published`` stays the first issue's time and ``modified`` moves only when content changes."""

    format: str  # osv | csaf | md
    revision: int  # 1, 2, ... (CSAF tracking version, OSV modified)
    content_sha256: str  # of the advisory without its own dates and revision fields
    published: str  # RFC 3339 UTC, the first revision's
    modified: str  # RFC 3339 UTC, this revision's
    summary: str = ""  # what changed, for CSAF's revision history


PAYLOADS: dict[Kind, type[Payload]] = {
    Kind.INCIDENT_OPENED: IncidentOpened,
    Kind.INPUT_RECORDED: InputRecorded,
    Kind.INPUT_CORRECTED: InputCorrected,
    Kind.STEP_COMPLETED: StepCompleted,
    Kind.STEP_SKIPPED: StepSkipped,
    Kind.STEP_NOT_APPLICABLE: StepNotApplicable,
    Kind.STEP_REOPENED: StepReopened,
    Kind.STEP_WAITING: StepWaiting,
    Kind.NOTE_ADDED: NoteAdded,
    Kind.EVIDENCE_ATTACHED: EvidenceAttached,
    Kind.CHECK_RAN: CheckRan,
    Kind.COMMAND_RAN: CommandRan,
    Kind.NOTIFICATION_RENDERED: NotificationRendered,
    Kind.NOTIFICATION_SENT: NotificationSent,
    Kind.ROLE_ASSIGNED: RoleAssigned,
    Kind.SEVERITY_CHANGED: SeverityChanged,
    Kind.INCIDENT_CLOSED: IncidentClosed,
    Kind.FOLLOWUP_ADDED: FollowupAdded,
    Kind.ADVISORY_ISSUED: AdvisoryIssued,
    Kind.INJECT_DELIVERED: InjectDelivered,
}


@dataclass(frozen=True)
class NewEvent:
    """An event before it is stored: the store gives it its seq and hashes."""

    kind: Kind
    payload: Payload | None = None
    step_id: str | None = None

    def payload_json(self) -> dict[str, Any]:
        return self.payload.model_dump(mode="json") if self.payload is not None else {}
