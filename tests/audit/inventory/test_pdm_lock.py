"""pdm.lock against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter

import pytest

from irbook.audit.lockfiles.inventory import pdm_lock

from .helpers import OWN, assert_invalid, upstream

AREA = "python/pdmlock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/python/pdmlock/EXPECTED.md (with groups).
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "dev-dependency.toml": [
        ("pyroute2", "0.7.11", ("dev",)),
        ("toml", "0.10.2", ()),
        ("win-inet-pton", "1.1.0", ("dev",)),
    ],
    "empty-file.toml": [],
    "empty.toml": [],
    "git-dependency.toml": [("toml", "0.10.2", ())],
    "names-outside-package-block.toml": [("first-pkg", "1.0.0", ()), ("second-pkg", "2.0.0", ())],
    "optional-dependency.toml": [
        ("pyroute2", "0.7.11", ("optional",)),
        ("toml", "0.10.2", ()),
        ("win-inet-pton", "1.1.0", ("optional",)),
    ],
    "single-package.toml": [("toml", "0.10.2", ())],
    "two-packages.toml": [("six", "1.16.0", ()), ("toml", "0.10.2", ())],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    packages = pdm_lock.parse(upstream(AREA, name))
    assert Counter((p.name, p.version, p.groups) for p in packages) == Counter(EXPECTED[name])


def test_upstream_git_revision() -> None:
    (toml,) = pdm_lock.parse(upstream(AREA, "git-dependency.toml"))
    assert (
        toml.source
        == "git+https://github.com/uiri/toml.git#65bab7582ce14c55cdeec2244c65ea23039c9e6f"
    )


def test_upstream_not_toml() -> None:
    assert_invalid(pdm_lock.parse, upstream(AREA, "not-toml.txt"), "not valid TOML", line=1)


def test_own_fixture_groups() -> None:
    packages = pdm_lock.parse(OWN / "python" / "pdm.lock")
    assert sorted((p.name, p.version, p.groups) for p in packages) == [
        ("mistralai", "2.4.6", ()),
        ("mkdocs", "1.6.0", ("optional",)),
        ("pytest", "8.2.0", ("dev",)),
    ]
