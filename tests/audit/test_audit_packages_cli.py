"""`irbook audit packages`: the inventory, for a human or a script (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from irbook.cli import run
from shared import FIXTURES

INV = FIXTURES / "inventory"


def inventory_json(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict[str, object]]]:
    code = run(["audit", "packages", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_json_lists_every_package_with_file_source_origin_and_groups(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, rows = inventory_json(capsys, str(INV / "npm" / "workspaces"))
    assert code == 0
    lockfile = str(INV / "npm" / "workspaces" / "package-lock.json")
    assert rows == [
        {"file": lockfile, "ecosystem": "npm", "name": "debug", "version": "4.4.2",
         "source": None, "origin": "registry", "groups": [], "direct": True},
        {"file": lockfile, "ecosystem": "npm", "name": "is-number", "version": "7.0.0",
         "source": "git+ssh://git@github.com/jonschlinkert/is-number.git#98e8ff1da1a89f93d1397a24d7413ed15421c139",
         "origin": "git", "groups": [], "direct": False},
        {"file": lockfile, "ecosystem": "npm", "name": "@acme/ui", "version": "2.1.0",
         "source": "file:packages/ui", "origin": "local", "groups": [], "direct": None},
    ]  # fmt: skip


def test_name_glob_finds_a_package_in_any_project_and_any_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, rows = inventory_json(
        capsys, str(INV / "bun"), str(INV / "pnpm"), "--name", "@TANSTACK/*"
    )
    assert code == 0
    found = {(Path(str(r["file"])).name, r["name"]) for r in rows}
    assert ("bun.lock", "@tanstack/react-router") in found
    assert ("pnpm-lock.yaml", "@tanstack/router-core") in found
    assert all(str(r["name"]).startswith("@tanstack/") for r in rows)


def test_pypi_names_match_in_their_normalised_spelling(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = inventory_json(capsys, str(INV / "python"), "--name", "guardrails_ai")
    assert code == 0 and rows and {r["ecosystem"] for r in rows} == {"PyPI"}


def test_no_match_exits_1_like_grep(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["audit", "packages", str(INV / "npm"), "--name", "no-such-package"])
    assert code == 1
    assert "No package named 'no-such-package' in 3 file(s)." in capsys.readouterr().out


def test_table_shows_the_source_of_local_packages(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from irbook import console

    monkeypatch.setenv("COLUMNS", "250")
    console.stdout.cache_clear()
    try:
        code = run(["audit", "packages", str(INV / "yarn" / "berry-patch")])
    finally:
        console.stdout.cache_clear()
    out = capsys.readouterr().out
    assert code == 0
    assert "portal:../left-pad" in out and "registry" in out
    assert "3 package version(s) in 1 file(s)." in out


def test_unreadable_lockfile_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    bad = INV / "malformed" / "truncated" / "package-lock.json"
    code = run(["audit", "packages", str(bad)])
    assert code == 2
    assert str(bad) in capsys.readouterr().err


SCALIBR = ("lockfiles", "osv-scalibr")


@pytest.mark.parametrize(
    ("parts", "fmt", "expected"),
    [
        (("golang", "gomod", "testdata", "indirect-packages.mod"), "gomod",
         {"github.com/BurntSushi/toml": True, "github.com/mattn/go-isatty": False}),
        (("dotnet", "packageslockjson", "testdata", "valid", "packages.lock.json"), "nuget",
         {"Core.Dep": True, "Some.Dep.One": False}),
        (("dart", "pubspec", "testdata", "mixed-packages.lock"), "pubspec",
         {"back_button_interceptor": True, "build_runner": True, "shelf": False}),
        (("ruby", "gemfilelock", "testdata", "has-git-gem.lock"), "gemfile",
         {"hanami-utils": True, "rack": False}),
    ],
)  # fmt: skip
def test_direct_where_the_format_says(
    parts: tuple[str, ...], fmt: str, expected: dict[str, bool]
) -> None:
    from irbook.audit.lockfiles.inventory import read_inventory
    from shared import shared_data

    packages = {p.name: p.direct for p in read_inventory(shared_data(*SCALIBR, *parts), format=fmt)}
    assert {name: packages[name] for name in expected} == expected


def test_direct_in_npm_pnpm_and_bun_lockfiles() -> None:
    from irbook.audit.lockfiles.inventory import read_inventory

    def direct(path: Path, fmt: str) -> dict[str, bool | None]:
        return {p.name: p.direct for p in read_inventory(path, format=fmt)}

    pnpm = direct(INV / "pnpm" / "workspace-v9.yaml", "pnpm")
    assert pnpm == {"@vitejs/test-dep-a": True, "debug": True, "@acme/ui": True}
    assert direct(INV / "pnpm" / "pnpm-lock.yaml", "pnpm")["react-dom"] is False
    bun = direct(INV / "bun" / "bun.lock", "bun")
    assert bun["@tanstack/react-router"] is True and bun["tiny-invariant"] is False
    assert bun["chalk"] is True  # installed as chalk-old, the name the workspace asks for
