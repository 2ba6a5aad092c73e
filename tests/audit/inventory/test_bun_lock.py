"""bun.lock (JSON with trailing commas and comments) against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import bun_lock

from .helpers import OWN, assert_invalid, by_name, pairs, upstream

AREA = "javascript/bunlock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/javascript/bunlock/EXPECTED.md.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "alias.json5": [
        ("has-flag", "4.0.0"),
        ("supports-color", "7.2.0"),
        ("supports-color", "6.1.0"),
        ("has-flag", "3.0.0"),
    ],
    "blog-sample.json5": [("uWebSockets.js", "")],
    "commits.json5": [
        ("@babel/helper-plugin-utils", "7.26.5"),
        ("@babel/helper-string-parser", "7.25.9"),
        ("@babel/helper-validator-identifier", "7.25.9"),
        ("@babel/parser", "7.26.5"),
        ("@babel/types", "7.26.5"),
        ("@prettier/sync", ""),
        ("babel-preset-php", ""),
        ("is-number", ""),
        ("is-number", ""),
        ("is-number", ""),
        ("jquery", "3.7.1"),
        ("lodash", "1.3.1"),
        ("make-synchronized", "0.2.9"),
        ("php-parser", "2.2.0"),
        ("prettier", "3.4.2"),
        ("raven-js", ""),
        ("slick-carousel", ""),
        ("stopwords", "0.0.1"),
    ],
    "empty.json5": [],
    "files.json5": [("etag", ""), ("lodash", "1.3.1")],
    "nested-dependencies-dup.json5": [
        ("ansi-styles", "4.3.0"),
        ("chalk", "4.1.2"),
        ("color-convert", "2.0.1"),
        ("color-name", "1.1.4"),
        ("has-flag", "2.0.0"),
        ("supports-color", "7.2.0"),
        ("has-flag", "4.0.0"),
    ],
    "nested-dependencies.json5": [
        ("ansi-styles", "4.3.0"),
        ("chalk", "4.1.2"),
        ("color-convert", "2.0.1"),
        ("color-name", "1.1.4"),
        ("has-flag", "2.0.0"),
        ("supports-color", "5.5.0"),
        ("supports-color", "7.2.0"),
        ("has-flag", "3.0.0"),
        ("has-flag", "4.0.0"),
    ],
    "no-packages.json5": [],
    "one-package-dev.json5": [("wrappy", "1.0.2")],
    "one-package.json5": [("wrappy", "1.0.2")],
    "optional-package.json5": [("acorn", "8.14.0"), ("fsevents", "0.3.8"), ("nan", "2.22.0")],
    "peer-dependencies-explicit.json5": [("acorn-jsx", "5.3.2"), ("acorn", "8.14.0")],
    "peer-dependencies-implicit.json5": [("acorn-jsx", "5.3.2"), ("acorn", "8.14.0")],
    "same-package-different-groups.json5": [("has-flag", "3.0.0"), ("supports-color", "5.5.0")],
    "scoped-packages-mixed.json5": [
        ("@babel/code-frame", "7.26.2"),
        ("@babel/helper-validator-identifier", "7.25.9"),
        ("js-tokens", "4.0.0"),
        ("picocolors", "1.1.1"),
        ("wrappy", "1.0.2"),
    ],
    "scoped-packages.json5": [("@typescript-eslint/types", "5.62.0")],
    "two-packages.json5": [("has-flag", "4.0.0"), ("wrappy", "1.0.2")],
}

# Upstream also reports wrappy from bad-tuple.json5 next to its errors; irbook raises one error
# naming both bad entries with their lines.


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    assert pairs(bun_lock.parse(upstream(AREA, name))) == Counter(EXPECTED[name])


def test_upstream_bad_tuples_are_all_reported() -> None:
    path = upstream(AREA, "bad-tuple.json5")
    error = assert_invalid(bun_lock.parse, path, "wrappy-bad1", "wrappy-bad2")
    assert [p.line for p in error.problems] == [12, 14]


def test_upstream_not_json() -> None:
    assert_invalid(bun_lock.parse, upstream(AREA, "not-json.txt"), "not valid JSON", line=1)


def test_upstream_git_source_and_empty_version() -> None:
    sample = bun_lock.parse(upstream(AREA, "blog-sample.json5"))
    assert [(p.name, p.version, p.source) for p in sample] == [
        ("uWebSockets.js", "", "github:uNetworking/uWebSockets.js#6609a88")
    ]


def test_comments_trailing_commas_aliases_and_workspaces() -> None:
    packages = by_name(bun_lock.parse(OWN / "bun" / "bun.lock"))
    assert {n: p.version for n, p in packages.items()} == {
        "@acme/ui": "2.1.0",  # from its workspaces entry
        "@tanstack/react-router": "1.169.5",
        "chalk": "5.6.1",  # under the alias chalk-old
        "tiny-invariant": "1.3.3",
        "weird": "1.0.0",  # "," and "//" inside a string are left alone
        "@tanstack/setup": "",
    }
    assert packages["@acme/ui"].source == "workspace:packages/ui"
    assert packages["@tanstack/setup"].source == "github:tanstack/router#79ac49e"


def test_to_json_keeps_positions() -> None:
    text = '{\n  // c\n  "a": [1, 2,],\n}'
    converted = bun_lock.to_json(text)
    assert len(converted) == len(text)
    assert converted.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("fixture", "fragments", "line"),
    [("bun-v9", ("unsupported lockfileVersion 9",), 2), ("bun-truncated", ("not valid JSON",), 9)],
)
def test_malformed(fixture: str, fragments: tuple[str, ...], line: int) -> None:
    assert_invalid(bun_lock.parse, OWN / "malformed" / fixture / "bun.lock", *fragments, line=line)


def test_binary_lockb_points_to_the_text_lockfile(tmp_path: Path) -> None:
    path = tmp_path / "bun.lockb"
    path.write_bytes(b"#!/usr/bin/env bun\n\x00bun-lockfile-format-v0")
    error = assert_invalid(bun_lock.parse, path, "binary lockfile")
    assert error.hint is not None and "--save-text-lockfile" in error.hint
