"""detect, read_inventory dispatch and find_inventories (directory walk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import detect, find_inventories, read_inventory
from irbook.errors import InvalidInputError

from .helpers import OWN, upstream


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("package-lock.json", "package-lock"),
        ("npm-shrinkwrap.json", "package-lock"),
        ("yarn.lock", "yarn"),
        ("pnpm-lock.yaml", "pnpm"),
        ("bun.lock", "bun"),
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("dev-requirements.txt", "requirements"),
        ("poetry.lock", "poetry"),
        ("Pipfile.lock", "pipfile"),
        ("uv.lock", "uv"),
        ("pdm.lock", "pdm"),
        ("pylock.toml", "pylock"),
        ("pylock.dev.toml", "pylock"),
        ("app.cdx.json", "cyclonedx"),
        ("bom.json", "cyclonedx"),
        ("app.spdx.json", "spdx"),
        ("package.json", None),
        ("README.md", None),
    ],
)
def test_detect_by_name(tmp_path: Path, name: str, fmt: str | None) -> None:
    assert detect(tmp_path / name) == fmt  # the file need not exist


@pytest.mark.parametrize(
    ("area", "name", "fmt"),
    [
        ("javascript/packagelockjson", "one-package.v2.json", "package-lock"),
        ("javascript/yarnlock", "one-package.v1.lock", "yarn"),
        ("javascript/yarnlock", "one-package.v2.lock", "yarn"),
        ("javascript/pnpmlock", "one-package.v9.yaml", "pnpm"),
        ("javascript/bunlock", "one-package.json5", "bun"),
        ("python/poetrylock", "one-package.lock", "poetry"),
        ("python/uvlock", "one-package.lock", "uv"),
        ("python/pdmlock", "single-package.toml", "pdm"),
        ("python/pylock", "example.toml", "pylock"),
        ("python/pipfilelock", "one-package.json", "pipfile"),
        ("javascript/bunlock", "not-json.txt", None),
    ],
)
def test_detect_by_content(area: str, name: str, fmt: str | None) -> None:
    assert detect(upstream(area, name)) == fmt


def test_read_inventory_dispatches_by_content() -> None:
    packages = read_inventory(upstream("python/poetrylock", "two-packages.lock"))
    assert {(p.ecosystem, p.name) for p in packages} == {
        ("PyPI", "proto-plus"),
        ("PyPI", "protobuf"),
    }


def test_read_inventory_with_an_explicit_format() -> None:
    path = OWN / "python" / "missing-include.txt"
    with pytest.raises(InvalidInputError, match=r"does-not-exist\.txt"):
        read_inventory(path, format="requirements")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nope.lock", "not found"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("hello"))[0], "not a lockfile"),
    ],
)
def test_read_inventory_unknown_inputs(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]  # the lambdas above
    with pytest.raises(InvalidInputError, match=message) as caught:
        read_inventory(path)
    assert caught.value.hint is not None and "package-lock.json" in caught.value.hint


def _tree(root: Path) -> None:
    files = {
        "app/package-lock.json": "{}",
        "app/node_modules/dep/package-lock.json": "{}",
        "app/node_modules/dep/yarn.lock": "",
        "app/.git/yarn.lock": "",
        "app/package.json": "{}",
        "shrink/package-lock.json": "{}",
        "shrink/npm-shrinkwrap.json": "{}",
        "py/requirements-dev.txt": "",
        "py/requirements/base.txt": "",
        "py/poetry.lock": "",
        "py/notes.txt": "",
        "sbom/app.cdx.json": "{}",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_walk_skips_node_modules_git_and_shadowed_package_lock(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = [p.relative_to(tmp_path).as_posix() for p in find_inventories([tmp_path])]
    assert found == [
        "app/package-lock.json",
        "py/poetry.lock",
        "py/requirements-dev.txt",
        "py/requirements/base.txt",
        "sbom/app.cdx.json",
        "shrink/npm-shrinkwrap.json",
    ]


def test_explicit_files_are_kept_and_duplicates_dropped(tmp_path: Path) -> None:
    _tree(tmp_path)
    notes = tmp_path / "py" / "notes.txt"
    found = list(find_inventories([notes, tmp_path / "py", tmp_path / "py" / "poetry.lock"]))
    assert found[0] == notes  # named explicitly: reading it will say what is wrong
    assert len(found) == len(set(found)) == 4


def test_walk_of_the_upstream_tree_reads_every_lockfile_it_finds() -> None:
    root = upstream("javascript/packagelockjson", "one-package.v1.json").parent
    found = list(find_inventories([root]))
    assert {p.name for p in found} == {"package-lock.json", "npm-shrinkwrap.json"}
    assert all(read_inventory(p) for p in found)
