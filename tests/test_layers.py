"""The layers of DESIGN.md hold: each I/O library lives in one home, only console prints, and
`irbook --help` stays light (no database, template or prompt library imported to show help)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import irbook

PACKAGE = Path(irbook.__file__).resolve().parent

# library -> the places (relative to src/irbook) allowed to import it: a directory ends with "/".
HOMES: dict[str, tuple[str, ...]] = {
    "typer": ("cli/",),
    "click": ("cli/",),  # typer's own layer: using it elsewhere is typer by the back door
    "rich": ("console/",),
    "questionary": ("prompts/",),
    "prompt_toolkit": ("prompts/",),
    "sqlmodel": ("store/",),
    "sqlalchemy": ("store/",),
    "psycopg": ("store/",),
    "jinja2": ("render/",),
    "yaml": ("loader/",),
}
PRINT_HOME = ("console/",)
HEAVY_FOR_HELP = ("sqlmodel", "sqlalchemy", "jinja2", "questionary", "prompt_toolkit")


def imported_modules(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Top-level package of every import, including import_module("x") and __import__("x")."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            target = getattr(node.args[0], "value", None)  # a constant module name, if any
            if name in ("import_module", "__import__") and isinstance(target, str):
                yield target.split(".")[0], node.lineno


def terminal_writes(tree: ast.AST) -> Iterator[int]:
    """Lines calling print() or writing to sys.stdout / sys.stderr directly."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "print") or (
            isinstance(func, ast.Attribute)
            and func.attr in ("write", "writelines")
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in ("stdout", "stderr")
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "sys"
        ):
            yield node.lineno


def at_home(relative: str, homes: tuple[str, ...]) -> bool:
    return any(relative.startswith(h) if h.endswith("/") else relative == h for h in homes)


def layer_violations(relative: str, source: str) -> list[str]:
    tree = ast.parse(source, filename=relative)
    found = [
        f"{relative}:{line}: imports {lib}, which lives in {' or '.join(HOMES[lib])} only"
        for lib, line in imported_modules(tree)
        if lib in HOMES and not at_home(relative, HOMES[lib])
    ]
    if not at_home(relative, PRINT_HOME):
        found += [
            f"{relative}:{line}: prints; only irbook/console/ prints"
            for line in terminal_writes(tree)
        ]
    return found


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_scan_sees_the_source_tree() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in sources()}
    assert {"loader/load.py", "cli/app.py", "console/__init__.py"} <= names


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        (
            "domain/engine.py",
            "import yaml",
            ["domain/engine.py:1: imports yaml, which lives in loader/ only"],
        ),
        (
            "cli/x.py",
            "def f():\n    from rich.table import Table",
            ["cli/x.py:2: imports rich, which lives in console/ only"],
        ),
        (
            "runner/x.py",
            "import importlib\nimportlib.import_module('sqlmodel.sql')",
            ["runner/x.py:2: imports sqlmodel, which lives in store/ only"],
        ),
        (
            "report/x.py",
            "__import__('jinja2')",
            ["report/x.py:1: imports jinja2, which lives in render/ only"],
        ),
        ("cli/x.py", "print('hi')", ["cli/x.py:1: prints; only irbook/console/ prints"]),
        (
            "store/x.py",
            "import sys\nsys.stderr.write('x')",
            ["store/x.py:2: prints; only irbook/console/ prints"],
        ),
        ("console/x.py", "import rich\nprint('ok here')", []),
        ("render/x.py", "from jinja2.sandbox import SandboxedEnvironment", []),
        ("loader/messages.py", "import yaml", []),
        (
            "usecases/x.py",
            "import yaml",
            ["usecases/x.py:1: imports yaml, which lives in loader/ only"],
        ),
    ],
)
def test_the_scanner_catches_violations(relative: str, source: str, expected: list[str]) -> None:
    assert layer_violations(relative, source) == expected


def test_each_io_library_stays_in_its_home_and_only_console_prints() -> None:
    found = []
    for path in sources():
        relative = path.relative_to(PACKAGE).as_posix()
        found += layer_violations(relative, path.read_text(encoding="utf-8"))
    assert found == [], "\n".join(found)


# --- help that teaches, and stays fast -----------------------------------------------------------


def irbook_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "irbook", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _all_commands() -> list[list[str]]:
    """Every command and group of the real app, found by walking typer's command tree."""
    import typer

    from irbook.cli.app import app

    out: list[list[str]] = [["--help"]]

    def walk(command: object, path: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            out.append([*path, name, "--help"])
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return out


@pytest.mark.parametrize("args", _all_commands(), ids=" ".join)
def test_help_exits_0_and_teaches_with_an_example(args: list[str]) -> None:
    result = irbook_cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ")
    examples = [line for line in result.stdout.splitlines() if "Example" in line]
    assert examples, f"`irbook {' '.join(args)}` shows no Example line:\n{result.stdout}"
    assert "Traceback" not in result.stderr


def test_the_cli_app_imports_no_heavy_library() -> None:
    code = (
        "import json, sys\n"
        "import irbook.cli.app\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "typer" in loaded  # the check can see what the app imports
    assert loaded.isdisjoint(HEAVY_FOR_HELP), sorted(loaded & set(HEAVY_FOR_HELP))


# --- one home per policy -------------------------------------------------------------------------


def conflict_handlers(tree: ast.AST) -> Iterator[int]:
    """Lines of `except AppendConflict` clauses (alone or in a tuple)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(getattr(n, "id", getattr(n, "attr", "")) == "AppendConflict" for n in names):
                yield node.lineno


def test_append_conflicts_are_retried_by_one_named_policy() -> None:
    """Retry-on-conflict is written once (usecases/retry.py); every writer calls it, so no
    writer can drift into its own loop, backoff or give-up rule."""
    found = [
        f"{path.relative_to(PACKAGE).as_posix()}:{line}"
        for path in sources()
        for line in conflict_handlers(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert [where.split(":")[0] for where in found] == ["usecases/retry.py"], found
