"""pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x.

Each ``packages`` key is a dependency path that encodes name and version, in three dialects:
v5 ``/name/1.0.0_peer``, v6 ``/name@1.0.0(peer)``, v9 ``name@1.0.0``. Entries from git, tarballs or
directories carry ``name``/``version`` fields instead; those win over the path. Every malformed path
is reported, with its line, in one error.
"""

from __future__ import annotations

import dataclasses
import posixpath
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import (
    fail,
    fail_at,
    is_version,
    locate,
    npm,
    npm_source,
    read_text,
    unique,
)
from irbook.audit.lockfiles.packages import LOCAL_PREFIXES, LockedPackage
from irbook.errors import InvalidInputError, Problem

KIND = "pnpm lockfile"
_SPECS = (*LOCAL_PREFIXES, "http:", "https:", "git", "github:", "gitlab:", "bitbucket:")
SUPPORTED_MAJORS = (5, 6, 9)


def parse(path: Path) -> list[LockedPackage]:
    from irbook.loader.load import load_yaml_data  # PyYAML lives in the loader; imported on demand

    data: Any = load_yaml_data(path, kind=KIND)
    if data is None:
        return []  # an empty file or only comments
    if not isinstance(data, dict):
        raise fail(
            path,
            f"{KIND} must be a mapping, found {type(data).__name__}",
            hint="is this really a pnpm-lock.yaml? regenerate it with `pnpm install`",
        )
    major = _major(data.get("lockfileVersion"), path)
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise fail(path, "'packages' must be a mapping", location="packages")
    found, bad = [], []
    for key, entry in packages.items():
        package = _package(str(key), entry if isinstance(entry, dict) else {}, major, path)
        if package is None:
            bad.append(str(key))
        elif package.name:
            found.append(package)
    direct = _direct_versions(data, major)
    if direct:
        found = [dataclasses.replace(p, direct=_is_direct(p, direct)) for p in found]
    found.extend(_linked(data, path))
    if bad:
        text = read_text(path, KIND)
        raise InvalidInputError(
            [
                Problem(
                    str(path),
                    *_line_of(text, key),
                    f"packages.{key}",
                    f"invalid dependency path: {key}",
                )
                for key in bad
            ],
            hint="regenerate the lockfile with `pnpm install`",
        )
    return unique(found)


def _line_of(text: str, key: str) -> tuple[int, int]:
    """Where a ``packages`` key is written (indented, maybe quoted) in the file."""
    for written in (f"\n  {key}:", f"\n  '{key}':", f'\n  "{key}":'):
        line, column = locate(text, written)
        if (line, column) != (1, 1):
            return line + 1, 3
    return locate(text, key)


def _major(value: Any, path: Path) -> int:
    try:
        major = int(float(str(value).strip("'\"")))
    except ValueError:
        major = -1
    if major not in SUPPORTED_MAJORS:
        raise fail_at(
            path,
            KIND,
            "lockfileVersion",
            f"unsupported lockfileVersion {value!r}; irbook reads 5.x, 6.x and 9.x",
            location="lockfileVersion",
            hint="regenerate it with a current pnpm (pnpm install --lockfile-only)",
        )
    return major


def _package(key: str, entry: dict[str, Any], major: int, path: Path) -> LockedPackage | None:
    """The package of one entry; an empty name means "skip quietly"; None means invalid path."""
    if key.startswith("file:"):
        name, version = "", ""  # never encodes a version; the entry's fields must say it
    else:
        parsed = _from_path(key, major)
        if parsed is None:
            return None
        name, version = parsed
    name = str(entry.get("name") or name)
    version = str(entry.get("version") or version)
    source = _source(key, entry)
    if not is_version(version):
        if source is None and version.startswith(_SPECS):
            source = version  # v9 "name@file:dir" keys: the key's "version" says where from
        if source is None:
            name = ""  # unversioned and no source (e.g. a bare git URL in v5): nothing to list
        version = ""
    groups = [g for g in ("dev", "optional") if entry.get(g) is True]
    return npm(name, version, path, source, groups)


