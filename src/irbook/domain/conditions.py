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
from functools import lru_cache
from typing import Any

from irbook.errors import ConditionError

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


@dataclass(frozen=True)
class References:
    """The names an expression uses: input names and step ids passed to answer()/done()."""

    inputs: frozenset[str]
    steps: frozenset[str]


MAX_LENGTH = 1000  # a condition longer than this is a program, not a condition

_NOT_ALLOWED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript ('[...]')",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.BinOp: "arithmetic",
    ast.IfExp: "an if/else expression",
    ast.NamedExpr: "an assignment (':=')",
    ast.JoinedStr: "an f-string",
    ast.Dict: "a dictionary",
    ast.Set: "a set",
    ast.Starred: "unpacking ('*')",
    ast.Is: "'is'",
    ast.IsNot: "'is not'",
    ast.Slice: "a slice",
}
_ALLOWED_HINT = (
    "use names, literals, comparisons, and/or/not, answer('step-id') and done('step-id')"
)


@lru_cache(maxsize=2048)  # the walker evaluates the same few conditions at every step
def parse(expression: str) -> ast.Expression:
    """Parse and check an expression; ConditionError (with a 1-based column) if not allowed."""
    if len(expression) > MAX_LENGTH:
        raise ConditionError(
            f"condition is {len(expression)} characters long; the limit is {MAX_LENGTH}"
        )
    source = expression.strip()
    lead = len(expression) - len(expression.lstrip())  # columns point into the text as written
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(source, exc, lead) from None
    except (RecursionError, MemoryError, ValueError):  # absurd nesting, NUL bytes (3.11)
        raise ConditionError("condition is too deeply nested or not text", lead + 1) from None
    try:
        for node in ast.walk(tree):
            _check_node(node)
    except ConditionError as exc:
        exc.column = lead + _char_column(source, exc.column - 1)
        raise
    return tree


def _char_column(source: str, byte_offset: int) -> int:
    """ast counts columns in UTF-8 bytes; authors count characters (1-based)."""
    return len(source.encode()[:byte_offset].decode("utf-8", errors="ignore")) + 1


def _syntax_error(source: str, exc: SyntaxError, lead: int) -> ConditionError:
    offset = exc.offset or 0
    if not 1 <= offset <= len(source):  # Python reports 0 when the text ends too early
        return ConditionError("the expression ends too early", lead + len(source) + 1)
    if source[offset - 1] == "=" and source[offset - 1 : offset + 1] != "==":
        return ConditionError("'=' is not a comparison; use '==' to compare", lead + offset)
    return ConditionError(f"syntax error: {exc.msg}", lead + offset)


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


def locate(expression: str, name: str) -> int:
    """1-based column where the expression first uses ``name`` (an input name, or a step id given
    to answer()/done()), so a problem about that name can point at it; 1 if it is not used."""
    tree = parse(expression)
    source = expression.strip()
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    funcs = {id(c.func) for c in calls}
    offsets = [c.args[0].col_offset for c in calls if _step_argument(c) == name]
    offsets += [
        n.col_offset
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id == name and id(n) not in funcs
    ]
    if not offsets:
        return 1
    return len(expression) - len(expression.lstrip()) + _char_column(source, min(offsets))


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
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.Compare,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.List,
        ast.Tuple,
        ast.Call,
        *_COMPARE,
    )
    column = getattr(node, "col_offset", 0) + 1
    if isinstance(node, ast.USub | ast.cmpop):
        return  # checked with their UnaryOp / Compare node, which know the column
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                what = _NOT_ALLOWED.get(type(op), f"'{type(op).__name__}'")
                raise ConditionError(
                    f"{what} is not allowed in a condition; compare with "
                    "==, !=, <, <=, >, >=, in or not in",
                    column,
                )
    if not isinstance(node, allowed):
        what = _NOT_ALLOWED.get(type(node), f"'{type(node).__name__}'")
        if isinstance(node, ast.Attribute):  # point at the dot, not at the name before it
            what = f"attribute access ('.{node.attr}')"
            column = (node.value.end_col_offset or 0) + 1
        raise ConditionError(f"{what} is not allowed in a condition; {_ALLOWED_HINT}", column)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = node.operand
        if not (
            isinstance(operand, ast.Constant)
            and isinstance(operand.value, int | float)
            and not isinstance(operand.value, bool)
        ):
            raise ConditionError("'-' is only allowed in front of a number", column)
    literal = str | int | float | bool | None
    if isinstance(node, ast.Constant) and not isinstance(node.value, literal):
        raise ConditionError("only string, number and boolean literals are allowed", column)
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        # Input ids never start with '_'; names like __builtins__ are how sandbox escapes begin.
        raise ConditionError(
            f"name '{node.id}' is not allowed (names never start with '_')", column
        )
    if isinstance(node, ast.Call):
        _step_argument(node)


def _callee(func: ast.expr) -> str:
    text = ast.unparse(func)
    return text if isinstance(func, ast.Name | ast.Attribute) else f"({text})"


def _step_argument(call: ast.Call) -> str:
    if not isinstance(call.func, ast.Name) or call.func.id not in FUNCTIONS:
        raise ConditionError(
            f"calling {_callee(call.func)}() is not allowed; "
            "only answer('step-id') and done('step-id') may be called",
            call.col_offset + 1,
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
    if isinstance(node, ast.UnaryOp):  # `not`, or `-` before a number (see _check_node)
        return -ev(node.operand) if isinstance(node.op, ast.USub) else not ev(node.operand)
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
