"""Local, git and tarball packages, patches, SBOM roots, sniffing and pnpm names (issue 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from irbook.audit.lockfiles.audit import audit
from irbook.audit.lockfiles.inventory import detect, pnpm_lock, read_inventory, yarn_lock
from shared import FIXTURES, shared_data

INV = FIXTURES / "inventory"
JS = ("lockfiles", "osv-scalibr", "javascript")


def listed(tmp_path: Path, *lines: str) -> Path:
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"{line}\n" for line in lines))
    return listing


# One local/git/tarball package per format, with the name and version its lockfile records, next
# to one registry package of the same file (which must still match).
NOT_FROM_A_REGISTRY = [
    (INV / "npm" / "workspaces" / "package-lock.json", "@acme/ui:2.1.0", "debug:4.4.2"),
    (INV / "npm" / "workspaces" / "package-lock.json", "is-number:7.0.0", "debug:4.4.2"),
    (INV / "yarn" / "berry" / "yarn.lock", "@acme/ui:0.0.0-use.local", "nx:21.5.0"),
    (INV / "bun" / "bun.lock", "@acme/ui:2.1.0", "chalk:5.6.1"),
    (INV / "pnpm" / "workspace-v9.yaml", "@vitejs/test-dep-a:1.0.0", "debug:4.4.2"),
]
UPSTREAM = [
    ("packagelockjson/testdata/commits.v2.json", "babel-preset-php:1.1.1", None),
    ("yarnlock/testdata/commits.v1.lock", "mine1:1.0.0-alpha.37", None),
    (
        "yarnlock/testdata/exclude-root.v2.lock",
        "@ws/ansi-regex:0.0.0-use.local",
        "ansi-regex:6.1.0",
    ),
    ("pnpmlock/testdata/commits.yaml", "my-bitbucket-package:1.0.0", None),
    ("pnpmlock/testdata/files.yaml", "a-local-package:1.0.0", None),
]


def copy_as(tmp_path: Path, lockfile: Path) -> Path:
    """The fixture under the file name its format is detected by."""
    names = {"yarn.lock": "yarn.lock", ".yaml": "pnpm-lock.yaml", ".json": "package-lock.json"}
    name = names.get(lockfile.name) or names.get(lockfile.suffix) or lockfile.name
    if lockfile.name in ("bun.lock", "package-lock.json"):
        name = lockfile.name
    target = tmp_path / "repo" / name
    target.parent.mkdir()
    shutil.copy(lockfile, target)
    return target


def check_never_matched(tmp_path: Path, lockfile: Path, local: str, registry: str | None) -> None:
    target = copy_as(tmp_path, lockfile)
    lines = [local] + ([registry] if registry else [])
    report = audit([target], [listed(tmp_path, *lines)])
    found = {(f.package.name, f.package.version) for f in report.findings}
    name, _, version = local.rpartition(":")
    assert (name, version) not in found
    assert sum(report.not_matched.values()) >= 1
    if registry:
        r_name, _, r_version = registry.rpartition(":")
        assert found == {(r_name, r_version)}


@pytest.mark.parametrize(("lockfile", "local", "registry"), NOT_FROM_A_REGISTRY)
def test_local_git_and_tarball_packages_are_never_matched(
    tmp_path: Path, lockfile: Path, local: str, registry: str
) -> None:
    check_never_matched(tmp_path, lockfile, local, registry)


@pytest.mark.parametrize(("fixture", "local", "registry"), UPSTREAM)
def test_upstream_git_and_local_packages_are_never_matched(
    tmp_path: Path, fixture: str, local: str, registry: str | None
) -> None:
    check_never_matched(tmp_path, shared_data(*JS, *fixture.split("/")), local, registry)


def test_local_packages_are_listed_with_their_source() -> None:
    def sources(path: Path) -> dict[str, str | None]:
        return {p.name: p.source for p in read_inventory(path, format="pnpm")}

    assert sources(INV / "pnpm" / "workspace-v9.yaml") == {
        "@acme/ui": "link:packages/ui",  # an importer, named as the projects depending on it do
        "@vitejs/test-dep-a": "file:playground/dep-a",  # was dropped silently
        "debug": None,
    }
    berry = {p.name: p.source for p in yarn_lock.parse(INV / "yarn" / "berry-patch" / "yarn.lock")}
    assert berry == {
        "fsevents": None,
        "@acme/ui": "workspace:packages/ui",
        "left-pad": "portal:../left-pad",
    }


def test_berry_patch_folds_into_its_base(tmp_path: Path) -> None:
    packages = yarn_lock.parse(INV / "yarn" / "berry-patch" / "yarn.lock")
    assert [(p.name, p.version) for p in packages if p.name == "fsevents"] == [
        ("fsevents", "2.3.3")
    ]
    repo = copy_as(tmp_path, INV / "yarn" / "berry-patch" / "yarn.lock")
    report = audit([repo], [listed(tmp_path, "fsevents:2.3.3")])
    assert len(report.findings) == 1


def test_spdx_and_cyclonedx_both_leave_out_the_described_root() -> None:
    def names(path: Path) -> set[str]:
        return {p.name for p in read_inventory(path)}

    assert names(INV / "sbom" / "root.spdx.json") == {"debug"}  # documentDescribes and DESCRIBES
    assert names(INV / "sbom" / "root.cdx.json") == {"debug"}  # metadata.component


def test_renamed_package_lock_of_a_workspaces_project_is_not_taken_for_bun(tmp_path: Path) -> None:
    renamed = tmp_path / "lock-backup.json"
    shutil.copy(INV / "npm" / "workspaces" / "package-lock.json", renamed)
    assert detect(renamed) == "package-lock"
    bun = tmp_path / "bun-backup.json"
    shutil.copy(INV / "bun" / "bun.lock", bun)  # starts with a // comment, has "workspaces"
    assert detect(bun) == "bun"
    # a string value that mentions a marker is not structure
    tricky = tmp_path / "tricky.json"
    tricky.write_text('{"name": "x", "description": "\\"bomFormat\\": \\"lockfileVersion\\""}')
    assert detect(tricky) is None


def test_pnpm_v6_registry_prefixed_keys_are_named_as_pnpm_names_them() -> None:
    packages = pnpm_lock.parse(INV / "pnpm" / "v6-registry.yaml")
    assert {(p.name, p.version) for p in packages} == {
        ("private", "1.0.0"),
        ("@corp/tool", "2.0.0"),
        ("chalk", "5.6.1"),
    }
