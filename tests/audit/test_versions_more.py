"""Version orderings of Go, crates.io, Pub, Packagist, RubyGems and NuGet (issue 16), each
checked against examples from the ecosystem's own specification or documentation."""

from __future__ import annotations

import itertools

import pytest

from irbook.audit.lockfiles.versions import VersionError, normalise_name, version_key


def ascending(ecosystem: str, *versions: str) -> None:
    for a, b in itertools.pairwise(versions):
        assert version_key(ecosystem, a) < version_key(ecosystem, b), f"{ecosystem}: {a} < {b}"


def same(ecosystem: str, a: str, b: str) -> None:
    assert version_key(ecosystem, a) == version_key(ecosystem, b), f"{a} == {b}"


def test_go_semver_with_v_prefix_pseudo_versions_and_toolchains() -> None:
    # go.dev/ref/mod#pseudo-versions: a pseudo-version sorts before the release it precedes.
    ascending(
        "Go",
        "v0.0.0-20191109021931-daa7c04131f5",
        "v0.0.0",
        "v1.2.3-pre",
        "v1.2.3",
        "v1.2.4-0.20191109021931-daa7c04131f5",
        "v1.2.4",
        "1.10.0",
    )
    same("Go", "v2.0.0+incompatible", "2.0.0")
    same("Go", "1.21", "1.21.0")  # a toolchain version (go 1.21)
    with pytest.raises(VersionError):
        version_key("Go", "master")


def test_crates_and_pub_are_semver() -> None:
    ascending("crates.io", "0.1.0", "0.10.2+wasi-snapshot-preview1", "1.0.0-alpha", "1.0.0")
    ascending("Pub", "1.0.0-dev.1", "1.0.0", "1.0.1", "2.0.0")


def test_packagist_follows_php_version_compare() -> None:
    # php.net/version_compare: dev < alpha = a < beta = b < RC = rc < # < pl = p
    ascending(
        "Packagist",
        "1.0.0-dev",
        "1.0.0-alpha1",
        "1.0.0-beta2",
        "1.0.0-RC1",
        "1.0.0",
        "1.0.0-pl1",
        "1.0.1",
        "v1.10.0",
    )
    ascending("Packagist", "1.0", "1.0.0")  # version_compare('1.0', '1.0.0') == -1
    same("Packagist", "v2.0.4", "2.0.4")
    same("Packagist", "1.0.0-a1", "1.0.0-alpha1")
    with pytest.raises(VersionError):
        version_key("Packagist", "dev-main")  # a branch, not a version


def test_rubygems_follows_gem_version() -> None:
    # Gem::Version docs: 1.0.a < 1.0.b < 1.0 ; trailing zeros do not count
    ascending("RubyGems", "1.0.a", "1.0.b1", "1.0", "1.0.1", "1.1.rc.1", "1.1", "1.10")
    same("RubyGems", "1.0", "1.0.0")
    same("RubyGems", "7.0.2.2", "7.0.2.2")
    ascending("RubyGems", "2.0.0.alpha1", "2.0.0")
    ascending("RubyGems", "1.0.0-rc1", "1.0.0")  # "-" means ".pre."
    with pytest.raises(VersionError):
        version_key("RubyGems", "1.0 junk")


def test_nuget_has_four_parts_and_caseless_prereleases() -> None:
    # learn.microsoft.com NuGet package versioning: 1.0 == 1.0.0 == 1.0.0.0; prerelease < release
    ascending("NuGet", "1.0.0-alpha", "1.0.0-Beta", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1")
    same("NuGet", "1.0", "1.0.0.0")
    same("NuGet", "1.0.0-BETA", "1.0.0-beta")
    same("NuGet", "1.0.0+build.5", "1.0.0")
    with pytest.raises(VersionError):
        version_key("NuGet", "1.0.0.0.0")


def test_nuget_and_packagist_names_ignore_case() -> None:
    assert normalise_name("NuGet", "Newtonsoft.Json") == "newtonsoft.json"
    assert normalise_name("Packagist", "Sentry/SDK") == "sentry/sdk"
    assert normalise_name("Go", "github.com/BurntSushi/toml") == "github.com/BurntSushi/toml"


# Maven's own ComparableVersionTest (maven-artifact, 3.9): every pair of each list is ordered.
MAVEN_QUALIFIERS = [
    "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11",
    "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def",
    "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123",
]  # fmt: skip
MAVEN_NUMBERS = [
    "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
    "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11",
    "11.a", "11b", "11c", "11m",
]  # fmt: skip
MAVEN_EQUAL = [
    ("1", "1.0"), ("1", "1.0.0"), ("1", "1-0"), ("1.0", "1.0-0"), ("1a", "1-a"), ("1a", "1.0.0-a"),
    ("1x", "1.0-x"), ("1ga", "1"), ("1release", "1"), ("1final", "1"), ("1cr", "1rc"),
    ("1a1", "1-alpha-1"), ("1b2", "1-beta-2"), ("1m3", "1-milestone-3"), ("1X", "1x"),
    ("1RELeaSE", "1"), ("1m3", "1MILESTONE3"),
]  # fmt: skip


@pytest.mark.parametrize("versions", [MAVEN_QUALIFIERS, MAVEN_NUMBERS])
def test_maven_orders_as_comparable_version(versions: list[str]) -> None:
    for i, low in enumerate(versions):
        for high in versions[i + 1 :]:
            assert version_key("Maven", low) < version_key("Maven", high), f"{low} < {high}"
            assert not version_key("Maven", high) < version_key("Maven", low)


@pytest.mark.parametrize(("a", "b"), MAVEN_EQUAL)
def test_maven_equal_versions(a: str, b: str) -> None:
    same("Maven", a, b)
