"""poetry.lock against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter

import pytest

from irbook.audit.lockfiles.inventory import poetry_lock

from .helpers import OWN, assert_invalid, by_name, pairs, upstream

AREA = "python/poetrylock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/python/poetrylock/EXPECTED.md (with groups).
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "empty-file.lock": [],
    "empty.lock": [],
    "multiple-packages.v2.lock": [
        ("async-timeout", "5.0.1", ("optional",)),
        ("factory-boy", "3.3.1", ("dev",)),
        ("faker", "33.3.0", ("dev", "test")),
        ("proto-plus", "1.22.0", ()),
        ("proto-plus", "1.23.0", ()),
        ("protobuf", "4.25.5", ()),
        ("python-dateutil", "2.9.0.post0", ("dev", "test")),
        ("six", "1.17.0", ()),
        ("typing-extensions", "4.12.2", ("dev", "test")),
        ("urllib3", "2.3.0", ("dev",)),
        ("redis", "5.2.1", ("optional",)),
    ],
    "names-outside-package-block.lock": [("first-pkg", "1.0.0", ()), ("second-pkg", "2.0.0", ())],
    "one-package-with-metadata.lock": [("emoji", "2.0.0", ())],
    "one-package.lock": [("numpy", "1.23.3", ())],
    "optional-package.lock": [("numpy", "1.23.3", ("optional",))],
    "source-git.lock": [("ike", "0.2.0", ())],
    "source-legacy.lock": [("appdirs", "1.4.4", ())],
    "two-packages.lock": [("proto-plus", "1.22.0", ()), ("protobuf", "4.21.5", ())],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    packages = poetry_lock.parse(upstream(AREA, name))
    assert Counter((p.name, p.version, p.groups) for p in packages) == Counter(EXPECTED[name])


def test_upstream_git_source_records_the_commit() -> None:
    (ike,) = poetry_lock.parse(upstream(AREA, "source-git.lock"))
    assert ike.source == "git+https://github.com/dzshn/ike#cd66602cd29f61a2d2e7fb995fef1e61708c034d"
    (appdirs,) = poetry_lock.parse(upstream(AREA, "source-legacy.lock"))
    assert appdirs.source is None  # a private index is still an index


def test_upstream_not_toml() -> None:
    assert_invalid(poetry_lock.parse, upstream(AREA, "not-toml.txt"), "not valid TOML", line=1)


def test_own_fixture_names_as_written() -> None:
    packages = by_name(poetry_lock.parse(OWN / "python" / "poetry.lock"))
    assert pairs(list(packages.values())) == Counter(
        [
            ("mistralai", "2.4.6"),
            ("Guardrails_AI", "0.10.1"),
            ("pytest", "8.2.0"),
            ("tool", "0.3.0"),
        ]
    )
    assert packages["pytest"].groups == ("dev",)
    assert packages["tool"].source == (
        "git+https://github.com/acme/tool.git#1111111111111111111111111111111111111111"
    )


def test_syntax_error_has_its_position() -> None:
    path = OWN / "malformed" / "poetry-syntax" / "poetry.lock"
    assert_invalid(poetry_lock.parse, path, "not valid TOML", line=3)
