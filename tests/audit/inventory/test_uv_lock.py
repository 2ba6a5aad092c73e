"""uv.lock against upstream fixtures and our own."""

from __future__ import annotations

from collections import Counter

import pytest

from irbook.audit.lockfiles.inventory import uv_lock

from .helpers import OWN, assert_invalid, by_name, upstream

AREA = "python/uvlock"

# Transcribed from ../shared/data/lockfiles/osv-scalibr/python/uvlock/EXPECTED.md (with groups);
# no-dependencies.lock and no-packages.lock are not in an upstream table: they hold only the project.
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "empty.lock": [],
    "grouped-packages.lock": [
        ("emoji", "2.14.0", ()),
        ("click", "8.1.7", ("cli",)),
        ("colorama", "0.4.6", ()),
        ("black", "24.10.0", ("dev", "test")),
        ("flake8", "7.1.1", ("test",)),
        ("mccabe", "0.7.0", ()),
        ("mypy-extensions", "1.0.0", ()),
        ("packaging", "24.2", ()),
        ("pathspec", "0.12.1", ()),
        ("platformdirs", "4.3.6", ()),
        ("pycodestyle", "2.12.1", ()),
        ("pyflakes", "3.2.0", ()),
        ("tomli", "2.2.1", ()),
        ("typing-extensions", "4.12.2", ()),
    ],
    "names-outside-package-block.lock": [("first-pkg", "1.0.0", ()), ("second-pkg", "2.0.0", ())],
    "one-package.lock": [("emoji", "2.14.0", ())],
    "source-git.lock": [("ruff", "0.8.1", ())],
    "two-packages.lock": [("emoji", "2.14.0", ()), ("protobuf", "4.25.5", ())],
    "no-dependencies.lock": [],
    "no-packages.lock": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_expected_packages(name: str) -> None:
    packages = uv_lock.parse(upstream(AREA, name))
    assert Counter((p.name, p.version, p.groups) for p in packages) == Counter(EXPECTED[name])


def test_upstream_git_source() -> None:
    (ruff,) = uv_lock.parse(upstream(AREA, "source-git.lock"))
    assert (
        ruff.source
        == "git+https://github.com/astral-sh/ruff#84748be16341b76e073d117329f7f5f4ee2941ad"
    )


def test_upstream_not_toml() -> None:
    assert_invalid(uv_lock.parse, upstream(AREA, "not-toml.txt"), "not valid TOML", line=1)


def test_own_fixture_leaves_out_the_editable_project() -> None:
    packages = by_name(uv_lock.parse(OWN / "python" / "uv.lock"))
    assert set(packages) == {"guardrails-ai", "pytest", "tool"}
    assert packages["pytest"].groups == ("dev",)
    assert packages["tool"].source is not None
    assert packages["tool"].source.endswith("#1111111111111111111111111111111111111111")


def test_package_without_name_points_at_its_table() -> None:
    path = OWN / "malformed" / "uv-no-name" / "uv.lock"
    assert_invalid(uv_lock.parse, path, "package[0].name", line=3)
