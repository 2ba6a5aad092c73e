"""The inventory view: every package the lockfiles and SBOMs under some paths record.

A responder's first question is often "which of our projects has this package at all, in any
version?"; ``list_packages`` answers it for ``irbook audit packages`` and Python callers.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory import find_inventories, read_inventory
from irbook.audit.lockfiles.packages import LockedPackage
from irbook.audit.lockfiles.versions import normalise_name


@dataclass(frozen=True)
class Inventory:
    files: list[str]  # lockfiles and SBOMs read
    packages: list[LockedPackage]  # in file order, then as each file lists them
    pattern: str | None  # the --name glob, when one was given


def list_packages(paths: Sequence[Path], *, name: str | None = None) -> Inventory:
    """The packages under ``paths``; ``name`` keeps those whose name matches the glob (case
    does not matter; a PyPI name also matches in its normalised spelling, PEP 503)."""
    files = list(find_inventories(list(paths)))
    packages = [p for path in files for p in read_inventory(path)]
    if name is not None:
        packages = [p for p in packages if name_matches(p, name)]
    return Inventory([str(f) for f in files], packages, name)


def name_matches(package: LockedPackage, pattern: str) -> bool:
    pattern = pattern.lower()
    names = {package.name.lower(), normalise_name(package.ecosystem, package.name)}
    return any(fnmatch.fnmatchcase(n, pattern) for n in names)


def package_json(package: LockedPackage) -> dict[str, Any]:
    return {
        "file": package.file,
        "ecosystem": package.ecosystem,
        "name": package.name,
        "version": package.version,
        "source": package.source,
        "origin": package.origin,
        "groups": list(package.groups),
        "direct": package.direct,
    }
