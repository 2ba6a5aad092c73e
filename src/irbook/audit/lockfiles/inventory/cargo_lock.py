"""Cargo.lock: every ``[[package]]`` of a Rust build.

A package whose ``source`` is a registry (``registry+`` or ``sparse+``: crates.io or a private
one) is a registry package; ``git+<url>#<commit>`` is kept as its source; a package without a
source is a workspace member or a path dependency (Cargo.lock does not record its folder), listed
as local (``file:``) and never matched.
"""

from __future__ import annotations

from pathlib import Path

from irbook.audit.lockfiles.inventory._common import (
    load_toml,
    locked,
    table_list,
    text_field,
    unique,
)
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "Cargo.lock"


def parse(path: Path) -> list[LockedPackage]:
    data = load_toml(path, KIND)
    found = []
    for i, entry in enumerate(table_list(data, "package", path, KIND)):
        name = text_field(entry, "name", path, f"package[{i}]")
        version = text_field(entry, "version", path, f"package[{i}]")
        source = entry.get("source")
        if not isinstance(source, str):
            origin = "file:"  # a workspace member or a path dependency
        elif source.startswith(("registry+", "sparse+")):
            origin = None
        else:
            origin = source
        found.append(locked("crates.io", name, version, path, origin))
    return unique(found)
