"""Answers files: non-interactive runs (``--answers FILE``), checked against the runbook first.

inputs: {vector: ci-cd-pipeline, organisation: Acme}
steps:
  disconnect: done                      # confirm / checklist / check / notify / command
  affected-devices: [laptop-17, ci-4]   # an input step's value
  rotate-signing-cert: {skip: "no code signing in this product"}
  revoke-npm-tokens: {run: true}        # a command step: run its command now
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbook.domain.models import ChecklistStep, CommandStep, InputStep, Runbook, Step
from irbook.errors import InvalidInputError, Problem
from irbook.files import limits
from irbook.loader.load import Document, did_you_mean, read_yaml
from irbook.runner.decisions import Complete, Decision, Skip
from irbook.runner.values import coerce

_TOP_KEYS = ("inputs", "steps")


@dataclass(frozen=True)
class AnswersFile:
    path: str
    inputs: dict[str, Any]
    steps: dict[str, Decision]


def load_answers(path: Path, runbook: Runbook) -> AnswersFile:
    """Read and check every answer before anything is recorded; all problems at once."""
    doc = read_yaml(path, kind="answers file", max_bytes=limits.ANSWERS_BYTES)
    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict):
        raise InvalidInputError(
            [doc.problem((), "an answers file is a mapping with `inputs` and `steps`")]
        )
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                doc.problem(
                    (key,), f"unknown key '{key}'{did_you_mean(str(key), _TOP_KEYS)}", key=True
                )
            )
    inputs = _mapping(doc, data, "inputs", problems)
    steps_raw = _mapping(doc, data, "steps", problems)

    known_inputs = {i.id: i for i in runbook.inputs}
    for name, value in inputs.items():
        if name not in known_inputs:
            problems.append(
                doc.problem(
                    ("inputs", name),
                    f"unknown input '{name}'{did_you_mean(name, known_inputs)}",
                    key=True,
                )
            )
            continue
        spec = known_inputs[name]
        try:
            inputs[name] = coerce(spec.type, value, spec.choices)
        except ValueError as exc:
            problems.append(doc.problem(("inputs", name), f"input '{name}': {exc}"))

    step_ids = {s.id: s for _, s in runbook.steps()}
    decisions: dict[str, Decision] = {}
    for step_id, raw in steps_raw.items():
        if step_id not in step_ids:
            problems.append(
                doc.problem(
                    ("steps", step_id),
                    f"unknown step '{step_id}'{did_you_mean(step_id, step_ids)}",
                    key=True,
                )
            )
            continue
        try:
            decisions[step_id] = decision_for(step_ids[step_id], raw)
        except ValueError as exc:
            problems.append(doc.problem(("steps", step_id), f"step '{step_id}': {exc}"))
    if problems:
        problems.sort(key=lambda p: (p.line, p.column))
        raise InvalidInputError(problems, hint="fix the answers file; nothing was recorded")
    return AnswersFile(str(path), inputs, decisions)


def _mapping(
    doc: Document, data: dict[str, Any], key: str, problems: list[Problem]
) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        problems.append(doc.problem((key,), f"`{key}` must be a mapping of id: answer"))
        return {}
    return {str(k): v for k, v in value.items()}


def decision_for(step: Step, raw: Any) -> Decision:
    """The decision an answers-file entry stands for, checked against the step's type."""
    if isinstance(raw, dict) and set(raw) == {"skip"}:
        reason = str(raw["skip"] or "").strip()
        if not reason:
            raise ValueError('a skip needs a reason: {skip: "why"}')
        if step.critical:
            raise ValueError("is critical and cannot be skipped")
        return Skip(reason)
    if isinstance(raw, dict) and set(raw) == {"run"} and isinstance(step, CommandStep):
        return Complete(value=None, perform=bool(raw["run"]))
    if isinstance(step, InputStep):
        return Complete(coerce(step.value, raw, step.choices))
    if isinstance(step, ChecklistStep):
        if raw in ("done", True):
            return Complete(list(step.items))
        items = raw if isinstance(raw, list) else None
        if items is None or set(map(str, items)) != set(step.items):
            raise ValueError("answer `done` (every item checked) or list every item")
        return Complete(list(step.items))
    if raw in ("done", True):
        # check and notify steps perform their action; a command is marked done by the responder
        return Complete(True, perform=step.type in ("check", "notify"))
    raise ValueError(
        "answer `done`, `{skip: reason}`"
        + (", or `{run: true}`" if isinstance(step, CommandStep) else "")
    )
