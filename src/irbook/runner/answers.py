"""Answers files: non-interactive runs (``--answers FILE``), checked against the runbook first.

inputs: {vector: ci-cd-pipeline, organisation: Acme}
steps:
  disconnect: done                      # confirm / checklist / check / notify / command
  affected-devices: [laptop-17, ci-4]   # an input step's value
  rotate-signing-cert: {skip: "no code signing in this product"}
  revoke-npm-tokens: {run: true}        # a command step: run its command now
  rotate-k8s: {not_applicable: "no Kubernetes here"}   # any step the runbook allows it for
  preserve-evidence: {ticked: [Memory image], reason: "disk imaging tool not licensed"}
  revoke-certificate: {wait: {on: "CA", due: "2026-05-12T10:00:00Z"}}   # open, waiting
  lockfile-audit: {override: "audited by hand"}   # a check that failed, accepted: an exception
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from irbook.domain.models import (
    ChecklistStep,
    CheckStep,
    CommandStep,
    InputStep,
    Runbook,
    Step,
    ValueType,
)
from irbook.errors import InvalidInputError, Problem
from irbook.files import limits
from irbook.loader.load import Document, did_you_mean, read_yaml
from irbook.runner.decisions import Complete, Decision, NotApplicable, Override, Skip, Wait
from irbook.runner.values import ValueContext, ValueSpec, coerce, parse_datetime, split_list

_TOP_KEYS = ("inputs", "steps")


@dataclass(frozen=True)
class AnswersFile:
    path: str
    inputs: dict[str, Any]
    steps: dict[str, Decision]
    context: ValueContext


def load_answers(path: Path, runbook: Runbook, context: ValueContext | None = None) -> AnswersFile:
    """Read and check every answer before anything is recorded; all problems at once. Typed
    answers are checked as at the terminal (``irbook.runner.values``), with paths relative to
    ``context.cwd``."""
    ctx = context or ValueContext()
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
            inputs[name] = from_file(ValueSpec.of(spec), value, Path(path).parent, ctx)
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
            step = step_ids[step_id]
            if isinstance(step, InputStep) and not isinstance(raw, dict):
                value = from_file(ValueSpec.of(step), raw, Path(path).parent, ctx)
                decisions[step_id] = Complete(value)
            else:
                decisions[step_id] = decision_for(step, raw, ctx)
        except ValueError as exc:
            problems.append(doc.problem(("steps", step_id), f"step '{step_id}': {exc}"))
    if problems:
        problems.sort(key=lambda p: (p.line, p.column))
        raise InvalidInputError(problems, hint="fix the answers file; nothing was recorded")
    return AnswersFile(str(path), inputs, decisions, ctx)


def from_file(spec: ValueSpec, raw: Any, base: Path, ctx: ValueContext) -> Any:
    """A relative path answer names what is next to the answers file when it is there (the file
    is written next to what it names and may be run from anywhere), else what is in the working
    directory, as before. Stored relative to the working directory the checks run in, so
    `--answers tests/fixtures/runner/case/answers.yaml` works from the repo root."""
    if spec.kind not in (ValueType.PATH, ValueType.PATHS) or isinstance(raw, dict | bool):
        return coerce(spec, raw, ctx)
    items = raw if isinstance(raw, list) else [raw]
    if spec.kind is ValueType.PATHS and isinstance(raw, str):
        items = split_list(raw)
    written: dict[str, str] = {}  # rewritten -> as written, for messages
    out = []
    for item in items:
        text = str(item).strip()
        here = base / text
        if text and not text.startswith("~") and not Path(text).is_absolute() and here.exists():
            rebased = os.path.relpath(here.resolve(), ctx.cwd.resolve())
            written[rebased] = text
            text = rebased
        out.append(text)
    try:
        return coerce(spec, out if spec.kind is ValueType.PATHS else out[0], ctx)
    except ValueError as exc:
        message = str(exc)
        for rebased, text in written.items():
            message = message.replace(rebased, text)
        raise ValueError(message) from None


def _mapping(
    doc: Document, data: dict[str, Any], key: str, problems: list[Problem]
) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        problems.append(doc.problem((key,), f"`{key}` must be a mapping of id: answer"))
        return {}
    return {str(k): v for k, v in value.items()}


def decision_for(step: Step, raw: Any, context: ValueContext | None = None) -> Decision:
    """The decision an answers-file entry stands for, checked against the step's type."""
    if isinstance(raw, dict) and set(raw) == {"skip"}:
        reason = str(raw["skip"] or "").strip()
        if not reason:
            raise ValueError('a skip needs a reason: {skip: "why"}')
        if step.critical:
            raise ValueError("is critical and cannot be skipped")
        return Skip(reason)
    if isinstance(raw, dict) and set(raw) == {"not_applicable"}:
        reason = str(raw["not_applicable"] or "").strip()
        if not reason:
            raise ValueError('"not applicable" needs a reason: {not_applicable: "why"}')
        if not step.not_applicable:
            raise ValueError("always applies: the runbook does not allow `not_applicable` here")
        return NotApplicable(reason)
    if isinstance(raw, dict) and set(raw) == {"override"}:
        reason = str(raw["override"] or "").strip()
        if not isinstance(step, CheckStep):
            raise ValueError("only a check step can be overridden (when its check failed)")
        if not reason:
            raise ValueError('an override needs a reason: {override: "why"}')
        return Override(reason)
    if isinstance(raw, dict) and set(raw) == {"wait"}:
        return _wait(raw["wait"])
    if isinstance(raw, dict) and set(raw) == {"run"} and isinstance(step, CommandStep):
        return Complete(value=None, perform=bool(raw["run"]))
    if isinstance(step, InputStep):
        return Complete(coerce(ValueSpec.of(step), raw, context))
    if isinstance(step, ChecklistStep):
        return _checklist(step, raw)
    if raw in ("done", True):
        # check and notify steps perform their action; a command is marked done by the responder
        return Complete(True, perform=step.type in ("check", "notify"))
    raise ValueError(
        "answer `done`, `{skip: reason}`, `{not_applicable: reason}`"
        + (", or `{run: true}`" if isinstance(step, CommandStep) else "")
    )


