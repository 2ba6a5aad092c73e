"""uv.lock: one ``[[package]]`` per package; ``source`` says registry, git, path or the project.

The project itself (``virtual`` or editable ``.``) is not a dependency and is left out. Groups come
from the project's ``optional-dependencies`` and ``dev-dependencies`` tables, which name its
direct dependencies only (uv does not mark transitive ones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import (
    fail,
    load_toml,
    pypi,
    table_list,
    text_field,
    unique,
)
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "uv lockfile"


def parse(path: Path) -> list[LockedPackage]:
    data = load_toml(path, KIND)
    entries = table_list(data, "package", path, KIND)
    groups = _groups(entries)
    found = []
    for index, entry in enumerate(entries):
        where = f"package[{index}]"
        name = text_field(entry, "name", path, where)
        source: dict[str, Any] = entry.get("source") or {}
        if not isinstance(source, dict):
            raise fail(path, "'source' must be a table", location=f"{where}.source")
        if "virtual" in source or source.get("editable") == ".":
            continue  # the project being locked
        version = str(entry.get("version", ""))
        found.append(pypi(name, version, path, _source(source), groups.get(name, ())))
    return unique(found)


def _groups(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    by_name: dict[str, set[str]] = {}
    for entry in entries:
        for table in ("optional-dependencies", "dev-dependencies"):
            groups = entry.get(table)
            if not isinstance(groups, dict):
                continue
            for group, deps in groups.items():
                for dep in deps if isinstance(deps, list) else []:
                    if isinstance(dep, dict) and isinstance(dep.get("name"), str):
                        by_name.setdefault(dep["name"], set()).add(str(group))
    return by_name


def _source(source: dict[str, Any]) -> str | None:
    if not source or "registry" in source:
        return None
    if "git" in source:
        return f"git+{source['git']}"  # uv writes the resolved commit after '#'
    for kind in ("url", "path", "directory", "editable"):
        if kind in source:
            return f"{'file' if kind != 'url' else 'url'}:{source[kind]}"
    return None
