"""pylock.toml (PEP 751): ``[[packages]]`` with ``name``, ``version`` and one source table.

PEP 751 says a reader must refuse a lock-version whose major version it does not know; irbook
reads 1.x. Local directories without a version (the project itself) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import (
    fail_at,
    load_toml,
    pypi,
    table_list,
    text_field,
    unique,
)
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "pylock file"


def parse(path: Path) -> list[LockedPackage]:
    data = load_toml(path, KIND)
    if not data:
        return []
    lock_version = str(data.get("lock-version", ""))
    if lock_version.split(".")[0] != "1":
        raise fail_at(
            path,
            KIND,
            "lock-version",
            f"unsupported lock-version {lock_version or '(missing)'!r}; irbook reads 1.x",
            location="lock-version",
            hint="PEP 751 readers must refuse unknown major versions",
        )
    found = []
    for index, entry in enumerate(table_list(data, "packages", path, KIND)):
        name = text_field(entry, "name", path, f"packages[{index}]")
        version = entry.get("version")
        if version is None and "directory" in entry:
            continue  # the project itself, or another local tree with no fixed version
        found.append(pypi(name, str(version or ""), path, _source(entry)))
    return unique(found)


def _source(entry: dict[str, Any]) -> str | None:
    vcs, archive, directory = entry.get("vcs"), entry.get("archive"), entry.get("directory")
    if isinstance(vcs, dict):
        where = vcs.get("url") or vcs.get("path")
        return f"{vcs.get('type', 'git')}+{where}#{vcs.get('commit-id')}"
    if isinstance(archive, dict):
        return str(archive.get("url") or f"file:{archive.get('path')}")
    if isinstance(directory, dict):
        return f"file:{directory.get('path')}"
    return None
