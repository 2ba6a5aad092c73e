"""Bad input never escapes as anything but InvalidInputError; a CLI-like caller never tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import find_inventories, read_inventory
from irbook.errors import InvalidInputError

from .helpers import OWN

MALFORMED = sorted(p for p in (OWN / "malformed").rglob("*") if p.is_file())
GOOD = sorted(p for p in OWN.rglob("*") if p.is_file() and "malformed" not in p.parts)


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.parent.name)
def test_every_malformed_fixture_is_one_clear_error(path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        read_inventory(path)
    problem = caught.value.problems[0]
    assert problem.path == str(path)
    assert problem.line >= 1 and problem.column >= 1
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: "/".join(p.parts[-2:]))
def test_any_truncation_is_an_error_or_a_result_never_a_crash(tmp_path: Path, path: Path) -> None:
    """Cut each good fixture at many points: the reader returns packages or InvalidInputError."""
    data = path.read_bytes()
    for cut in sorted({*range(0, len(data), max(1, len(data) // 40)), len(data) - 1}):
        target = tmp_path / path.name
        target.write_bytes(data[:cut])
        try:
            result = read_inventory(target)
        except InvalidInputError as error:
            assert str(target) in str(error)
        else:
            assert isinstance(result, list)


_CLI_LIKE = """
import sys
from pathlib import Path
from irbook.audit.lockfiles.inventory import find_inventories, read_inventory
from irbook.errors import IrbookError
try:
    for path in find_inventories([Path(p) for p in sys.argv[1:]]):
        print(path, len(read_inventory(path)))
except IrbookError as error:
    print(error, file=sys.stderr)
    sys.exit(int(error.exit_code))
"""


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.parent.name)
def test_cli_like_caller_exits_2_without_traceback(path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", _CLI_LIKE, str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert str(path) in run.stderr


def test_walk_of_own_good_fixtures_reads_cleanly() -> None:
    roots = [OWN / "npm", OWN / "yarn", OWN / "pnpm", OWN / "bun", OWN / "sbom"]
    found = list(find_inventories(roots))
    assert {p.name for p in found} == {
        "npm-shrinkwrap.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "app.cdx.json",
        "app.spdx.json",
        "root.cdx.json",
        "root.spdx.json",
    }
    assert all(read_inventory(p) for p in found)
