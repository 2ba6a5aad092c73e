"""`when` conditions: what they mean, and that nothing dangerous gets through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from irbook.domain import conditions
from irbook.domain.conditions import evaluate, locate, parse, references
from irbook.errors import ConditionError

INPUTS = {"vector": "stolen-credentials", "count": 3, "hosts": ["web-1", "ci-2"], "urgent": True}
ANSWERS = {"affected-devices": ["web-1"], "severity": "high"}
DONE = {"disconnect"}


def ev(expression: str, inputs: Mapping[str, Any] = INPUTS) -> bool:
    return evaluate(expression, inputs, ANSWERS, DONE.__contains__)


# --- semantics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("vector == 'stolen-credentials'", True),
        ("vector == 'unknown'", False),
        ("vector != 'unknown'", True),
        ("vector != 'stolen-credentials'", False),
        ("vector in ['stolen-credentials', 'ci-cd-pipeline']", True),
        ("vector in ('unknown', 'ci-cd-pipeline')", False),
        ("vector not in ['unknown']", True),
        ("'web-1' in hosts", True),
        ("'db-9' not in hosts", True),
        ("count > 2 and count <= 3", True),
        ("1 < count < 3", False),
        ("count >= -1", True),
        ("urgent == true", False),  # `true` is a name (an unset input), not the literal True
        ("urgent == True", True),
        ("vector == 'unknown' or count == 3", True),
        ("vector == 'unknown' or count == 4", False),
        ("not vector == 'unknown'", True),
        ("not (count == 3 and urgent)", False),
        ("answer('severity') == 'high'", True),
        ("'web-1' in answer('affected-devices')", True),
        ("answer('never-asked') == None", True),
        ("done('disconnect')", True),
        ("done('rotate-tokens')", False),
        ("done('disconnect') and not done('rotate-tokens')", True),
    ],
)
def test_evaluation(expression: str, expected: bool) -> None:
    assert ev(expression) is expected


def test_unset_inputs_are_none() -> None:
    assert ev("missing == None", {})
    assert ev("vector != 'unknown'", {})  # unanswered: not equal to anything but None
    assert not ev("vector == 'unknown'", {})


@pytest.mark.parametrize("expression", ["count < 3", "count > 3", "count <= 0", "count >= 0"])
def test_ordering_with_none_is_false(expression: str) -> None:
    assert ev(expression, {}) is False


def test_ordering_between_incomparable_types_is_false() -> None:
    assert ev("vector > 3") is False
    assert ev("'a' in count") is False  # `in` on a number: not a crash, just false


def test_and_or_short_circuit() -> None:
    calls: list[str] = []

    def done(step_id: str) -> bool:
        calls.append(step_id)
        return step_id == "a"

    assert evaluate("done('b') and done('c')", {}, {}, done) is False
    assert calls == ["b"]
    assert evaluate("done('a') or done('c')", {}, {}, done) is True
    assert calls == ["b", "a"]


def test_references() -> None:
    refs = references("vector != 'x' and done('disconnect') or answer('hosts') == count")
    assert refs.inputs == {"vector", "count"}
    assert refs.steps == {"disconnect", "hosts"}


def test_locate_points_at_names_and_step_ids() -> None:
    expression = "  done('a') and vector == 'x'"
    assert locate(expression, "vector") == 17
    assert expression[16:22] == "vector"
    assert locate(expression, "a") == 8
    assert expression[7] == "'"
    assert locate(expression, "absent") == 1


# --- rejection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message", "column"),
    [
        ("vector.upper() == 'X'", "calling vector.upper() is not allowed", 1),
        ("vector.__class__", "attribute access ('.__class__') is not allowed", 7),
        ("().__class__.__bases__[0]", "a subscript ('[...]') is not allowed", 1),
        ("hosts[0] == 'web-1'", "a subscript ('[...]') is not allowed", 1),
        ("__import__('os')", "calling __import__() is not allowed", 1),
        ("eval('1')", "calling eval() is not allowed", 1),
        ("open('/etc/passwd')", "calling open() is not allowed", 1),
        ("done(vector)", "done() takes one quoted step id, e.g. done('disconnect')", 1),
        ("answer('a', 'b')", "answer() takes one quoted step id", 1),
        ("done(step='a')", "done() takes one quoted step id", 1),
        ("[x for x in hosts]", "a comprehension is not allowed", 1),
        ("any(x for x in hosts)", "calling any() is not allowed", 1),
        ("{x for x in hosts}", "a comprehension is not allowed", 1),
        ("(lambda: 1)() == 1", "calling (lambda: 1)() is not allowed", 1),
        ("count == (lambda: 1)", "a lambda is not allowed", 11),
        ("__builtins__ == 1", "name '__builtins__' is not allowed", 1),
        ("_secret", "name '_secret' is not allowed", 1),
        ("count + 1 > 2", "arithmetic is not allowed", 1),
        ("'a' * 10 ** 9", "arithmetic is not allowed", 1),
        ("vector if urgent else 'x'", "an if/else expression is not allowed", 1),
        ("(x := 1)", "an assignment (':=') is not allowed", 2),
        ("f'{vector}' == 'x'", "an f-string is not allowed", 1),
        ("{'a': 1} == vector", "a dictionary is not allowed", 1),
        ("vector is None", "'is' is not allowed in a condition", 1),
        ("-vector == 1", "'-' is only allowed in front of a number", 1),
        ("b'x' == vector", "only string, number and boolean literals are allowed", 1),
        ("vector = 'x'", "'=' is not a comparison; use '==' to compare", 8),
        ("vector ==", "the expression ends too early", 10),
        ("(vector", "syntax error: '(' was never closed", 1),
        ("x" * 1001, "condition is 1001 characters long; the limit is 1000", 1),
    ],
)
def test_rejected(expression: str, message: str, column: int) -> None:
    with pytest.raises(ConditionError) as info:
        parse(expression)
    assert str(info.value).startswith(message)
    assert info.value.column == column
    with pytest.raises(ConditionError):  # evaluate parses first: it can never run these
        ev(expression)


def test_node_rejections_name_what_is_allowed() -> None:
    with pytest.raises(ConditionError, match=r"use names, literals, comparisons, and/or/not"):
        parse("hosts[0]")


def test_columns_count_leading_space_and_characters_not_bytes() -> None:
    with pytest.raises(ConditionError) as info:
        parse("  'é' == vector.x")
    assert info.value.column == 16  # the dot, counted in characters after two spaces


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ConditionError):
        parse("(" * 300 + "x" + ")" * 300)
    with pytest.raises(ConditionError):
        parse("not " * 240 + "x" + " and x" * 20 + "[")
    # the longest chain of `not` that fits the length limit still evaluates (no recursion crash)
    assert ev("not " * 249 + "x", {}) is True


def test_the_sandbox_is_the_whitelist() -> None:
    """No builtins are reachable: names resolve only through the inputs mapping."""
    assert ev("print == None", {}) is True
    assert conditions.FUNCTIONS == ("answer", "done")
