"""The drill report as plain data: how a team did against its runbook in a rehearsal.

``report.drill.score_drill`` fills it from a drill's state (and the earlier drills' rows); the
Markdown and JSON exports only format it. Times are UTC; durations are whole seconds from the
drill's start plus a human form, as in the incident report (``report.model.Duration``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from irbook.report.model import Duration

SCHEMA_VERSION: Final = "1"
MET: Final = "met"
MISSED: Final = "missed"
NOT_REACHED: Final = "not reached"
FORMULA: Final = (
    "score = (targets met + deadlines met) / (targets set + deadlines that apply) x 100, "
    "rounded to a whole number; a target is met when its milestone was reached within the "
    "scenario's time from the drill's start, a deadline when the runbook's deadline clock says "
    "met; missed, skipped, open and not-reached ones count as not met; none to score: no score"
)

TargetResult = Literal["met", "missed", "not reached"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MilestoneScore(_Part):
    milestone: str
    name: str = Field(description="time to contain, time to rotate credentials, ...")
    reached_at: datetime | None
    elapsed: Duration | None = Field(description="From the drill's start; null: not reached.")
    target: Duration | None = Field(description="The scenario's target; null: none set.")
    result: TargetResult | None = Field(description="Against the target; null: no target.")
    in_runbook: bool = Field(
        default=True, description="False for a target naming a milestone the runbook lacks."
    )


class DeadlineScore(_Part):
    id: str
    title: str
    regulation: str
    met_by: str
    status: str = Field(description="met, missed, open or skipped (domain/deadlines.py).")
    due: datetime | None
    met_at: datetime | None


class StepLine(_Part):
    step: str
    label: str
    phase: str
    reason: str | None = Field(default=None, description="Why skipped or not applicable.")
    actor: str | None = None
    at: datetime | None = None
    waiting_on: str | None = None
    due: datetime | None = None


class Response(_Part):
    step: str = Field(description="The first step settled after the inject was delivered.")
    at: datetime
    after: Duration = Field(description="From the delivery to that step's settling.")


class InjectScore(_Part):
    id: str
    title: str
    trigger: str = Field(description="'at 2h' (from the start) or 'after step STEP'.")
    due_at: datetime | None = Field(description="When it became due; null: never due.")
    delivered_at: datetime | None = Field(description="Shown at a prompt; null: never shown.")
    delivered_by: str | None = None
    deliveries: int = Field(description="inject_delivered events for it (1 when delivered).")
    response: Response | None = Field(description="Null: no step settled after it.")


class Score(_Part):
    value: int | None = Field(description="0-100; null when nothing could be scored.")
    met: int
    scored: int = Field(description="Targets set plus deadlines that apply.")
    formula: str = FORMULA


class ComparisonRow(_Part):
    drill_id: str
    opened_at: datetime | None
    scenario: str | None
    status: str
    milestones: dict[str, Duration | None] = Field(
        description="Milestone name -> time from the drill's start (null: not reached)."
    )
    score: int | None
    this: bool = Field(default=False, description="The drill this report is about.")


class DrillReport(_Part):
    schema_version: str = SCHEMA_VERSION
    drill: Literal[True] = True
    banner: str
    drill_id: str
    title: str
    status: str
    runbook: str
    runbook_version: str
    scenario: str | None
    scenario_title: str | None
    started_at: datetime | None
    judged_at: datetime | None = Field(
        description="When deadlines and targets were judged: the close, else the last event."
    )
    milestones: list[MilestoneScore]
    deadlines: list[DeadlineScore]
    skipped: list[StepLine]
    not_applicable: list[StepLine]
    waiting: list[StepLine]
    open_steps: list[StepLine]
    injects: list[InjectScore]
    score: Score
    comparison: list[ComparisonRow] = Field(
        description="Earlier drills of the same runbook in this database, oldest first, then "
        "this one; only this one: the first drill of this runbook."
    )
    earlier_not_shown: int = Field(default=0, description="Older drills left out of the table.")


def drill_report_json_schema() -> dict[str, object]:
    """The JSON Schema of `drill report --format json`, as committed in
    docs/drill-report-schema.json (tests/drills/test_drill_schema.py keeps them equal)."""
    schema: dict[str, object] = DrillReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://irbook.dev/schema/drill-report-v{SCHEMA_VERSION}.json"
    return schema
