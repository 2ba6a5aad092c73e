"""pnpm-lock.yaml v5, v6 and v9 against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import pnpm_lock

from .helpers import OWN, assert_invalid, by_name, pairs, upstream

AREA = "javascript/pnpmlock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/javascript/pnpmlock/EXPECTED.md.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "commits.v9.yaml": [("ansi-regex", "6.0.1"), ("is-number", "7.0.0")],
    "commits.yaml": [
        ("my-bitbucket-package", "1.0.0"),
        ("@my-scope/my-package", "1.0.0"),
        ("@my-scope/my-other-package", "1.0.0"),
        ("faker-parser", "0.0.1"),
        ("mocks", "20.0.1"),
    ],
    "empty.yaml": [],
    "exotic.yaml": [
        ("foo", "1.0.0"),
        ("@foo/bar", "1.0.0"),
        ("foo", "1.1.0"),
        ("@foo/bar", "1.1.0"),
        ("foo", "1.2.0"),
        ("foo", "1.3.0"),
        ("foo", "1.4.0"),
    ],
    "files.yaml": [
        ("my-file-package", "0.0.0"),
        ("a-local-package", "1.0.0"),
        ("a-nested-local-package", "1.0.0"),
        ("one-up", "1.0.0"),
        ("one-up-with-peer", "1.0.0"),
    ],
    "missing-packages.yaml": [],
    "mixed-groups.v9.yaml": [("ansi-regex", "5.0.1"), ("uuid", "8.3.2"), ("is-number", "7.0.0")],
    "multiple-packages.yaml": [
        ("aws-sdk", "2.1087.0"),
        ("base64-js", "1.5.1"),
        ("buffer", "4.9.2"),
        ("events", "1.1.1"),
        ("ieee754", "1.1.13"),
        ("isarray", "1.0.0"),
        ("jmespath", "0.16.0"),
        ("punycode", "1.3.2"),
        ("querystring", "0.2.0"),
        ("sax", "1.2.1"),
        ("url", "0.10.3"),
        ("uuid", "3.3.2"),
        ("xml2js", "0.4.19"),
        ("xmlbuilder", "9.0.7"),
    ],
    "multiple-versions.v9.yaml": [("uuid", "8.0.0"), ("uuid", "8.3.2"), ("xmlbuilder", "11.0.1")],
    "multiple-versions.yaml": [("uuid", "3.3.2"), ("uuid", "8.3.2"), ("xmlbuilder", "9.0.7")],
    "no-packages.v9.yaml": [],
    "no-packages.yaml": [],
    "one-package-dev.v9.yaml": [("acorn", "8.11.3")],
    "one-package-dev.yaml": [("acorn", "8.7.0")],
    "one-package-v6-lockfile.yaml": [("acorn", "8.7.0")],
    "one-package.v9.yaml": [("acorn", "8.11.3")],
    "one-package.yaml": [("acorn", "8.7.0")],
    "peer-dependencies-advanced-rc-v6.yaml": [
        ("js-tokens", "4.0.0"),
        ("loose-envify", "1.4.0"),
        ("react-dom", "18.0.0-rc.3"),
        ("react", "18.2.0"),
        ("scheduler", "0.21.0"),
    ],
    "peer-dependencies-advanced-v6.yaml": [
        ("js-tokens", "4.0.0"),
        ("loose-envify", "1.4.0"),
        ("react-dom", "18.3.0-canary-ab31a9ed2-20230824"),
        ("react", "18.3.0-canary-ab31a9ed2-20230824"),
        ("scheduler", "0.24.0-canary-ab31a9ed2-20230824"),
    ],
    "peer-dependencies-advanced.v9.yaml": [
        ("@eslint-community/eslint-utils", "4.4.0"),
        ("@eslint/eslintrc", "2.1.4"),
        ("@typescript-eslint/eslint-plugin", "5.62.0"),
        ("@typescript-eslint/parser", "5.62.0"),
        ("@typescript-eslint/type-utils", "5.62.0"),
        ("@typescript-eslint/typescript-estree", "5.62.0"),
        ("@typescript-eslint/utils", "5.62.0"),
        ("debug", "4.3.4"),
        ("eslint", "8.57.0"),
        ("has-flag", "4.0.0"),
        ("supports-color", "7.2.0"),
        ("tsutils", "3.21.0"),
        ("typescript", "4.9.5"),
    ],
    "peer-dependencies-advanced.yaml": [
        ("@typescript-eslint/eslint-plugin", "5.13.0"),
        ("@typescript-eslint/parser", "5.13.0"),
        ("@typescript-eslint/type-utils", "5.13.0"),
        ("@typescript-eslint/types", "5.13.0"),
        ("@typescript-eslint/typescript-estree", "5.13.0"),
        ("@typescript-eslint/utils", "5.13.0"),
        ("eslint-utils", "3.0.0"),
        ("eslint", "8.10.0"),
        ("tsutils", "3.21.0"),
    ],
    "peer-dependencies-v6.yaml": [
        ("js-tokens", "4.0.0"),
        ("loose-envify", "1.4.0"),
        ("react-dom", "18.2.0"),
        ("react", "18.2.0"),
        ("scheduler", "0.23.0"),
    ],
    "peer-dependencies.v9.yaml": [("acorn-jsx", "5.3.2"), ("acorn", "8.11.3")],
    "peer-dependencies.yaml": [("acorn-jsx", "5.3.2"), ("acorn", "8.7.0")],
    "scoped-packages-v6-lockfile.yaml": [("@typescript-eslint/types", "5.57.1")],
    "scoped-packages.v9.yaml": [("@typescript-eslint/types", "5.62.0")],
    "scoped-packages.yaml": [("@typescript-eslint/types", "5.13.0")],
    "tarball.yaml": [("@my-org/my-package", "3.2.3")],
}

# Upstream also reports acorn from invalid-path(s).yaml next to its error; irbook raises one error
# that lists every invalid path with its line (a lockfile it cannot fully read is not audited
# silently in part).
INVALID = {
    "invalid-path.yaml": ["invalid dependency path: invalidpath"],
    "invalid-paths.yaml": [
        "invalid dependency path: invalidpath1",
        "invalid dependency path: invalidpath2",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    assert pairs(pnpm_lock.parse(upstream(AREA, name))) == Counter(EXPECTED[name])


@pytest.mark.parametrize(
    "name", ["mixed-groups.v53.yaml", "mixed-groups.v54.yaml", "mixed-groups.v6.yaml"]
)
def test_upstream_groups_of_v5_and_v6(name: str) -> None:
    groups = {p.name: p.groups for p in pnpm_lock.parse(upstream(AREA, name))}
    assert groups == {"ansi-regex": (), "is-number": ("dev",), "uuid": ("optional",)}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_upstream_invalid_paths_are_all_reported(name: str) -> None:
    error = assert_invalid(pnpm_lock.parse, upstream(AREA, name), *INVALID[name])
    assert len(error.problems) == len(INVALID[name])
    assert all(problem.line > 1 for problem in error.problems)


def test_upstream_not_yaml_is_a_clear_error() -> None:
    assert_invalid(pnpm_lock.parse, upstream(AREA, "not-yaml.txt"), "must be a mapping")


def test_upstream_commit_sources() -> None:
    packages = by_name(pnpm_lock.parse(upstream(AREA, "commits.yaml")))
    assert packages["@my-scope/my-package"].source == (
        "git+ssh://git@github.com/my-org/my-package.git#267087851ad5fac92a184749c27cd539e2fc862e"
    )
    tarball = by_name(pnpm_lock.parse(upstream(AREA, "tarball.yaml")))["@my-org/my-package"]
    assert tarball.source is None  # a private registry tarball (…/-/name-3.2.3.tgz) is a registry
    assert tarball.groups == ("dev",)


def test_v9_alias_scope_and_git_tarball() -> None:
    packages = by_name(pnpm_lock.parse(OWN / "pnpm" / "pnpm-lock.yaml"))
    assert {n: p.version for n, p in packages.items()} == {
        "@tanstack/router-core": "1.169.5",
        "debug": "4.4.2",  # aliased as debug-compat; packages lists the real name
        "@tanstack/setup": "0.0.1",
        "react-dom": "18.2.0",
    }
    assert packages["@tanstack/setup"].source is not None
    assert "79ac49eedf774dd4b0cfa308722bc463cfe5885c" in packages["@tanstack/setup"].source


def test_v5_peer_suffix_and_groups() -> None:
    packages = by_name(pnpm_lock.parse(OWN / "pnpm" / "v5.yaml"))
    assert {n: (p.version, p.groups) for n, p in packages.items()} == {
        "@ctrl/tinycolor": ("4.1.2", ()),
        "nx": ("20.9.0", ("dev",)),
        "fsevents": ("2.3.3", ("optional",)),
    }


def test_v6_scoped_with_peers() -> None:
    packages = by_name(pnpm_lock.parse(OWN / "pnpm" / "v6.yaml"))
    assert packages["@nx/devkit"].version == "21.6.0"
    assert packages["chalk"].version == "5.6.1"


@pytest.mark.parametrize(
    ("fixture", "fragments", "line"),
    [
        ("pnpm-v4", ("unsupported lockfileVersion '4.0'",), 1),
        ("pnpm-syntax", ("YAML syntax error",), 4),
    ],
)
def test_malformed(fixture: str, fragments: tuple[str, ...], line: int) -> None:
    path = OWN / "malformed" / fixture / "pnpm-lock.yaml"
    assert_invalid(pnpm_lock.parse, path, *fragments, line=line)


def test_missing_lockfile_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text("packages:\n  /a/1.0.0: {}\n")
    assert_invalid(pnpm_lock.parse, path, "unsupported lockfileVersion None")
