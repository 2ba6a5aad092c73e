"""package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.

v2 and v3 list every installed copy under ``packages`` keyed by its path; v1 nests ``dependencies``.
v2 carries both, and ``packages`` is the complete one. Aliases (``npm:real@1.0.0``) are reported
under the real package name, because that is the name advisories use.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import (
    check_lockfile_version,
    fail,
    is_version,
    npm,
    npm_source,
    parse_json,
    read_text,
    split_npm_spec,
    unique,
)
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "npm lockfile"
SUPPORTED = (1, 2, 3)


def parse(path: Path) -> list[LockedPackage]:
    text = read_text(path, KIND)
    data = parse_json(text, path, KIND)
    declared = data.get("lockfileVersion")
    if declared is None and isinstance(data.get("dependencies"), dict):
        declared = 1  # npm 5 shrinkwraps written before lockfileVersion existed
    version = check_lockfile_version(
        path,
        text,
        declared,
        SUPPORTED,
        hint="regenerate it with a current npm (npm install --package-lock-only)",
    )
    packages = data.get("packages")
    if version >= 2 and isinstance(packages, dict):
        return unique(_from_packages(packages, path))
    if version == 3:
        raise fail(path, "lockfileVersion 3 needs a 'packages' object", location="packages")
    return unique(_from_dependencies(data.get("dependencies") or {}, path))


def _groups(entry: dict[str, Any]) -> list[str]:
    groups = [
        g
        for g, flag in (("dev", "dev"), ("optional", "optional"), ("bundled", "inBundle"))
        if entry.get(flag) is True
    ]
    if entry.get("devOptional") is True:
        groups += ["dev", "optional"]
    return groups


def _name_from_key(key: str) -> str:
    """``node_modules/a/node_modules/@s/b`` -> ``@s/b``; ``deps/etag`` -> ``etag``."""
    cut = key.rfind("node_modules/")
    tail = key[cut + len("node_modules/") :] if cut >= 0 else key
    parts = tail.split("/")
    if cut < 0 and len(parts) > 1 and parts[-2].startswith("@"):
        return "/".join(parts[-2:])
    return tail if cut >= 0 else parts[-1]


_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def _named_by_projects(packages: dict[str, Any]) -> set[str]:
    """The names the root project and its workspace folders depend on themselves."""
    named: set[str] = set()
    for key, entry in packages.items():
        if isinstance(entry, dict) and (key == "" or "node_modules/" not in key):
            for field in _DEPENDENCY_FIELDS:
                deps = entry.get(field)
                if isinstance(deps, dict):
                    named.update(str(k) for k in deps)
    return named


def _direct(key: str, name: str, named: set[str]) -> bool | None:
    """Direct when installed at the top of node_modules under a name a project asks for;
    nested copies and hoisted transitive ones are not; local folders: not said."""
    if not key.startswith("node_modules/"):
        return None
    return key == f"node_modules/{name}" and name in named


def _from_packages(packages: dict[str, Any], path: Path) -> list[LockedPackage]:
    found = []
    named = _named_by_projects(packages)
    for key, entry in packages.items():
        if key == "":
            continue  # the project itself
        if not isinstance(entry, dict):
            raise fail(path, "entry must be an object", location=f"packages.{key}")
        if entry.get("link") is True:
            continue  # a symlink; its target is listed under its own key
        name = entry.get("name") or _name_from_key(key)
        version = entry.get("version") or ""
        if not isinstance(name, str) or not isinstance(version, str):
            raise fail(path, "'name' and 'version' must be strings", location=f"packages.{key}")
        resolved = entry.get("resolved")
        source = npm_source(resolved if isinstance(resolved, str) else None)
        if "node_modules/" not in key and not key.startswith("node_modules"):
            source = f"file:{key}"  # a local directory (workspace or file: dependency)
        package = npm(name, version, path, source, _groups(entry))
        found.append(dataclasses.replace(package, direct=_direct(key, _name_from_key(key), named)))
    return found


def _from_dependencies(deps: dict[str, Any], path: Path) -> list[LockedPackage]:
    """v1: walk the nested ``dependencies`` objects with a stack (deep trees, no recursion)."""
    found = []
    stack: list[tuple[str, Any]] = [(f"dependencies.{k}", (k, v)) for k, v in deps.items()]
    while stack:
        where, (name, entry) = stack.pop()
        if not isinstance(entry, dict):
            raise fail(path, "entry must be an object", location=where)
        found.append(_v1_package(name, entry, path, where))
        nested = entry.get("dependencies") or {}
        if not isinstance(nested, dict):
            raise fail(path, "'dependencies' must be an object", location=where)
        stack.extend((f"{where}.dependencies.{k}", (k, v)) for k, v in nested.items())
    return found


def _v1_package(name: str, entry: dict[str, Any], path: Path, where: str) -> LockedPackage:
    version = entry.get("version") or ""
    if not isinstance(version, str):
        raise fail(path, "'version' must be a string", location=f"{where}.version")
    source = npm_source(entry.get("resolved") if isinstance(entry.get("resolved"), str) else None)
    if version.startswith("npm:"):
        name, version = split_npm_spec(version[4:])
    if not is_version(version) and version:
        source, version = version, ""  # a git URL, tarball URL or file: path instead of a version
    return npm(
        name, version, path, source, _groups(entry) + (["bundled"] if entry.get("bundled") else [])
    )
