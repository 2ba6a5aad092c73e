"""SemVer 2.0 ordering (npm, crates.io, Pub, and Go after its ``v``), and the error every
version parser raises for a string that is not a version of its ecosystem."""

from __future__ import annotations

import re
from typing import Any

from irbook.errors import VersionError

__all__ = ["VersionError", "semver_key"]

# SemVer 2.0.0 (semver.org, the "official" regex), loosened in two ways npm itself accepts in
# lockfiles: a leading "v" or "=", and surrounding spaces. Leading zeros stay invalid, as in npm.
_SEMVER = re.compile(
    r"^\s*[v=]?\s*"
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\s*$"
)

# A release sorts after every prerelease of the same major.minor.patch (SemVer §11.3): the
# prerelease part of the key is (1,) for a release and (0, identifiers...) for a prerelease.
_RELEASE = (1,)


def semver_key(version: str) -> tuple[Any, ...]:
    """Sort key of a SemVer 2.0 version; build metadata is ignored (SemVer §10)."""
    m = _SEMVER.match(version)
    if m is None:
        raise VersionError(f"not a SemVer version: {version!r}")
    major, minor, patch, pre = int(m[1]), int(m[2]), int(m[3]), m[4]
    if pre is None:
        return (major, minor, patch, _RELEASE)
    # Numeric identifiers sort numerically and before alphanumeric ones (§11.4); a shorter list
    # of identifiers sorts first when all shared ones are equal, which tuple comparison gives.
    idents = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (major, minor, patch, (0, *idents))
