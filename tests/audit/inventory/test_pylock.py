"""pylock.toml (PEP 751) against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter

import pytest

from irbook.audit.lockfiles.inventory import pylock

from .helpers import OWN, assert_invalid, pairs, upstream

AREA = "python/pylock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/python/pylock/EXPECTED.md.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "commits.toml": [
        ("click", "8.2.1"),
        ("mleroc", "0.1.0"),
        ("packaging", "24.2"),
        ("pathspec", "0.12.1"),
        ("python-dateutil", "2.9.0.post0"),
        ("scikit-learn", "1.6.1"),
        ("tqdm", "4.67.1"),
    ],
    "empty.toml": [],
    "example.toml": [("attrs", "25.1.0"), ("cattrs", "24.1.2"), ("numpy", "2.2.3")],
    "names-outside-package-block.toml": [("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")],
    "pdm-full.toml": [
        ("certifi", "2025.1.31"),
        ("chardet", "3.0.4"),
        ("charset-normalizer", "2.0.12"),
        ("colorama", "0.3.9"),
        ("idna", "2.7"),
        ("py", "1.4.34"),
        ("pytest", "3.2.5"),
        ("requests", "2.27.1"),
        ("setuptools", "39.2.0"),
        ("urllib3", "1.26.20"),
    ],
    "pip-full.toml": [
        ("annotated-types", "0.7.0"),
        ("packaging", "25.0"),
        ("pyproject-toml", "0.1.0"),
        ("setuptools", "80.9.0"),
        ("wheel", "0.45.1"),
    ],
    "pip-just-self.toml": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    assert pairs(pylock.parse(upstream(AREA, name))) == Counter(EXPECTED[name])


def test_upstream_vcs_commit() -> None:
    packages = {p.name: p for p in pylock.parse(upstream(AREA, "commits.toml"))}
    assert packages["mleroc"].source == (
        "git+https://github.com/Veggente/mleroc.git#735093f03c4d8be70bfaaae44074ac92d7419b6d"
    )


def test_upstream_not_toml() -> None:
    assert_invalid(pylock.parse, upstream(AREA, "not-toml.txt"), "not valid TOML", line=1)


def test_own_fixture_vcs_without_version_and_project_left_out() -> None:
    packages = pylock.parse(OWN / "python" / "pylock.toml")
    assert sorted((p.name, p.version) for p in packages) == [("mistralai", "2.4.6"), ("tool", "")]


def test_unknown_major_lock_version_is_refused() -> None:
    path = OWN / "malformed" / "pylock-v2" / "pylock.toml"
    assert_invalid(pylock.parse, path, "unsupported lock-version '2.0'", line=1)
