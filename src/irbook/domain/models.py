"""The runbook schema: strict, frozen pydantic models.

YAML becomes these models in ``irbook.loader.load`` and nothing downstream ever sees a raw dict. The JSON
Schema in docs/runbook-schema.json is generated from here (``irbook runbooks schema``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

API_VERSION = "irbook/v1"

StepId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64),
    Field(description="Lower-case letters, digits and hyphens; unique within the runbook."),
]
InputId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="Lower-case identifier (letters, digits, underscores), usable in `when`."),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ValueType(StrEnum):
    """What an input or an `input` step asks for."""

    TEXT = "text"
    MULTILINE = "multiline"
    LIST = "list"
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    BOOL = "bool"
    INT = "int"
    DATETIME = "datetime"  # ISO 8601 with a zone; never in the future; see `not_before`
    PATH = "path"  # must exist; see `path_kind`
    PATHS = "paths"  # a list of paths, each checked like `path`
    PACKAGE = "package"  # ECOSYSTEM:NAME@VERSION, ecosystems as OSV spells them
    PACKAGES = "packages"  # a list of those
    EMAIL = "email"
    URL = "url"  # http or https


class PathKind(StrEnum):
    FILE = "file"
    DIRECTORY = "directory"
    ANY = "any"


class _ValueOptions(_Strict):
    """How a typed answer is checked, beyond its type (inputs and input steps)."""

    choices: tuple[str, ...] | None = Field(
        default=None, description="Required for choice and multichoice."
    )
    path_kind: PathKind = Field(
        default=PathKind.ANY,
        description="For path and paths: what must exist there (file, directory or any).",
    )
    not_before: str | None = Field(
        default=None,
        description="For datetime: the earliest time accepted, as an ISO 8601 date or time "
        "(2025-01-01) or as days before the answer (365d). Times in the future are always refused.",
    )


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 labels (FIRST)."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class RunbookInput(_ValueOptions):
    """A question asked once, when the incident starts; usable by name in `when` expressions."""

    id: InputId
    prompt: Text
    type: ValueType = ValueType.TEXT
    default: str | int | bool | list[str] | None = None
    required: bool = True
    help: str | None = Field(default=None, description="Markdown shown under the prompt.")

    @property
    def value_type(self) -> ValueType:
        return self.type


# --- What a step does, declared for `irbook runbooks lint` (issue 13) ----------------------------
# Kept in one block: the lint rules read these; the engine does not.


class Credential(StrEnum):
    """Kinds of credential a step revokes or rotates (`revokes:`)."""

    REGISTRY_TOKEN = "registry-token"  # noqa: S105  # a kind of credential, not one
    GITHUB = "github"
    SSH = "ssh"
    CI_SECRETS = "ci-secrets"
    CLOUD = "cloud"
    KUBERNETES = "kubernetes"
    VAULT = "vault"
    SESSIONS = "sessions"
    ACCOUNT = "account"
    SIGNING = "signing"
    CONTAINER_REGISTRY = "container-registry"
    API_KEYS = "api-keys"
    OTHER = "other"


class Capability(StrEnum):
    """What a step establishes once done (`provides:`); lint rules gate other steps on them."""

    PERSISTENCE_REMOVED = "persistence-removed"
    FLEET_SWEPT = "fleet-swept"
    EVIDENCE_PRESERVED = "evidence-preserved"


class _Declarations(_Strict):
    revokes: tuple[Credential, ...] = Field(
        default=(),
        description="Credentials this step revokes or rotates. Lint requires such a step to need "
        "(transitively) the steps that provide persistence-removed and fleet-swept.",
    )
    provides: tuple[Capability, ...] = Field(
        default=(), description="What this step establishes once done."
    )
    destroys_evidence: bool = Field(
        default=False,
        description="The step wipes or re-images systems; lint requires it to need a critical "
        "step that provides evidence-preserved.",
    )
    verify: str | None = Field(
        default=None, description="How to check that the step worked (a command or a check)."
    )
    references: tuple[Text, ...] = Field(
        default=(), description="Public sources for what the step says (URLs or citations)."
    )


class Deadline(_Strict):
    """A clock that starts at detection (input `detected_at`, else the incident's opening)."""

    id: StepId
    title: Text
    within: Annotated[
        str,
        StringConstraints(pattern=r"^\d+(\.\d+)?\s*(m|h|d|bd)$"),
        Field(
            description="Time allowed: minutes, hours, days or business days (90m, 24h, 3d, 4bd)."
        ),
    ]
    after: StepId | None = Field(
        default=None,
        description="Start the clock when this step is done instead of at detection (e.g. a "
        "materiality determination).",
    )
    regulation: Text = Field(description="The rule that sets the clock (article and act).")
    met_by: StepId = Field(description="The step whose completion meets the deadline.")
    when: str | None = Field(
        default=None, description="Expression over inputs; the deadline applies when true."
    )
    applies_from: date | None = Field(
        default=None, description="The rule applies to incidents detected on or after this date."
    )
    references: tuple[Text, ...] = ()

    def due(self, start: datetime) -> datetime:
        """The due time for a clock started at ``start`` (business days skip Saturday and
        Sunday; public holidays are not known here, so the time shown can be a day early)."""
        amount, unit = self.within.rstrip("bdhm").strip(), self.within.lstrip("0123456789. ")
        number = float(amount)
        if unit == "bd":
            due, left = start, int(number)
            while left > 0:
                due += timedelta(days=1)
                if due.weekday() < 5:
                    left -= 1
            return due
        unit_name = {"m": "minutes", "h": "hours", "d": "days"}[unit]
        return start + timedelta(**{unit_name: number})


class _StepBase(_Declarations):
    id: StepId
    title: str | None = Field(default=None, description="Short label; defaults to the id.")
    when: str | None = Field(
        default=None,
        description="Expression over inputs and answers; the step applies only when it is true. "
        "Example: \"vector != 'stolen-credentials'\".",
    )
    critical: bool = Field(default=False, description="A critical step cannot be skipped.")
    not_applicable: bool = Field(
        default=True,
        description="Whether a responder may decide, with a reason, that the step does not apply "
        "to this incident (recorded as 'not applicable', never 'done'; allowed for critical steps "
        "too). Set false for steps that always apply.",
    )
    role: str | None = Field(default=None, description="One of the runbook's roles.")
    needs: tuple[StepId, ...] = Field(default=(), description="Steps that must be done first.")
    evidence: str | None = Field(
        default=None, description="What the responder should attach (logs, screenshots...)."
    )
    help: str | None = Field(default=None, description="Markdown shown with the step.")

    @property
    def label(self) -> str:
        return self.title or self.id


class ConfirmStep(_StepBase):
    """An action the responder performs and confirms."""

    type: Literal["confirm"]
    text: Text


class InputStep(_StepBase, _ValueOptions):
    """A question whose answer is recorded (hostnames, times, package lists...)."""

    type: Literal["input"]
    prompt: Text
    value: ValueType = ValueType.TEXT

    @property
    def value_type(self) -> ValueType:
        return self.value


class ChecklistStep(_StepBase):
    """Several items ticked off together; the step is done when every item is."""

    type: Literal["checklist"]
    text: str | None = None
    items: tuple[Text, ...] = Field(min_length=1)


# `{{ inputs.NAME }}` in a check step's `with:` values: replaced by the input's recorded value.
INPUT_REFERENCE = re.compile(r"\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# `{{ answers.STEP }}`: replaced by an input step's answer (the typed IOCs, for the log scan).
ANSWER_REFERENCE = re.compile(r"\{\{\s*answers\.([a-z0-9][a-z0-9-]*)\s*\}\}")

# The arguments each built-in check action takes (its `with:` keys); the loader checks them.
CHECK_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "lockfile-audit": ("paths", "advisories"),
    "log-ioc-scan": ("paths", "iocs", "advisories", "domains", "indicators"),
}


class CheckStep(_StepBase):
    """A built-in automated action whose findings are stored as evidence."""

    type: Literal["check"]
    text: str | None = None
    uses: Literal["lockfile-audit", "log-ioc-scan"]
    with_: dict[str, str | list[str]] = Field(
        default_factory=dict,
        alias="with",
        description="Arguments of the action; strings may use {{ inputs.NAME }} and "
        "{{ answers.STEP }} (an input step's answer).",
    )


class CommandStep(_StepBase):
    """A shell command shown to the responder, run only after explicit confirmation."""

    type: Literal["command"]
    text: str | None = None
    run: Text


class NotifyStep(_StepBase):
    """A notification rendered from a template for one audience."""

    type: Literal["notify"]
    text: str | None = None
    template: Text
    audience: Text


Step = Annotated[
    ConfirmStep | InputStep | ChecklistStep | CheckStep | CommandStep | NotifyStep,
    Field(discriminator="type"),
]
STEP_TYPES: tuple[str, ...] = ("confirm", "input", "checklist", "check", "command", "notify")


class Phase(_Strict):
    id: StepId
    title: Text
    summary: str | None = None
    milestone: str | None = Field(
        default=None,
        description="Reached when every applicable step of the phase is done or skipped; "
        "the report measures time to each milestone (e.g. contained).",
    )
    steps: tuple[Step, ...] = Field(min_length=1)


class Runbook(_Strict):
    api_version: Literal["irbook/v1"] = Field(alias="apiVersion")
    id: StepId
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    title: Text
    summary: str | None = None
    tlp: Tlp = Tlp.AMBER
    roles: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    inputs: tuple[RunbookInput, ...] = ()
    phases: tuple[Phase, ...] = Field(min_length=1)
    # issue 13: declarations for lint and the deadline clocks
    references_required: bool = Field(
        default=False, description="Lint requires a `references:` entry on every step."
    )
    deadlines: tuple[Deadline, ...] = ()

    def steps(self) -> list[tuple[Phase, Step]]:
        """Every step with its phase, in runbook order."""
        return [(phase, step) for phase in self.phases for step in phase.steps]

    def step(self, step_id: str) -> Step:
        for _, step in self.steps():
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def phase_of(self, step_id: str) -> Phase:
        for phase, step in self.steps():
            if step.id == step_id:
                return phase
        raise KeyError(step_id)


def runbook_json_schema() -> dict[str, Any]:
    """The JSON Schema of the format, as committed in docs/runbook-schema.json."""
    schema = Runbook.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://irbook.dev/schema/runbook-v1.json"
    return schema
