"""pdm.lock: ``[[package]]`` tables; ``groups`` name the dependency groups a package is in.

A package in ``default`` is a production dependency; one only in ``dev`` is a dev dependency; one
only in other groups is optional. Git packages record ``revision``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import load_toml, pypi, table_list, text_field, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "pdm lockfile"


def parse(path: Path) -> list[LockedPackage]:
    data = load_toml(path, KIND)
    found = []
    for index, entry in enumerate(table_list(data, "package", path, KIND)):
        where = f"package[{index}]"
        name = text_field(entry, "name", path, where)
        version = text_field(entry, "version", path, where)
        found.append(pypi(name, version, path, _source(entry), _groups(entry.get("groups"))))
    return unique(found)


def _groups(groups: Any) -> list[str]:
    if not isinstance(groups, list) or not groups or "default" in groups:
        return []
    return ["dev"] if "dev" in groups else ["optional"]


def _source(entry: dict[str, Any]) -> str | None:
    if "git" in entry:
        return f"git+{entry['git']}#{entry.get('revision', '')}"
    for kind in ("url", "path"):
        if kind in entry:
            return f"{'file' if kind == 'path' else 'url'}:{entry[kind]}"
    return None
