"""Version ordering: SemVer 2.0 precedence for npm, PEP 440 for PyPI, PEP 503 names."""

from __future__ import annotations

import pytest

from irbook.audit.lockfiles.versions import normalise_name, semver_key, version_key
from irbook.errors import VersionError

# SemVer 2.0.0 §11.4, in ascending precedence, plus the major/minor/patch steps of §11.2.
SEMVER_ASCENDING = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "1.9.0",
    "1.10.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
]


def test_semver_precedence_follows_the_spec_examples() -> None:
    keys = [semver_key(v) for v in SEMVER_ASCENDING]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    shuffled = list(reversed(SEMVER_ASCENDING))
    assert sorted(shuffled, key=semver_key) == SEMVER_ASCENDING


def test_semver_numeric_identifiers_compare_numerically_and_before_alphanumerics() -> None:
    assert semver_key("1.0.0-2") < semver_key("1.0.0-10")
    assert semver_key("1.0.0-10") < semver_key("1.0.0-a")
    assert semver_key("1.169.9-beta.1") < semver_key("1.169.9")


def test_semver_ignores_build_metadata_and_npm_prefixes() -> None:
    assert semver_key("1.169.9+build.5") == semver_key("1.169.9")
    assert semver_key("v1.169.9") == semver_key("1.169.9")
    assert semver_key("=1.2.3") == semver_key("1.2.3")


@pytest.mark.parametrize("bad", ["1.2", "1.2.3.4", "01.2.3", "1.2.3-", "latest", "", "1.2.x"])
def test_semver_rejects_what_is_not_a_version(bad: str) -> None:
    with pytest.raises(VersionError):
        semver_key(bad)


def test_pep440_orders_pre_post_and_dev_releases() -> None:
    ordered = ["2.4.6.dev1", "2.4.6a1", "2.4.6rc1", "2.4.6", "2.4.6.post1", "2.4.10"]
    keys = [version_key("PyPI", v) for v in ordered]
    assert keys == sorted(keys)
    assert version_key("PyPI", "1.0") == version_key("PyPI", "1.0.0")
    with pytest.raises(VersionError):
        version_key("PyPI", "not a version")


def test_unknown_ecosystem_has_no_ordering() -> None:
    with pytest.raises(VersionError):
        version_key("Hex", "1.0.0")


def test_names_normalise_per_ecosystem() -> None:
    assert normalise_name("PyPI", "Mistral_AI") == "mistral-ai"
    assert normalise_name("PyPI", "zope.interface") == normalise_name("PyPI", "Zope-Interface")
    assert normalise_name("npm", "@TanStack/React-Router") == "@TanStack/React-Router"
