"""Pipfile.lock against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter

import pytest

from irbook.audit.lockfiles.inventory import pipfile_lock

from .helpers import OWN, assert_invalid, upstream

AREA = "python/pipfilelock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/python/pipfilelock/EXPECTED.md (with groups).
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "empty.json": [],
    "minified.json": [("markupsafe", "2.1.1", ())],
    "multiple-packages.json": [
        ("itsdangerous", "2.1.2", ()),
        ("pluggy", "1.0.1", ()),
        ("pluggy", "1.0.0", ("dev",)),
        ("markupsafe", "2.1.1", ()),
    ],
    "no-version.json": [],
    "one-package-dev.json": [("markupsafe", "2.1.1", ("dev",))],
    "one-package.json": [("markupsafe", "2.1.1", ())],
    "two-packages-alt.json": [("itsdangerous", "2.1.2", ()), ("markupsafe", "2.1.1", ())],
    "two-packages.json": [("itsdangerous", "2.1.2", ()), ("markupsafe", "2.1.1", ("dev",))],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    packages = pipfile_lock.parse(upstream(AREA, name))
    assert Counter((p.name, p.version, p.groups) for p in packages) == Counter(EXPECTED[name])


def test_upstream_not_json() -> None:
    assert_invalid(pipfile_lock.parse, upstream(AREA, "not-json.txt"), "not valid JSON", line=1)


def test_own_fixture_dedupes_and_skips_git() -> None:
    packages = pipfile_lock.parse(OWN / "python" / "Pipfile.lock")
    assert sorted((p.name, p.version, p.groups) for p in packages) == [
        ("mistralai", "2.4.6", ()),  # in default and develop: a production dependency
        ("pytest", "8.2.0", ("dev",)),
    ]


def test_top_level_array_is_refused() -> None:
    path = OWN / "malformed" / "pipfile-array" / "Pipfile.lock"
    assert_invalid(pipfile_lock.parse, path, "must be a JSON object, found an array")
