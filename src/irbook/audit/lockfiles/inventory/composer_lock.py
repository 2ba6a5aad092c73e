"""composer.lock: the PHP packages of ``packages`` and ``packages-dev`` (group ``dev``).

Packagist packages carry a git ``source`` and a zip ``dist`` on GitHub as a matter of course, so
neither makes a package non-registry; only a ``path`` dist (a local folder) does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import fail, load_json, locked, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "composer.lock"


def parse(path: Path) -> list[LockedPackage]:
    data = load_json(path, KIND)
    found = []
    for key, groups in (("packages", ()), ("packages-dev", ("dev",))):
        entries = data.get(key) or []
        if not isinstance(entries, list):
            raise fail(path, f"'{key}' must be an array", location=key)
        for i, entry in enumerate(entries):
            found.append(_package(entry, path, f"{key}[{i}]", groups))
    return unique(found)


def _package(entry: Any, path: Path, where: str, groups: tuple[str, ...]) -> LockedPackage:
    if not isinstance(entry, dict):
        raise fail(path, "entry must be an object", location=where)
    name, version = entry.get("name"), entry.get("version")
    if not isinstance(name, str) or not name or not isinstance(version, str):
        raise fail(path, "'name' and 'version' must be strings", location=where)
    dist = entry.get("dist")
    source = None
    if isinstance(dist, dict) and dist.get("type") == "path":
        source = f"file:{dist.get('url', '')}"
    return locked("Packagist", name, version, path, source, groups)
