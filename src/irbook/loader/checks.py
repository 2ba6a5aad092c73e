"""Semantic checks of a runbook: what the schema alone cannot say.

Duplicate ids, dangling ``needs`` and ``when`` references, unknown roles and templates, choice
inputs without choices. They run on the raw tree (not the models), so they are reported together
with the schema's own problems, all in one pass.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from irbook.domain import conditions
from irbook.domain.models import ANSWER_REFERENCE, CHECK_ARGUMENTS, INPUT_REFERENCE, ValueType
from irbook.errors import ConditionError, Problem
from irbook.loader.messages import Loc, did_you_mean

if TYPE_CHECKING:
    from irbook.loader.load import Document


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def semantic_problems(doc: Document, known_templates: frozenset[str] | None) -> list[Problem]:
    data: dict[str, Any] = doc.data
    problems: list[Problem] = []
    # No `roles` key means no roles: a step's role must still be declared. A `roles` that is not
    # a list is the schema's problem; checking against it would only add noise.
    declared = data.get("roles", [])
    roles = declared if isinstance(declared, list) else None

    inputs: dict[str, Loc] = {}
    for i, item in _dicts(data.get("inputs")):
        loc: Loc = ("inputs", i, "id")
        if isinstance(item.get("id"), str):
            _unique(doc, problems, inputs, item["id"], loc, "input")
        problems.extend(_choice_problems(doc, ("inputs", i), item, "type"))
        problems.extend(_value_option_problems(doc, ("inputs", i), item, "type"))

    phases: dict[str, Loc] = {}
    steps: dict[str, Loc] = {}
    step_items: list[tuple[Loc, dict[str, Any]]] = []
    for p, phase in _dicts(data.get("phases")):
        if isinstance(phase.get("id"), str):
            _unique(doc, problems, phases, phase["id"], ("phases", p, "id"), "phase")
        for s, step in _dicts(phase.get("steps")):
            sloc: Loc = ("phases", p, "steps", s)
            step_items.append((sloc, step))
            if isinstance(step.get("id"), str):
                _unique(doc, problems, steps, step["id"], (*sloc, "id"), "step")

    for sloc, step in step_items:
        needs = step.get("needs")
        for n, need in enumerate(needs if isinstance(needs, list) else []):
            if isinstance(need, str) and need not in steps:
                problems.append(
                    doc.problem(
                        (*sloc, "needs", n),
                        f"needs unknown step '{need}'{did_you_mean(need, steps)}",
                    )
                )
            elif need == step.get("id"):
                problems.append(doc.problem((*sloc, "needs", n), "a step cannot need itself"))
        if isinstance(step.get("when"), str):
            problems.extend(_when_problems(doc, (*sloc, "when"), step["when"], inputs, steps))
        role = step.get("role")
        if isinstance(role, str) and roles is not None and role not in roles:
            problems.append(
                doc.problem(
                    (*sloc, "role"),
                    f"unknown role '{role}'{did_you_mean(role, map(str, roles))}; "
                    "declare it under `roles`",
                )
            )
        template = step.get("template")
        if (
            step.get("type") == "notify"
            and isinstance(template, str)
            and known_templates is not None
            and template not in known_templates
        ):
            problems.append(
                doc.problem(
                    (*sloc, "template"),
                    f"unknown template '{template}'{did_you_mean(template, known_templates)}",
                )
            )
        if step.get("type") == "input":
            problems.extend(_choice_problems(doc, sloc, step, "value"))
            problems.extend(_value_option_problems(doc, sloc, step, "value"))
        if step.get("type") == "check":
            problems.extend(_check_argument_problems(doc, sloc, step, inputs, steps))
    problems.extend(_deadline_problems(doc, data, inputs, steps))
    return problems


def _deadline_problems(
    doc: Document, data: dict[str, Any], inputs: dict[str, Loc], steps: dict[str, Loc]
) -> list[Problem]:
    """A deadline's `met_by` names a step and its `when` speaks of inputs only (a clock that
    depended on answers could appear and vanish while the incident runs)."""
    problems: list[Problem] = []
    seen: dict[str, Loc] = {}
    for d, deadline in _dicts(data.get("deadlines")):
        dloc: Loc = ("deadlines", d)
        if isinstance(deadline.get("id"), str):
            _unique(doc, problems, seen, deadline["id"], (*dloc, "id"), "deadline")
        for key in ("met_by", "after"):
            name = deadline.get(key)
            if isinstance(name, str) and name not in steps:
                problems.append(
                    doc.problem(
                        (*dloc, key),
                        f"{key} names unknown step '{name}'{did_you_mean(name, steps)}",
                    )
                )
        when = deadline.get("when")
        if isinstance(when, str):
            problems.extend(_when_problems(doc, (*dloc, "when"), when, inputs, steps))
            try:
                named = conditions.references(when).steps
            except ConditionError:
                named = frozenset()  # reported above
            if named:
                problems.append(
                    doc.problem(
                        (*dloc, "when"),
                        "a deadline's condition may use inputs only, not answer() or done() "
                        "(a clock must not appear or vanish while the incident runs)",
                    )
                )
    return problems


def _check_argument_problems(
    doc: Document, loc: Loc, step: dict[str, Any], inputs: dict[str, Loc], steps: dict[str, Loc]
) -> list[Problem]:
    """`with:` keys the action does not take, and `{{ inputs.X }}` / `{{ answers.X }}` naming no
    input or step: both would otherwise only fail in the middle of an incident."""
    args = step.get("with")
    expected = CHECK_ARGUMENTS.get(str(step.get("uses")))
    if not isinstance(args, dict) or expected is None:
        return []
    out = []
    for key, value in args.items():
        if key not in expected:
            out.append(
                doc.problem(
                    (*loc, "with", key),
                    f"'{step['uses']}' takes no argument "
                    f"'{key}'{did_you_mean(str(key), expected)}; it takes "
                    f"{', '.join(expected)}",
                    key=True,
                )
            )
        for text in value if isinstance(value, list) else [value]:
            for name in INPUT_REFERENCE.findall(text) if isinstance(text, str) else []:
                if name not in inputs:
                    out.append(
                        doc.problem(
                            (*loc, "with", key),
                            f"unknown input '{name}'{did_you_mean(name, inputs)}",
                        )
                    )
            for name in ANSWER_REFERENCE.findall(text) if isinstance(text, str) else []:
                if name not in steps:
                    out.append(
                        doc.problem(
                            (*loc, "with", key),
                            f"unknown step '{name}'{did_you_mean(name, steps)}",
                        )
                    )
    return out


def _unique(
    doc: Document, problems: list[Problem], seen: dict[str, Loc], value: str, loc: Loc, what: str
) -> None:
    if value in seen:
        first = doc.position(seen[value])[0]
        problems.append(doc.problem(loc, f"duplicate {what} id '{value}' (first at line {first})"))
    else:
        seen[value] = loc


def _choice_problems(doc: Document, loc: Loc, item: dict[str, Any], type_key: str) -> list[Problem]:
    kind = item.get(type_key)
    choices = item.get("choices")
    if kind in (ValueType.CHOICE, ValueType.MULTICHOICE) and not choices:
        return [doc.problem(loc, f"a {kind} needs a non-empty `choices` list")]
    if choices and kind not in (ValueType.CHOICE, ValueType.MULTICHOICE):
        return [
            doc.problem(
                (*loc, "choices"),
                f"`choices` only applies to choice and multichoice, not '{kind or 'text'}'",
            )
        ]
    default = item.get("default")
    # A mapping is already a type error from the schema: say nothing more about it here.
    plain = default is not None and not isinstance(default, dict)
    outside = plain and isinstance(choices, list) and default not in choices
    if kind == ValueType.CHOICE and outside:
        return [
            doc.problem(
                (*loc, "default"),
                f"default '{default}' is not one of the choices"
                f"{did_you_mean(str(default), map(str, choices or []))}",
            )
        ]
    return []


_NOT_BEFORE = re.compile(r"^\d+d$")


def _value_option_problems(
    doc: Document, loc: Loc, item: dict[str, Any], type_key: str
) -> list[Problem]:
    """`path_kind` belongs to path(s), `not_before` to datetime, and must be readable."""
    kind = item.get(type_key) or "text"
    problems = []
    if "path_kind" in item and kind not in (ValueType.PATH, ValueType.PATHS):
        problems.append(
            doc.problem(
                (*loc, "path_kind"), f"`path_kind` only applies to path and paths, not '{kind}'"
            )
        )
    not_before = item.get("not_before")
    if not_before is not None and kind != ValueType.DATETIME:
        problems.append(
            doc.problem(
                (*loc, "not_before"), f"`not_before` only applies to datetime, not '{kind}'"
            )
        )
    elif isinstance(not_before, str) and not _NOT_BEFORE.match(not_before.strip()):
        try:
            datetime.fromisoformat(not_before.strip().replace("Z", "+00:00"))
        except ValueError:
            problems.append(
                doc.problem(
                    (*loc, "not_before"),
                    f"`not_before: {not_before}` is neither a date/time (2025-01-01) nor a "
                    "number of days before the answer (365d)",
                )
            )
    return problems


def _when_problems(
    doc: Document, loc: Loc, expression: str, inputs: dict[str, Loc], steps: dict[str, Loc]
) -> list[Problem]:
    try:
        refs = conditions.references(expression)
    except ConditionError as exc:
        problem = doc.problem(loc, f"invalid condition: {exc}")
        return [_at_column(doc, problem, expression, exc.column)]
    out = []
    for name in sorted(refs.inputs - inputs.keys()):
        problem = doc.problem(
            loc, f"condition names unknown input '{name}'{did_you_mean(name, inputs)}"
        )
        out.append(_at_column(doc, problem, expression, conditions.locate(expression, name)))
    for name in sorted(refs.steps - steps.keys()):
        problem = doc.problem(
            loc, f"condition names unknown step '{name}'{did_you_mean(name, steps)}"
        )
        out.append(_at_column(doc, problem, expression, conditions.locate(expression, name)))
    return out


def _at_column(doc: Document, problem: Problem, expression: str, column: int) -> Problem:
    """Point into the expression when it is written on one line exactly as parsed.

    Quoted scalars start one column after their quote; anything YAML rewrote (escapes, folded
    lines) keeps the position of the value's start, which is still the right line.
    """
    lines = doc.text.splitlines()
    if not 0 < problem.line <= len(lines):
        return problem
    rest = lines[problem.line - 1][problem.column - 1 :]
    quote = 1 if rest[:1] in ("'", '"') else 0
    if not rest[quote:].startswith(expression):
        return problem
    return dataclasses.replace(problem, column=problem.column + quote + column - 1)
