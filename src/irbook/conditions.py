"""`when` expressions: a tiny, sandboxed expression language over inputs and answers.

Runbooks are untrusted input, so this is not ``eval``. An expression is parsed with ``ast`` and
only a whitelist of nodes is accepted: names (runbook inputs), string/number/bool literals, lists,
``== != < <= > >= in not in``, ``and or not``, and two functions over steps:
``answer('step-id')`` (the recorded value) and ``done('step-id')`` (completed, not skipped).

Example: ``vector != 'stolen-credentials' and done('affected-devices')``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
FUNCTIONS = ("answer", "done")


class ConditionError(ValueError):
    """The expression is not valid; the message says why (and ``column`` where, 1-based)."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class References:
    """The names an expression uses: input names and step ids passed to answer()/done()."""

    inputs: frozenset[str]
    steps: frozenset[str]


def parse(expression: str) -> ast.Expression:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"invalid expression: {exc.msg}", exc.offset or 1) from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


def references(expression: str) -> References:
    """Parse and list what the expression refers to (for the loader's dangling-name check)."""
    tree = parse(expression)
    inputs: set[str] = set()
    steps: set[str] = set()
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            steps.add(_step_argument(node))
        elif isinstance(node, ast.Name) and id(node) not in calls:
            inputs.add(node.id)
    return References(frozenset(inputs), frozenset(steps))


def evaluate(
    expression: str,
    inputs: Mapping[str, Any],
    answers: Mapping[str, Any],
    done: Callable[[str], bool],
) -> bool:
    """Evaluate against recorded inputs and step answers. Unset inputs evaluate to None."""
    return bool(_eval(parse(expression).body, inputs, answers, done))


def _check_node(node: ast.AST) -> None:
    allowed = (
        ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare,
        ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple, ast.Call, *_COMPARE,
    )  # fmt: skip
    if not isinstance(node, allowed):
        raise ConditionError(
            f"'{type(node).__name__}' is not allowed in a condition "
            "(use names, literals, comparisons, and/or/not, answer() and done())",
            getattr(node, "col_offset", 0) + 1,
        )
    if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float | bool):
        if node.value is not None:
            raise ConditionError("only string, number and boolean literals are allowed")
    if isinstance(node, ast.Call):
        _step_argument(node)


def _step_argument(call: ast.Call) -> str:
    if not isinstance(call.func, ast.Name) or call.func.id not in FUNCTIONS:
        raise ConditionError(
            "only answer('step-id') and done('step-id') may be called", call.col_offset + 1
        )
    arg = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        raise ConditionError(
            f"{call.func.id}() takes one quoted step id, e.g. {call.func.id}('disconnect')",
            call.col_offset + 1,
        )
    return arg.value


def _eval(
    node: ast.AST,
    inputs: Mapping[str, Any],
    answers: Mapping[str, Any],
    done: Callable[[str], bool],
) -> Any:
    def ev(n: ast.AST) -> Any:
        return _eval(n, inputs, answers, done)

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return inputs.get(node.id)
    if isinstance(node, ast.List | ast.Tuple):
        return [ev(e) for e in node.elts]
    if isinstance(node, ast.UnaryOp):  # only `not` passes _check_node
        return not ev(node.operand)
    if isinstance(node, ast.BoolOp):
        values = (ev(v) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Call):
        step_id = _step_argument(node)
        return done(step_id) if node.func.id == "done" else answers.get(step_id)  # type: ignore[attr-defined]  # _step_argument checked it is a Name
    if isinstance(node, ast.Compare):
        left = ev(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = ev(right_node)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False  # e.g. None < 3: an unanswered value never satisfies an ordering
            left = right
        return True
    raise ConditionError(f"unsupported expression node {type(node).__name__}")
