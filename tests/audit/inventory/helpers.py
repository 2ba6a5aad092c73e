"""Shared by the inventory reader tests: the upstream fixture tree, multisets, error checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from irbook.audit.lockfiles.packages import LockedPackage
from irbook.errors import InvalidInputError
from shared import FIXTURES, shared_data

OWN = FIXTURES / "inventory"


def upstream(area: str, name: str) -> Path:
    """A fixture of google/osv-scalibr under ../shared/data (skips, or fails in CI, if absent)."""
    return shared_data("lockfiles", "osv-scalibr", area, "testdata", name)


def pairs(packages: list[LockedPackage]) -> Counter[tuple[str, str]]:
    return Counter((p.name, p.version) for p in packages)


def by_name(packages: list[LockedPackage]) -> dict[str, LockedPackage]:
    return {p.name: p for p in packages}


def assert_invalid(
    parse: Callable[[Path], object], path: Path, *fragments: str, line: int | None = None
) -> InvalidInputError:
    """``parse(path)`` raises InvalidInputError whose text names the file and each fragment."""
    with pytest.raises(InvalidInputError) as caught:
        parse(path)
    text = str(caught.value)
    assert str(path) in text
    for fragment in fragments:
        assert fragment in text
    if line is not None:
        assert caught.value.problems[0].line == line
    return caught.value
