"""bun.lock: bun's text lockfile (JSON with trailing commas; comments tolerated).

``packages`` maps an install path to a tuple whose first element is ``"name@version"`` for registry
packages, or ``"name@github:owner/repo#sha"``, ``"name@file:..."``, ``"name@workspace:..."`` for the
rest. The key is the install path (an alias or ``parent/child``), so the name comes from the tuple.
The binary ``bun.lockb`` is not read: ``bun install --save-text-lockfile`` writes a bun.lock.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import (
    check_lockfile_version,
    fail,
    is_version,
    npm,
    parse_json,
    read_text,
    split_npm_spec,
    unique,
)
from irbook.audit.lockfiles.packages import LockedPackage
from irbook.errors import InvalidInputError, Problem

KIND = "bun lockfile"
SUPPORTED = (0, 1)

# Strings are matched first so that "//" or "," inside them is left alone.
_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*[\s\S]*?\*/')
_TRAILING_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[}\]])')


def to_json(text: str) -> str:
    """Drop comments and trailing commas, keeping every other character where it was.

    Replacing them with spaces (newlines kept) means the JSON decoder's line and column still
    point into the file as written.
    """

    def blank(match: re.Match[str]) -> str:
        token = match[0]
        if token.startswith('"'):
            return token
        return re.sub(r"[^\n]", " ", token)

    return _TRAILING_COMMA.sub(blank, _COMMENT.sub(blank, text))


def parse(path: Path) -> list[LockedPackage]:
    if path.suffix == ".lockb":
        raise fail(
            path,
            "bun.lockb is bun's binary lockfile, which irbook does not read",
            hint="run `bun install --save-text-lockfile` to write a bun.lock",
        )
    text = read_text(path, KIND)
    if not text.strip():
        return []
    data = parse_json(to_json(text), path, KIND)
    version = data.get("lockfileVersion")
    if version is None and not data.get("packages"):
        return []  # "{}": nothing installed yet
    check_lockfile_version(path, text, version, SUPPORTED, hint="regenerate it with a current bun")
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise fail(path, "'packages' must be an object", location="packages")
    found, problems = [], []
    named = _named_by_workspaces(data)
    for key, entry in packages.items():
        first = entry[0] if isinstance(entry, list) and entry else None
        if not isinstance(first, str) or "@" not in first[1:]:
            problems.append(
                Problem(
                    str(path),
                    *_line_of(text, key),
                    f"packages.{key}",
                    f"could not read '{key}': the first element must be \"name@version\"",
                )
            )
            continue
        package = _package(first, path, _workspace_versions(data))
        found.append(dataclasses.replace(package, direct=_direct(str(key), named)))
    if problems:
        raise InvalidInputError(problems, hint="regenerate it with `bun install`")
    return unique(found)


def _package(spec: str, path: Path, workspaces: dict[str, str]) -> LockedPackage:
    name, reference = split_npm_spec(spec)
    if reference.startswith("npm:"):
        name, reference = split_npm_spec(reference[4:])
    if is_version(reference):
        return npm(name, reference, path)
    version = workspaces.get(reference.removeprefix("workspace:"), "")
    return npm(name, version, path, reference)  # git, tarball URL, file:, link:, workspace:


def _named_by_workspaces(data: dict[str, Any]) -> set[str]:
    """The names the workspaces (the root one included) depend on themselves."""
    named: set[str] = set()
    workspaces = data.get("workspaces")
    for entry in workspaces.values() if isinstance(workspaces, dict) else ():
        for field in (
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ):
            deps = entry.get(field) if isinstance(entry, dict) else None
            if isinstance(deps, dict):
                named.update(str(k) for k in deps)
    return named


def _direct(key: str, named: set[str]) -> bool | None:
    """A top-level key (the install name) that a workspace asks for; "parent/child" keys and
    hoisted transitive ones are not direct; unknown when no workspace lists dependencies."""
    if not named:
        return None
    top = "/" not in key or (key.startswith("@") and key.count("/") == 1)
    return top and key in named


def _workspace_versions(data: dict[str, Any]) -> dict[str, str]:
    """Workspace folder -> the version its ``workspaces`` entry declares (when it does)."""
    workspaces = data.get("workspaces")
    if not isinstance(workspaces, dict):
        return {}
    return {
        str(folder): entry["version"]
        for folder, entry in workspaces.items()
        if isinstance(entry, dict) and isinstance(entry.get("version"), str)
    }


def _line_of(text: str, key: Any) -> tuple[int, int]:
    index = text.find(f'"{key}"')
    if index < 0:
        return 1, 1
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
