"""The Report model: everything a completed-incident report says, as plain data.

``build_report`` fills it from the incident state; the exporters only format it. Its JSON form is
the ``--format json`` export, versioned by ``schema_version`` and described by
docs/report-schema.json (generated from these classes; a test fails when the file drifts).
Times are UTC; durations are whole seconds plus a human form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from irbook.report.answers import answer_text

SCHEMA_VERSION: Final = "1"
IN_PROGRESS = "in progress"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunbookRef(_Part):
    id: str
    version: str
    title: str
    sha256: str = Field(description="sha256 of the exact runbook text the incident used.")


class InputValue(_Part):
    id: str
    prompt: str
    value: Any = None


class Person(_Part):
    name: str
    roles: list[str] = Field(description="Roles assigned to this person (role_assigned events).")
    hosts: list[str] = Field(description="Machines this person recorded events from.")
    events: int
    first_at: datetime | None = None
    last_at: datetime | None = None


class RoleAssignment(_Part):
    role: str
    person: str | None = Field(description="Null when the runbook's role was never assigned.")


class Duration(_Part):
    seconds: int
    text: str = Field(description="Human form, e.g. '2h 05m'.")


class Metric(_Part):
    name: str = Field(description="time to contain, time to rotate credentials, ...")
    milestone: str | None = Field(description="The milestone measured; null for total duration.")
    reached_at: datetime | None = Field(description="Null while the milestone is not reached.")
    from_open: Duration | None = None
    from_detection: Duration | None = Field(
        default=None, description="Null when the detected_at input is absent or not a time."
    )


class DeadlineOutcome(_Part):
    id: str
    title: str
    regulation: str
    met_by: str = Field(description="The step whose completion meets it.")
    status: str = Field(description="met | missed | open | skipped")
    due: datetime | None = Field(description="Null while its clock has not started.")
    met_at: datetime | None = None


class LastRun(_Part):
    """A step's last check or command run, bounded for the step table; the whole record is the
    event ``seq`` in ``checks`` or ``commands``."""

    seq: int
    kind: Literal["check", "command"]
    ok: bool = Field(description="The check passed, or the command exited 0.")
    summary: str = Field(default="", description="The check's summary, or the command run.")
    exit_code: int | None = Field(default=None, description="A command's exit code.")
    findings: list[str] = Field(
        default=[], description="A check's first findings, one line each (file, package, advisory)."
    )
    more_findings: int = Field(default=0, description="How many findings are not in `findings`.")
    output: list[str] = Field(
        default=[],
        description="A command's last output lines (at most 40 lines, 8 KiB), redacted again.",
    )
    earlier_lines: int = Field(default=0, description="Output lines before `output`, not shown.")
    truncated: bool = Field(
        default=False, description="The output's start was cut when it was recorded (64 KiB kept)."
    )


class StepOutcome(_Part):
    id: str
    title: str
    type: str
    critical: bool
    role: str | None = None
    status: str = Field(
        description="pending | waiting | done | done with exceptions | skipped | not applicable"
    )
    value: Any = None
    reason: str | None = Field(
        default=None,
        description="Why it was skipped, decided not applicable, or done with exceptions.",
    )
    unticked: list[str] = Field(
        default=[], description="Checklist items left unticked (done with exceptions)."
    )
    actor: str | None = None
    at: datetime | None = None
    seq: int | None = None
    waiting_on: str | None = Field(default=None, description="While waiting: on whom or what.")
    waiting_since: datetime | None = None
    due: datetime | None = Field(default=None, description="While waiting: by when.")
    last_run: LastRun | None = Field(
        default=None, description="A check or command step's last run (issue 15)."
    )


def step_detail(step: StepOutcome, show: Any) -> str:
    """The "Answer / reason" cell: the reason of a skip or a decision, else the answer
    (``show`` formats values); a checklist done with exceptions names what was not ticked."""
    if step.unticked:
        return f"{show(step.value)}; not ticked: {'; '.join(step.unticked)} ({step.reason or ''})"
    if step.status in ("skipped", "not applicable"):
        return step.reason or ""
    if step.status == "waiting":
        since = f" since {step.waiting_since:%Y-%m-%d %H:%M} UTC" if step.waiting_since else ""
        due = f", due {step.due:%Y-%m-%d %H:%M} UTC" if step.due else ""
        return f"waiting on {step.waiting_on}{since}{due}"
    return answer_text(step.value, show)


class PhaseOutcome(_Part):
    id: str
    title: str
    milestone: str | None = None
    outcome: str = Field(
        description="done | done with exceptions | in progress | not started | not applicable"
    )
    started_at: datetime | None = Field(description="First event about one of its steps.")
    settled_at: datetime | None = Field(description="When its last step was settled.")
    steps: list[StepOutcome]


class Skip(_Part):
    step_id: str
    phase_id: str
    title: str
    reason: str
    actor: str
    at: datetime
    seq: int


class Decision(_Part):
    """A step decided not applicable, or a checklist done with exceptions: each with its reason."""

    step_id: str
    phase_id: str
    title: str
    status: Literal["not applicable", "done with exceptions"]
    reason: str
    unticked: list[str] = []
    actor: str
    at: datetime
    seq: int


class InputCorrection(_Part):
    """An input changed after it was recorded: the new value and the one it replaced."""

    input_id: str
    value: Any
    previous: Any
    actor: str
    at: datetime
    seq: int


class Note(_Part):
    seq: int
    at: datetime
    actor: str
    step_id: str | None = None
    text: str


class Evidence(_Part):
    seq: int
    at: datetime
    actor: str
    step_id: str | None = None
    path: str
    sha256: str
    size: int
    description: str = ""


class Check(_Part):
    seq: int
    at: datetime
    actor: str
    step_id: str | None = None
    action: str
    ok: bool
    summary: str
    findings: list[dict[str, Any]] = []
    inputs: list[str] = []


class Command(_Part):
    seq: int
    at: datetime
    actor: str
    step_id: str | None = None
    command: str
    exit_code: int
    output: str
    truncated: bool = False


class Notification(_Part):
    seq: int
    at: datetime
    actor: str
    step_id: str | None = None
    state: Literal["rendered", "preview", "sent"]  # preview: only shown, no .eml written
    template: str
    audience: str | None = None
    subject: str
    to: list[str] = []
    sha256: str
    message_id: str | None = None


class Followup(_Part):
    seq: int
    at: datetime
    actor: str
    text: str
    owner: str | None = None
    due: str | None = None


class TimelineEntry(_Part):
    seq: int
    at: datetime
    actor: str
    host: str
    kind: str
    step_id: str | None = None
    phase_id: str | None = None
    summary: str = Field(description="One line saying what happened.")
    hash: str
    login: str | None = Field(
        default=None,
        description="The database login that wrote the event, set by the PostgreSQL server "
        "(null on SQLite); `actor` is what the responder claimed with --as.",
    )


class Report(_Part):
    schema_version: Literal["1"] = "1"
    incident_id: str
    drill: bool = Field(
        default=False,
        description="A rehearsal (`irbook drill start`), not a real incident: every format says so.",
    )
    title: str
    status: str = Field(description="in progress | completed | completed with exceptions")
    status_line: str = Field(description="The report's first line.")
    summary: str
    severity: str
    tlp: str
    runbook: RunbookRef
    opened_at: datetime | None
    opened_by: str
    closed_at: datetime | None
    detected_at: datetime | None = Field(description="The detected_at input, when it is a time.")
    inputs: list[InputValue]
    people: list[Person]
    roles: list[RoleAssignment]
    metrics: list[Metric]
    deadlines: list[DeadlineOutcome] = Field(
        default_factory=list,
        description="The runbook's deadlines that apply, as of the close (or the last event).",
    )
    deadlines_met: int = 0
    deadlines_missed: int = Field(
        default=0, description="Met late, or still open after the due time."
    )
    phases: list[PhaseOutcome]
    skips: list[Skip]
    decisions: list[Decision] = Field(
        default=[],
        description="Steps a responder decided do not apply, and checklists done with "
        "exceptions (skips are in `skips`).",
    )
    corrections: list[InputCorrection] = Field(
        default=[], description="Inputs corrected after they were recorded, with the old value."
    )
    notes: list[Note]
    evidence: list[Evidence]
    checks: list[Check]
    commands: list[Command]
    notifications: list[Notification]
    followups: list[Followup]
    timeline: list[TimelineEntry]
    event_count: int
    head_hash: str = Field(description="Hash of the last event: `irbook verify` recomputes it.")
    chain_intact: bool = Field(
        description="The hash chain of the events checked out when the "
        "report was built (same check as `irbook verify`)."
    )
    chain_problem: str | None = Field(default=None, description="Why it did not, if it did not.")

    @property
    def in_progress(self) -> bool:
        return self.status == IN_PROGRESS


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``--format json``, as committed in docs/report-schema.json."""
    schema = Report.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://irbook.dev/schema/report-v{SCHEMA_VERSION}.json"
    return schema
