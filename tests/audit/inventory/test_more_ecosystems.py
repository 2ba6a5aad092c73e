"""go.mod, Cargo.lock, composer.lock, Gemfile.lock, pubspec.lock, packages.lock.json and gradle.lockfile against the
expected packages of google/osv-scalibr's own tests (../shared/data/lockfiles/osv-scalibr/*/
EXPECTED.md, read here as they are written), and real OSV records of those ecosystems."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from irbook.audit.lockfiles.audit import audit
from irbook.audit.lockfiles.inventory import detect, read_inventory
from irbook.errors import InvalidInputError
from shared import shared_data

AREAS = {
    "golang/gomod": "gomod",
    "rust/cargolock": "cargo",
    "php/composerlock": "composer",
    "ruby/gemfilelock": "gemfile",
    "dart/pubspec": "pubspec",
    "dotnet/packageslockjson": "nuget",
    "java/gradlelockfile": "gradle",
}
_CASE = re.compile(r"^## `testdata/([^`]+)` — test case \"([^\"]+)\"(.*)$")


def expected_cases(area: str) -> list[tuple[str, list[tuple[str, str]] | None]]:
    """(fixture, expected (name, version) pairs, or None for "extraction error") per test case
    of the default configuration, from EXPECTED.md."""
    text = (shared_data("lockfiles", "osv-scalibr", area) / "EXPECTED.md").read_text()
    cases: list[tuple[str, list[tuple[str, str]] | None]] = []
    current: list[tuple[str, str]] | None = None
    fixture: str | None = None
    skipping = False
    for line in text.splitlines():
        heading = _CASE.match(line)
        if heading:
            if fixture is not None:
                cases.append((fixture, current))
            fixture, current = heading[1], []
            skipping = "Config" in heading[3]  # a non-default configuration of the extractor
            if skipping:
                fixture = None
            continue
        if line.startswith("## "):
            if fixture is not None:
                cases.append((fixture, current))
            fixture = None
            continue
        if fixture is None or not line.startswith("- ") or current is None:
            continue
        item = re.sub(r"\s+\[.*\]$", "", line[2:]).strip()
        if item.startswith("expected: extraction error"):
            current = None
        elif item.startswith("expected: no packages") or item.startswith("must NOT"):
            continue
        else:
            name, _, version = item.rpartition(" ")
            if version == "version)":  # "./fork/net (no version)"
                name, version = item.removesuffix(" (no version)"), ""
            current.append((name, version))
    if fixture is not None:
        cases.append((fixture, current))
    return cases


def all_cases() -> list[tuple[str, str, list[tuple[str, str]] | None]]:
    try:
        return [(area, f, exp) for area in AREAS for f, exp in expected_cases(area)]
    except pytest.skip.Exception:
        return [("missing", "missing", None)]


@pytest.mark.parametrize(("area", "fixture", "expected"), all_cases())
def test_upstream_expected_packages(
    area: str, fixture: str, expected: list[tuple[str, str]] | None
) -> None:
    if area == "missing":
        shared_data("lockfiles", "osv-scalibr")  # skips with a reason (fails in CI)
    path = shared_data("lockfiles", "osv-scalibr", area, "testdata", *fixture.split("/"))
    if expected is None:
        with pytest.raises(InvalidInputError) as caught:
            read_inventory(path, format=AREAS[area])
        assert str(path) in str(caught.value)
        return
    found = Counter((p.name, p.version) for p in read_inventory(path, format=AREAS[area]))
    assert found == Counter(expected)


def test_the_case_reader_found_the_cases() -> None:
    cases = {area: expected_cases(area) for area in AREAS}
    assert all(len(found) >= 2 for found in cases.values()), cases
    assert (
        "replace-local.mod",
        [("./fork/net", ""), ("github.com/BurntSushi/toml", "1.0.0")],
    ) in cases["golang/gomod"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("go.mod", "gomod"),
        ("Cargo.lock", "cargo"),
        ("composer.lock", "composer"),
        ("Gemfile.lock", "gemfile"),
        ("gems.locked", "gemfile"),
        ("pubspec.lock", "pubspec"),
        ("packages.lock.json", "nuget"),
        ("gradle.lockfile", "gradle"),
        ("buildscript-gradle.lockfile", "gradle"),
    ],
)
def test_detected_by_name(name: str, fmt: str) -> None:
    assert detect(Path("/x") / name) == fmt


def test_local_git_and_sdk_sources_are_never_matched() -> None:
    def origins(area: str, fixture: str) -> dict[str, str]:
        path = shared_data("lockfiles", "osv-scalibr", area, "testdata", fixture)
        return {p.name: p.origin for p in read_inventory(path, format=AREAS[area])}

    assert origins("rust/cargolock", "two-packages-with-local.lock") == {
        "addr2line": "registry",
        "local-rust-pkg": "local",
    }
    assert origins("golang/gomod", "replace-local.mod")["./fork/net"] == "local"
    assert origins("ruby/gemfilelock", "has-git-gem.lock")["hanami-utils"] == "git"
    assert origins("ruby/gemfilelock", "has-local-gem.lock")["backbone-on-rails"] == "local"
    pub = origins("dart/pubspec", "source-git.lock")
    assert pub["flutter_rust_bridge"] == "git" and pub["toggle_switch"] == "registry"
    assert origins("dart/pubspec", "source-sdk.lock") == {"flutter_web_plugins": "local"}


# Real OSV records of each new ecosystem (../shared/data/osv/malicious-packages), one per
# ecosystem, matched through a lockfile of that ecosystem that locks the named version.
REAL = [
    ("crates.io/replit_ruspty/MAL-2025-49350.json", "Cargo.lock",
     '[[package]]\nname = "replit_ruspty"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'),
    ("go/github.com/boltdb-go/bolt/MAL-2025-2545.json", "go.mod",
     "module example.com/app\n\ngo 1.22\n\nrequire github.com/boltdb-go/bolt v1.3.1\n"),
    ("packagist/intercom/intercom-php/MAL-2026-3637.json", "composer.lock",
     '{"content-hash": "x", "packages": [{"name": "intercom/intercom-php", "version": "v5.0.2"}]}'),
    ("rubygems/3scale-client/MAL-2024-6270.json", "Gemfile.lock",
     "GEM\n  remote: https://rubygems.org/\n  specs:\n    3scale-client (2.11.0)\n"),
    ("nuget/3rugfbe8rivferiuv/MAL-2026-1882.json", "packages.lock.json",
     '{"version": 1, "dependencies": {"net8.0": {"3RUGFBE8RIVFERIUV": {"type": "Direct", "resolved": "5.1.1"}}}}'),
    ("maven/org.mvnpm:posthog-node/MAL-2025-191470.json", "gradle.lockfile",
     "# Gradle lock\norg.mvnpm:posthog-node:4.18.1=runtimeClasspath\nempty=\n"),
]  # fmt: skip


@pytest.mark.parametrize(("record", "lockfile", "content"), REAL)
def test_real_osv_records_of_the_new_ecosystems_match(
    tmp_path: Path, record: str, lockfile: str, content: str
) -> None:
    source = shared_data("osv", "malicious-packages", "osv", "malicious", *record.split("/"))
    advisory = tmp_path / "osv" / source.name
    advisory.parent.mkdir()
    shutil.copy(source, advisory)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / lockfile).write_text(content)
    report = audit([repo], [advisory.parent])
    assert [f.advisory for f in report.findings] == [source.stem]
    # and through the ossf folder layout, which reads only the locked packages' folders
    checkout = shared_data("osv", "malicious-packages")
    assert source.stem in {f.advisory for f in audit([repo], [checkout]).findings}


def test_renamed_lockfiles_are_recognised_by_structure(tmp_path: Path) -> None:
    scalibr = ("lockfiles", "osv-scalibr")
    copies = {
        "composer-backup.json": (("php", "composerlock", "testdata", "two-packages.json"), "composer"),
        "nuget-backup.json": (("dotnet", "packageslockjson", "testdata", "valid", "packages.lock.json"), "nuget"),
        "cargo-backup.txt": (("rust", "cargolock", "testdata", "two-packages.lock"), "cargo"),
    }  # fmt: skip
    for name, (parts, fmt) in copies.items():
        target = tmp_path / name
        shutil.copy(shared_data(*scalibr, *parts), target)
        assert detect(target) == fmt, name
    # An npm 5 shrinkwrap (no lockfileVersion) has "version" and "dependencies" too: still npm.
    old = tmp_path / "old-shrinkwrap.json"
    old.write_text(
        '{"name": "app", "version": "1.0.0", "dependencies": {"a": {"version": "1.0.0"}}}'
    )
    assert detect(old) == "package-lock"
