"""poetry.lock (lock-version 1.x and 2.x): one ``[[package]]`` table per locked package.

Groups: lock-version 2 lists ``groups`` (``main`` means a production dependency); 1.x has
``category = "dev"``. ``optional = true`` marks an extra. A git source records its resolved commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import load_toml, pypi, table_list, text_field, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "poetry lockfile"


def parse(path: Path) -> list[LockedPackage]:
    data = load_toml(path, KIND)
    found = []
    for index, entry in enumerate(table_list(data, "package", path, KIND)):
        where = f"package[{index}]"
        name = text_field(entry, "name", path, where)
        version = text_field(entry, "version", path, where)
        found.append(pypi(name, version, path, _source(entry.get("source")), _groups(entry)))
    return unique(found)


def _groups(entry: dict[str, Any]) -> list[str]:
    groups = entry.get("groups")
    named = [str(g) for g in groups if g != "main"] if isinstance(groups, list) else []
    if isinstance(groups, list) and "main" in groups:
        named = []
    if entry.get("category") == "dev":
        named.append("dev")
    if entry.get("optional") is True:
        named.append("optional")
    return named


def _source(source: Any) -> str | None:
    """None for an index (PyPI or a private one); otherwise where the code came from."""
    if not isinstance(source, dict) or source.get("type") in (None, "legacy", "pypi"):
        return None
    kind, url = source.get("type"), source.get("url", "")
    if kind == "git":
        commit = source.get("resolved_reference") or source.get("reference") or ""
        return f"git+{url}#{commit}"
    return f"{kind}:{url}"  # file, directory, url
