"""package-lock.json / npm-shrinkwrap.json v1, v2, v3 against upstream fixtures and our own."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import find_inventories, package_lock, read_inventory

from .helpers import OWN, assert_invalid, by_name, pairs, upstream

AREA = "javascript/packagelockjson"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/javascript/packagelockjson/EXPECTED.md.
# Left out: both/package-lock.json (upstream reports nothing because an npm-shrinkwrap.json sits
# beside it; irbook reads the file it is given and skips it in directory walks instead, see below).
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "alias.v1.json": [
        ("@babel/code-frame", "7.0.0"),
        ("string-width", "4.2.0"),
        ("string-width", "5.1.2"),
    ],
    "alias.v2.json": [
        ("@babel/code-frame", "7.0.0"),
        ("string-width", "4.2.0"),
        ("string-width", "5.1.2"),
    ],
    "both/npm-shrinkwrap.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
    "bundled-dependencies.v3.json": [
        ("ansi-regex", "6.2.2"),
        ("semver", "7.7.2"),
        ("strip-ansi", "7.1.2"),
    ],
    "commits.v1.json": [
        ("@segment/analytics.js-integration-facebook-pixel", ""),
        ("ansi-styles", "1.0.0"),
        ("babel-preset-php", ""),
        ("is-number-1", ""),
        ("is-number-1", ""),
        ("is-number-2", ""),
        ("is-number-2", ""),
        ("is-number-3", ""),
        ("is-number-3", ""),
        ("is-number-4", ""),
        ("is-number-5", ""),
        ("is-number-6", ""),
        ("postcss-calc", "7.0.1"),
        ("raven-js", ""),
        ("slick-carousel", ""),
    ],
    "commits.v2.json": [
        ("@segment/analytics.js-integration-facebook-pixel", "2.4.1"),
        ("ansi-styles", "1.0.0"),
        ("babel-preset-php", "1.1.1"),
        ("is-number-1", "3.0.0"),
        ("is-number-1", "3.0.0"),
        ("is-number-2", "2.0.0"),
        ("is-number-2", "2.0.0"),
        ("is-number-3", "2.0.0"),
        ("is-number-3", "3.0.0"),
        ("is-number-4", "3.0.0"),
        ("is-number-5", "3.0.0"),
        ("postcss-calc", "7.0.1"),
        ("raven-js", ""),
        ("slick-carousel", "1.7.1"),
    ],
    "empty.v1.json": [],
    "empty.v2.json": [],
    "files.v1.json": [("lodash", "1.3.1"), ("other_package", "")],
    "files.v2.json": [("etag", "1.8.0"), ("abbrev", "1.0.9"), ("abbrev", "2.3.4")],
    "nested-dependencies-dup.v1.json": [
        ("supports-color", "2.0.0"),
        ("postcss-normalize-display-values", "4.0.2"),
        ("postcss-normalize-timing-functions", "4.0.2"),
        ("postcss-normalize-string", "4.0.2"),
        ("postcss-normalize-whitespace", "4.0.2"),
        ("supports-color", "6.1.0"),
        ("cssnano-preset-default", "4.0.7"),
        ("postcss-merge-longhand", "4.0.11"),
        ("postcss-discard-overridden", "4.0.1"),
        ("postcss-reduce-transforms", "4.0.2"),
        ("postcss-svgo", "4.0.2"),
        ("postcss-ordered-values", "4.1.2"),
        ("postcss-minify-selectors", "4.0.2"),
        ("babel-code-frame", "6.26.0"),
        ("css-declaration-sorter", "4.0.1"),
        ("postcss-normalize-url", "4.0.1"),
        ("postcss-minify-params", "4.0.2"),
        ("supports-color", "5.5.0"),
        ("postcss-colormin", "4.0.3"),
        ("autoprefixer", "9.5.1"),
        ("postcss-normalize-charset", "4.0.1"),
        ("postcss-unique-selectors", "4.0.1"),
        ("postcss-reduce-initial", "4.0.3"),
        ("postcss-normalize-positions", "4.0.2"),
        ("postcss-discard-duplicates", "4.0.2"),
        ("postcss-loader", "3.0.0"),
        ("cssnano", "4.1.10"),
        ("postcss-discard-empty", "4.0.1"),
        ("postcss-normalize-repeat-style", "4.0.2"),
        ("postcss-convert-values", "4.0.1"),
        ("friendly-errors-webpack-plugin", "1.7.0"),
        ("@vue/component-compiler-utils", "2.6.0"),
        ("postcss-merge-rules", "4.0.3"),
        ("postcss-normalize-unicode", "4.0.1"),
        ("postcss-minify-font-values", "4.0.2"),
        ("postcss-minify-gradients", "4.0.2"),
        ("cssnano-util-raw-cache", "4.0.1"),
        ("postcss-calc", "7.0.1"),
        ("postcss-discard-comments", "4.0.2"),
    ],
    "nested-dependencies-dup.v2.json": [("supports-color", "6.1.0"), ("supports-color", "2.0.0")],
    "nested-dependencies.v1.json": [
        ("postcss", "6.0.23"),
        ("postcss", "7.0.16"),
        ("postcss-calc", "7.0.1"),
        ("supports-color", "6.1.0"),
        ("supports-color", "5.5.0"),
    ],
    "nested-dependencies.v2.json": [
        ("postcss", "6.0.23"),
        ("postcss", "7.0.16"),
        ("postcss-calc", "7.0.1"),
        ("supports-color", "6.1.0"),
        ("supports-color", "5.5.0"),
    ],
    "npm-shrinkwrap-only/npm-shrinkwrap.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
    "one-package-dev.v1.json": [("wrappy", "1.0.2")],
    "one-package-dev.v2.json": [("wrappy", "1.0.2")],
    "one-package.v1.json": [("wrappy", "1.0.2")],
    "one-package.v2.json": [("wrappy", "1.0.2")],
    "optional-package.v1.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
    "optional-package.v2.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
    "package-lock-only/package-lock.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
    "same-package-different-groups.v1.json": [
        ("eslint", "1.2.3"),
        ("table", "1.0.0"),
        ("ajv", "5.5.2"),
    ],
    "same-package-different-groups.v2.json": [
        ("eslint", "1.2.3"),
        ("table", "1.0.0"),
        ("ajv", "5.5.2"),
    ],
    "scoped-packages.v1.json": [("wrappy", "1.0.2"), ("@babel/code-frame", "7.0.0")],
    "scoped-packages.v2.json": [("wrappy", "1.0.2"), ("@babel/code-frame", "7.0.0")],
    "two-packages.v1.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
    "two-packages.v2.json": [("wrappy", "1.0.2"), ("supports-color", "5.5.0")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    packages = package_lock.parse(upstream(AREA, name))
    assert pairs(packages) == Counter(EXPECTED[name])
    assert all(p.ecosystem == "npm" for p in packages)


def test_upstream_not_json_is_a_clear_error() -> None:
    path = upstream(AREA, "not-json.txt")
    assert_invalid(package_lock.parse, path, "not valid JSON", line=1)


def test_shrinkwrap_wins_over_package_lock_in_a_walk() -> None:
    both = upstream(AREA, "both/package-lock.json").parent
    assert [p.name for p in find_inventories([both])] == ["npm-shrinkwrap.json"]
    # Named explicitly, the package-lock.json is still read.
    assert pairs(read_inventory(both / "package-lock.json"))


def test_upstream_git_dependencies_record_their_commit() -> None:
    packages = package_lock.parse(upstream(AREA, "commits.v2.json"))
    pixel = by_name(packages)["@segment/analytics.js-integration-facebook-pixel"]
    assert pixel.source is not None
    assert pixel.source.endswith("#3b1bb80b302c2e552685dc8a029797ec832ea7c9")
    assert by_name(packages)["ansi-styles"].source is None


def test_upstream_groups() -> None:
    packages = by_name(package_lock.parse(upstream(AREA, "bundled-dependencies.v3.json")))
    assert packages["semver"].groups == ("bundled", "dev")
    assert packages["strip-ansi"].groups == ()
    optional = by_name(package_lock.parse(upstream(AREA, "optional-package.v2.json")))
    assert optional["supports-color"].groups == ("dev", "optional")


def test_same_package_in_several_places_is_listed_once_as_production() -> None:
    packages = package_lock.parse(upstream(AREA, "same-package-different-groups.v2.json"))
    ajv = [p for p in packages if p.name == "ajv"]
    assert len(ajv) == 1
    assert ajv[0].groups == ()


# --- our own fixtures ----------------------------------------------------------------------------


def test_v3_aliases_scopes_git_tarball_and_workspace() -> None:
    path = OWN / "npm" / "package-lock.json"
    packages = package_lock.parse(path)
    found = {(p.name, p.version): p for p in packages}
    assert set(found) == {
        ("@tanstack/react-router", "1.169.5"),
        ("@tanstack/setup", "0.0.1"),
        ("strip-ansi", "6.0.1"),  # the alias strip-ansi-cjs, under its real name
        ("strip-ansi", "7.1.0"),  # installed twice, listed once
        ("left-pad", "1.3.0"),
        ("@acme/ui", "0.1.0"),  # the workspace, from its own entry (the link entry is skipped)
    }
    setup = found[("@tanstack/setup", "0.0.1")]
    assert setup.source == (
        "git+ssh://git@github.com/tanstack/router.git#79ac49eedf774dd4b0cfa308722bc463cfe5885c"
    )
    assert setup.groups == ("optional",)
    assert (
        found[("left-pad", "1.3.0")].source == "https://cdn.example.com/tarballs/left-pad-1.3.0.tgz"
    )
    assert found[("left-pad", "1.3.0")].groups == ("dev", "optional")
    assert found[("@acme/ui", "0.1.0")].source == "file:packages/ui"
    assert found[("strip-ansi", "7.1.0")].groups == ()  # one copy is a production dependency
    assert {p.file for p in packages} == {str(path)}


def test_v1_nested_alias_and_file_dependency() -> None:
    packages = by_name(package_lock.parse(OWN / "npm" / "v1" / "npm-shrinkwrap.json"))
    assert packages["debug"].version == "4.4.2"  # npm:debug@4.4.2 under the alias debug-compat
    assert packages["debug"].groups == ("dev",)
    assert packages["ms"].version == "2.1.3"  # nested under debug-compat
    assert packages["@ctrl/tinycolor"].version == "4.1.1"
    assert (packages["local-helper"].version, packages["local-helper"].source) == (
        "",
        "file:../helper",
    )


@pytest.mark.parametrize(
    ("fixture", "fragments", "line"),
    [
        ("truncated", ("not valid JSON", "truncated"), 14),
        ("v4", ("unsupported lockfileVersion 4", "1, 2 and 3"), 4),
        ("binary", ("binary",), 1),
        ("empty", ("empty",), 1),
        ("null", ("must be a JSON object, found null",), 1),
    ],
)
def test_malformed_lockfiles_are_clear_errors(
    fixture: str, fragments: tuple[str, ...], line: int
) -> None:
    path = OWN / "malformed" / fixture / "package-lock.json"
    assert_invalid(package_lock.parse, path, *fragments, line=line)


def test_lockfile_version_given_as_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "package-lock.json"
    path.write_text('{"lockfileVersion": "3", "packages": {}}')
    assert_invalid(package_lock.parse, path, "unsupported lockfileVersion '3'")


def test_five_thousand_packages_are_all_read(tmp_path: Path) -> None:
    """Large files work and every entry survives (speed is measured in bench/, not here)."""
    entries = {
        f"node_modules/pkg-{i}": {
            "version": f"1.0.{i}",
            "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.{i}.tgz",
        }
        for i in range(5000)
    }
    path = tmp_path / "package-lock.json"
    path.write_text(json.dumps({"lockfileVersion": 3, "packages": {"": {}, **entries}}))
    packages = package_lock.parse(path)
    assert len(packages) == 5000
    assert packages[4999].name == "pkg-4999"
    assert packages[4999].version == "1.0.4999"
