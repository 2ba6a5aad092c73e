"""yarn.lock classic (v1) and berry (v2+) against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import yarn_lock

from .helpers import OWN, assert_invalid, by_name, pairs, upstream

AREA = "javascript/yarnlock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/javascript/yarnlock/EXPECTED.md.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "commits.v1.lock": [
        ("mine1", "1.0.0-alpha.37"),
        ("mine2", "0.0.1"),
        ("mine3", "1.2.3"),
        ("mine4", "0.0.2"),
        ("mine4", "0.0.4"),
        ("my-package", "1.8.3"),
        ("@bower_components/angular-animate", "1.4.14"),
        ("@bower_components/alertify", "0.0.0"),
        ("minimist", "0.0.8"),
        ("bats-assert", "2.0.0"),
        ("bats-support", "0.3.0"),
        ("bats", "1.5.0"),
        ("vue", "2.6.12"),
        ("kit", "1.0.0"),
        ("casadistance", "1.0.0"),
        ("babel-preset-php", "1.1.1"),
        ("is-number", "2.0.0"),
        ("is-number", "5.0.0"),
    ],
    "commits.v2.lock": [
        ("@my-scope/my-first-package", "0.0.6"),
        ("my-second-package", "0.2.2"),
        ("@typegoose/typegoose", "7.2.0"),
        ("vuejs", "2.5.0"),
        ("my-third-package", "0.16.1-dev"),
        ("my-node-sdk", "1.1.0"),
        ("is-really-great", "1.0.0"),
    ],
    "empty.v1.lock": [],
    "empty.v2.lock": [],
    "exclude-root.v2.lock": [("@ws/ansi-regex", "0.0.0-use.local"), ("ansi-regex", "6.1.0")],
    "files.v1.lock": [
        ("etag", "1.8.1"),
        ("filedep", "1.2.0"),
        ("lodash", "1.3.1"),
        ("other_package", "0.0.2"),
        ("sprintf-js", "0.0.0"),
        ("etag", "1.8.0"),
    ],
    "files.v2.lock": [("my-package", "0.0.2")],
    "multiple-constraints.v1.lock": [("@babel/code-frame", "7.12.13"), ("domelementtype", "1.3.1")],
    "multiple-versions.v1.lock": [
        ("define-properties", "1.1.3"),
        ("define-property", "0.2.5"),
        ("define-property", "1.0.0"),
        ("define-property", "2.0.2"),
    ],
    "multiple-versions.v2.lock": [("debug", "4.3.3"), ("debug", "2.6.9"), ("debug", "3.2.7")],
    "no-version.v1.lock": [("balanced-match", "1.0.2")],
    "one-package.v1.lock": [("balanced-match", "1.0.2")],
    "one-package.v2.lock": [("balanced-match", "1.0.2")],
    "scoped-packages.v1.lock": [("@babel/code-frame", "7.12.11"), ("@babel/compat-data", "7.14.0")],
    "scoped-packages.v2.lock": [
        ("@babel/cli", "7.16.8"),
        ("@babel/code-frame", "7.16.7"),
        ("@babel/compat-data", "7.16.8"),
    ],
    "two-packages.v1.lock": [("concat-stream", "1.6.2"), ("concat-map", "0.0.1")],
    "two-packages.v2.lock": [("compare-func", "2.0.0"), ("concat-map", "0.0.1")],
    "with-aliases.v1.lock": [
        ("@babel/helper-validator-identifier", "7.22.20"),
        ("ansi-regex", "6.0.1"),
        ("ansi-regex", "5.0.1"),
    ],
    "with-aliases.v2.lock": [
        ("@babel/helper-validator-identifier", "7.22.20"),
        ("ansi-regex", "6.0.1"),
        ("ansi-regex", "5.0.1"),
    ],
    "with-build-string.v1.lock": [("domino", "2.1.6+git"), ("tslib", "2.6.2")],
    "with-build-string.v2.lock": [("domino", "2.1.6+git"), ("tslib", "2.6.2")],
    "with-prerelease.v1.lock": [
        ("css-tree", "1.0.0-alpha.37"),
        ("gensync", "1.0.0-beta.2"),
        ("node-fetch", "3.0.0-beta.9"),
        ("resolve", "1.20.0"),
        ("resolve", "2.0.0-next.3"),
    ],
    "with-prerelease.v2.lock": [
        ("@nicolo-ribaudo/chokidar-2", "2.1.8-no-fsevents.3"),
        ("gensync", "1.0.0-beta.2"),
    ],
    "with-quotes.v1.lock": [("concat-stream", "1.6.2"), ("concat-map", "0.0.1")],
    "with-quotes.v2.lock": [("compare-func", "2.0.0"), ("concat-map", "0.0.1")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    assert pairs(yarn_lock.parse(upstream(AREA, name))) == Counter(EXPECTED[name])


def test_upstream_metadata_only_berry_file_has_no_packages() -> None:
    assert yarn_lock.parse(upstream(AREA, "metadata-only.v2.lock")) == []


def test_upstream_sources() -> None:
    classic = by_name(yarn_lock.parse(upstream(AREA, "files.v1.lock")))
    assert classic["filedep"].source == "file:../../correct/path/filedep"
    assert classic["lodash"].source is None
    berry = by_name(yarn_lock.parse(upstream(AREA, "exclude-root.v2.lock")))
    assert berry["@ws/ansi-regex"].source == "workspace:ansi-regex"
    assert berry["ansi-regex"].source is None


def test_classic_alias_scope_git_and_link() -> None:
    packages = by_name(yarn_lock.parse(OWN / "yarn" / "classic" / "yarn.lock"))
    assert set(packages) == {
        "@tanstack/history",
        "axios",
        "plain-crypto-js",
        "@tanstack/setup",
        "shared",
    }
    assert packages["axios"].version == "0.30.4"  # axios-legacy@npm:axios@0.30.4
    assert packages["@tanstack/history"].source is None
    assert packages["@tanstack/setup"].source == (
        "https://codeload.github.com/tanstack/router/tar.gz/79ac49eedf774dd4b0cfa308722bc463cfe5885c"
    )
    assert packages["shared"].source == "link:./packages/shared"


def test_berry_alias_workspaces_and_git() -> None:
    packages = by_name(yarn_lock.parse(OWN / "yarn" / "berry" / "yarn.lock"))
    assert set(packages) == {
        "@tanstack/react-router",
        "nx",
        "@acme/ui",
        "is-number",
    }  # root left out
    assert packages["nx"].version == "21.5.0"  # old-nx@npm:nx@21.5.0
    assert packages["@acme/ui"].source == "workspace:packages/ui"
    assert packages["is-number"].source is not None
    assert packages["is-number"].source.endswith("98e8ff1da1a89f93d1397a24d7413ed15421c139")


def test_garbage_line_is_reported_with_its_line() -> None:
    path = OWN / "malformed" / "yarn-garbage" / "yarn.lock"
    assert_invalid(yarn_lock.parse, path, "not a yarn.lock entry", line=5)


def test_binary_yarn_lock_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "yarn.lock"
    path.write_bytes(b"# yarn lockfile v1\n\x00\x01\x02")
    assert_invalid(yarn_lock.parse, path, "binary")


def test_berry_entry_without_resolution(tmp_path: Path) -> None:
    path = tmp_path / "yarn.lock"
    path.write_text('__metadata:\n  version: 8\n\n"a@npm:1.0.0":\n  version: 1.0.0\n')
    assert_invalid(yarn_lock.parse, path, "resolution", line=4)
