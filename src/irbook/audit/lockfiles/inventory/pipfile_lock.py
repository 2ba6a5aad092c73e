"""Pipfile.lock: ``default`` and ``develop`` sections mapping names to ``{"version": "==1.0"}``.

Entries without a pinned version (git or path installs) are left out: there is no version to
match. A package pinned identically in both sections is a production dependency.
"""

from __future__ import annotations

from pathlib import Path

from irbook.audit.lockfiles.inventory._common import fail, load_json, pypi, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "Pipfile.lock"


def parse(path: Path) -> list[LockedPackage]:
    data = load_json(path, KIND)
    found = []
    for section, groups in (("default", ()), ("develop", ("dev",))):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise fail(path, f"'{section}' must be an object", location=section)
        for name, entry in entries.items():
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, str) and version.startswith("=="):
                found.append(pypi(name, version.lstrip("="), path, groups=groups))
    return unique(found)
