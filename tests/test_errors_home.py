"""Every exception class lives in irbook/errors.py (STYLE.md: "one exception tree").

The scan reads the source (no import), so a module that fails to import is still checked. A class
is an exception when one of its bases is a built-in exception, a name ending in Error/Exception/
Warning, or (transitively) another class the scan already found to be an exception.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from pathlib import Path

import irbook

PACKAGE = Path(irbook.__file__).resolve().parent
HOME = PACKAGE / "errors.py"

BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):  # Generic[...] style bases
        node = node.value
    if isinstance(node, ast.Attribute):  # errors.IrbookError, pydantic.ValidationError
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def exception_classes(sources: Iterable[tuple[str, str]]) -> list[str]:
    """``where:line: class Name`` for each exception class defined in the given (where, source)."""
    classes = [
        (where, node)
        for where, text in sources
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ClassDef)
    ]
    known = set(BUILTIN_EXCEPTIONS)
    known.update(
        node.name
        for node in ast.walk(ast.parse(HOME.read_text()))
        if isinstance(node, ast.ClassDef)
    )
    found: dict[int, tuple[str, int, str]] = {}
    changed = True
    while changed:  # to a fixed point: class B(A) where A(Exception) is defined elsewhere
        changed = False
        for where, node in classes:
            if id(node) in found:
                continue
            names = [_base_name(base) for base in node.bases]
            if any(n in known or n.endswith(("Error", "Exception", "Warning")) for n in names):
                found[id(node)] = (where, node.lineno, node.name)
                known.add(node.name)
                changed = True
    return [f"{where}:{line}: class {name}" for where, line, name in sorted(found.values())]


def test_no_exception_class_outside_errors_py() -> None:
    sources = [
        (str(path.relative_to(PACKAGE)), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != HOME
    ]
    assert exception_classes(sources) == [], "move these classes to src/irbook/errors.py"


def test_the_scan_finds_direct_indirect_and_qualified_exception_classes() -> None:
    source = (
        "from irbook import errors\n"
        "class Plain:\n    pass\n"
        "class Direct(ValueError):\n    pass\n"
        "class Indirect(Direct):\n    pass\n"
        "class Qualified(errors.IrbookError):\n    pass\n"
        "class Interrupt(errors.Interrupted):\n    pass\n"
        "def f():\n    class Nested(Exception):\n        pass\n"
        "class Later(Earlier):\n    pass\n"
        "class Earlier(KeyError):\n    pass\n"
    )
    assert exception_classes([("m.py", source)]) == [
        "m.py:4: class Direct",
        "m.py:6: class Indirect",
        "m.py:8: class Qualified",
        "m.py:10: class Interrupt",
        "m.py:13: class Nested",
        "m.py:15: class Later",
        "m.py:17: class Earlier",
    ]
