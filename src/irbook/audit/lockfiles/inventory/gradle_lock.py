"""gradle.lockfile (and buildscript-gradle.lockfile): Gradle's dependency locks.

Each line is ``group:artifact:version=configuration,...``; comments (``#``), blank lines and the
``empty=`` line carry nothing, and a line of any other shape is skipped, as Gradle itself and
osv-scalibr skip it. The package is named ``group:artifact``, as OSV names Maven packages.
"""

from __future__ import annotations

from pathlib import Path

from irbook.audit.lockfiles.inventory._common import locked, read_text, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "gradle.lockfile"


def parse(path: Path) -> list[LockedPackage]:
    found = []
    for line in read_text(path, KIND).splitlines():
        if not line or line[0].isspace() or line.startswith("#"):
            continue
        coordinates, equals, _ = line.partition("=")
        parts = coordinates.split(":")
        if not equals or len(parts) != 3 or not all(parts):
            continue  # "empty=", or not a lock line
        group, artifact, version = parts
        found.append(locked("Maven", f"{group}:{artifact}", version, path))
    return unique(found)
