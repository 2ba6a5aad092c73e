"""packages.lock.json (NuGet): the packages resolved for each target framework.

Every ``Direct``, ``Transitive`` and ``CentralTransitive`` entry is listed at its ``resolved``
version (the nested ``dependencies`` of an entry are requested ranges, not packages); a
``Project`` entry is another project of the solution, listed as local (``file:``) and never
matched. Package ids ignore case, as NuGet's do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import fail, load_json, locked, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "NuGet lock file"


def parse(path: Path) -> list[LockedPackage]:
    data = load_json(path, KIND)
    frameworks = data.get("dependencies") or {}
    if not isinstance(frameworks, dict):
        raise fail(path, "'dependencies' must be an object", location="dependencies")
    found = []
    for framework, packages in frameworks.items():
        if not isinstance(packages, dict):
            raise fail(path, "must be an object", location=f"dependencies.{framework}")
        for name, entry in packages.items():
            found.append(_package(str(name), entry, path, f"dependencies.{framework}.{name}"))
    return unique(found)


def _package(name: str, entry: Any, path: Path, where: str) -> LockedPackage:
    if not isinstance(entry, dict):
        raise fail(path, "entry must be an object", location=where)
    if entry.get("type") == "Project":
        return locked("NuGet", name, "", path, f"file:{name}")
    resolved = entry.get("resolved")
    if not isinstance(resolved, str):
        raise fail(path, "'resolved' must be a version string", location=f"{where}.resolved")
    return locked("NuGet", name, resolved, path, direct=entry.get("type") == "Direct")