def _wait(raw: Any) -> Decision:
    """`{wait: {on: WHO, due: WHEN}}` (due optional) or `{wait: WHO}`: open, waiting."""
    if isinstance(raw, str):
        raw = {"on": raw}
    if isinstance(raw, dict) and "on" not in raw and {"True", True} & set(raw):
        # YAML 1.1 reads an unquoted `on:` key as the boolean true (the loader keeps it as
        # "True"): `{wait: {on: CA}}` is what everyone writes, so it means `on` here.
        raw = {("on" if k in ("True", True) else k): v for k, v in raw.items()}
    if not isinstance(raw, dict) or not set(raw) <= {"on", "due"}:
        raise ValueError('waiting is `{wait: {on: "who or what", due: "2026-05-12T10:00:00Z"}}`')
    on = str(raw.get("on") or "").strip()
    if not on:
        raise ValueError('waiting needs who or what it waits on: `{wait: {on: "CA"}}`')
    due = raw.get("due")
    if isinstance(due, datetime):  # YAML reads an unquoted timestamp as a datetime
        if due.tzinfo is None:
            raise ValueError("due: a time without a zone is ambiguous: add Z for UTC")
        return Wait(on, due.astimezone(UTC))
    return Wait(on, parse_datetime(str(due)) if due else None)


def _checklist(step: ChecklistStep, raw: Any) -> Decision:
    """`done` or every item: done. `{ticked: [...], reason: why}`: done with exceptions."""
    if raw in ("done", True):
        return Complete(list(step.items))
    reason = ""
    if isinstance(raw, dict) and set(raw) <= {"ticked", "reason"} and "ticked" in raw:
        reason = str(raw.get("reason") or "").strip()
        raw = raw["ticked"] or []
    if not isinstance(raw, list):
        raise ValueError(
            "answer `done` (every item ticked), list every item, or "
            "`{ticked: [items], reason: why the others are not}`"
        )
    items = [str(i) for i in raw]
    unknown = [i for i in items if i not in step.items]
    if unknown:
        raise ValueError(f"not an item of this checklist: {'; '.join(unknown)}")
    unticked = [i for i in step.items if i not in items]
    if unticked and not reason:
        raise ValueError(
            f"{len(unticked)} of {len(step.items)} items not ticked ({'; '.join(unticked)}): "
            "tick every item, or give a reason: `{ticked: [items], reason: why}` records it "
            "done with exceptions"
        )
    return Complete([i for i in step.items if i in items], reason=reason if unticked else "")