def _from_path(key: str, major: int) -> tuple[str, str] | None:
    key = key.strip("'")
    if major >= 6:
        path = key.removeprefix("/").split("(", 1)[0]
        if not path.startswith("@") and "/" in path.split("@", 1)[0]:
            # "registry.example.com/private@1.0.0" (v6): a package from another registry; its
            # name is what follows the host, as pnpm's own dependency-path parser reads it
            path = path.split("/", 1)[1]
        return _split_at(path)
    parts = key.split("/")
    if len(parts) == 1:
        return None
    rest = parts[1:]  # "/a/1.0.0" and "registry.example.com/a/1.0.0" alike drop the first part
    scoped = rest[0].startswith("@")
    name = "/".join(rest[:2]) if scoped else rest[0]
    tail = rest[2:] if scoped else rest[1:]
    return name, (tail[0].split("_", 1)[0] if tail else "")


def _split_at(spec: str) -> tuple[str, str]:
    at = spec.find("@", 1)
    return (spec, "") if at < 0 else (spec[:at], spec[at + 1 :])


def _source(key: str, entry: dict[str, Any]) -> str | None:
    resolution = entry.get("resolution")
    if not isinstance(resolution, dict):
        return None
    if resolution.get("type") == "git" or "commit" in resolution:
        repo = str(resolution.get("repo", ""))
        return f"{repo if repo.startswith('git+') else 'git+' + repo}#{resolution.get('commit')}"
    if "directory" in resolution:
        return f"file:{resolution['directory']}"
    tarball = resolution.get("tarball")
    if isinstance(tarball, str):
        return npm_source(tarball)
    return None


def _linked(data: dict[str, Any], path: Path) -> list[LockedPackage]:
    """Workspace projects and linked folders: the ``link:`` dependencies of every importer (and
    of a v5 single-project file's top level), named as the depending project names them."""
    importers = data.get("importers")
    projects: dict[str, Any] = dict(importers) if isinstance(importers, dict) else {".": data}
    found = []
    for project, manifest in projects.items():
        if not isinstance(manifest, dict):
            continue
        for field in ("dependencies", "devDependencies", "optionalDependencies"):
            deps = manifest.get(field)
            for name, value in deps.items() if isinstance(deps, dict) else ():
                version = value.get("version") if isinstance(value, dict) else value
                if isinstance(version, str) and version.startswith("link:"):
                    target = posixpath.normpath(posixpath.join(str(project), version[5:]))
                    groups = ["dev"] if field == "devDependencies" else []
                    link = npm(str(name), "", path, f"link:{target}", groups)
                    found.append(dataclasses.replace(link, direct=True))
    return found


def _is_direct(package: LockedPackage, direct: set[tuple[str, str]]) -> bool | None:
    if (package.name, package.version) in direct or (package.name, "") in direct:
        return True
    # A git or tarball package may be depended on under an alias the lockfile does not resolve.
    return False if package.source is None else None


def _direct_versions(data: dict[str, Any], major: int) -> set[tuple[str, str]]:
    """(name, version) of what the projects (importers) depend on themselves; (name, "") for a
    dependency on a git, tarball or file: source, whose package has a version of its own."""
    importers = data.get("importers")
    projects: dict[str, Any] = dict(importers) if isinstance(importers, dict) else {".": data}
    found: set[tuple[str, str]] = set()
    for manifest in projects.values():
        if not isinstance(manifest, dict):
            continue
        for field in ("dependencies", "devDependencies", "optionalDependencies"):
            deps = manifest.get(field)
            for name, value in deps.items() if isinstance(deps, dict) else ():
                version = value.get("version") if isinstance(value, dict) else value
                if not isinstance(version, str) or version.startswith("link:"):
                    continue
                found.add(_resolved(str(name), version, major))
    return found


def _resolved(name: str, version: str, major: int) -> tuple[str, str]:
    """An importer's resolved version (``4.4.2(peer@1)``, ``1.0.0_peer``, an alias
    ``debug@4.4.2`` or a path ``/debug/4.4.2``) as the (name, version) of its package."""
    if version.startswith("/") or (not version[:1].isdigit() and "@" in version[1:]):
        parsed = _from_path(version if version.startswith("/") else "/" + version, major)
        if parsed is not None:
            return parsed
    if not version[:1].isdigit():
        return name, ""  # a URL or file: spec: the package is known by name
    version = version.split("(", 1)[0]
    return name, version.split("_", 1)[0] if major < 6 else version
