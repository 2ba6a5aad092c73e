"""Drill scenario files (``irbook drill start --scenario FILE``): YAML in, a ``Scenario`` out.

Read and parsed exactly as runbooks are (bounded read, safe YAML with positions, the same wording
of schema errors), then checked against the runbook the drill rehearses: the scenario names that
runbook, its injects follow steps the runbook has, its inputs are inputs of the runbook with values
that would pass in an answers file, and its targets name the runbook's milestones. Every problem
comes back at once, each at ``file:line:col``; nothing is opened until the file is clean.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from irbook.domain.drills import Scenario
from irbook.domain.models import Runbook, RunbookInput
from irbook.errors import InvalidInputError, Problem
from irbook.files import limits
from irbook.loader.load import (
    Document,
    all_problems,
    parse_document,
    pydantic_problems,
    read_text,
)
from irbook.loader.messages import did_you_mean

KIND = "scenario"

# The stored value of an input, or ValueError worded for the author: the runner passes the same
# check as an answers file's `inputs:` (typed values live above the loader, in irbook.runner).
InputCheck = Callable[[RunbookInput, Any], Any]


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario  # its inputs as they will be stored (checked and converted)
    path: str
    sha256: str  # of the exact text read


def runbook_named_in(path: Path) -> str | None:
    """The ``runbook`` a scenario file names (read and parsed as ``load_scenario`` does), or None
    when it names none: for listing scenarios before their runbooks are loaded."""
    text = read_text(path, kind=KIND, max_bytes=limits.SCENARIO_BYTES)
    doc, _ = parse_document(text, str(path), kind=KIND)
    named = doc.data.get("runbook") if isinstance(doc.data, dict) else None
    return named if isinstance(named, str) else None


def load_scenario(
    path: Path, runbook: Runbook, *, check_input: InputCheck | None = None
) -> LoadedScenario:
    """Load a scenario for ``runbook`` or raise InvalidInputError with every problem."""
    text = read_text(path, kind=KIND, max_bytes=limits.SCENARIO_BYTES)
    doc, structural = parse_document(text, str(path), kind=KIND)
    found: list[Problem] = []
    scenario: Scenario | None = None
    inputs: dict[str, Any] = {}
    if not isinstance(doc.data, dict):
        found.append(
            doc.problem((), "a scenario is a mapping with id, title, runbook, inputs, injects")
        )
    else:
        try:
            scenario = Scenario.model_validate(doc.data)
        except ValidationError as exc:
            found.extend(pydantic_problems(doc, exc, model=Scenario))
        found.extend(_against_runbook(doc, runbook))
        inputs, bad_inputs = _inputs(doc, runbook, check_input)
        found.extend(bad_inputs)
    problems = all_problems(doc, found, structural)
    if problems or scenario is None:
        raise InvalidInputError(problems, hint="fix the scenario; no drill was opened")
    scenario = scenario.model_copy(update={"inputs": inputs})
    sha = hashlib.sha256(text.encode()).hexdigest()
    return LoadedScenario(scenario=scenario, path=str(path), sha256=sha)


def _against_runbook(doc: Document, runbook: Runbook) -> list[Problem]:
    """The references a scenario makes to its runbook: its id, steps and milestones."""
    data: dict[str, Any] = doc.data
    problems: list[Problem] = []
    named = data.get("runbook")
    if isinstance(named, str) and named != runbook.id:
        problems.append(
            doc.problem(
                ("runbook",),
                f"this scenario is for runbook '{named}', not '{runbook.id}'",
            )
        )
    steps = [step.id for _, step in runbook.steps()]
    injects = data.get("injects")
    for i, inject in enumerate(injects if isinstance(injects, list) else []):
        after = inject.get("after_step") if isinstance(inject, dict) else None
        if isinstance(after, str) and after not in steps:
            problems.append(
                doc.problem(
                    ("injects", i, "after_step"),
                    f"runbook {runbook.id} has no step '{after}'{did_you_mean(after, steps)}",
                )
            )
    milestones = [p.milestone for p in runbook.phases if p.milestone]
    targets = data.get("targets")
    for name in targets if isinstance(targets, dict) else {}:
        if name not in milestones:
            problems.append(
                doc.problem(
                    ("targets", name),
                    f"runbook {runbook.id} has no milestone '{name}'"
                    f"{did_you_mean(str(name), milestones)}; its milestones: "
                    f"{', '.join(milestones) or '(none)'}",
                    key=True,
                )
            )
    return problems


def _inputs(
    doc: Document, runbook: Runbook, check_input: InputCheck | None
) -> tuple[dict[str, Any], list[Problem]]:
    """The scenario's inputs as they will be stored, and the problems of those that will not."""
    raw = doc.data.get("inputs")
    if not isinstance(raw, dict):
        return {}, []  # absent, or not a mapping (the schema says so)
    known = {spec.id: spec for spec in runbook.inputs}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in raw.items():
        spec = known.get(str(name))
        if spec is None:
            problems.append(
                doc.problem(
                    ("inputs", name),
                    f"runbook {runbook.id} has no input '{name}'{did_you_mean(str(name), known)}",
                    key=True,
                )
            )
            continue
        try:
            values[spec.id] = value if check_input is None else check_input(spec, value)
        except ValueError as exc:
            problems.append(doc.problem(("inputs", name), f"input '{name}': {exc}"))
    return values, problems
