"""Version ordering for the ecosystems irbook audits: npm as SemVer 2.0, PyPI as PEP 440.

Each parser turns a version string into a sort key; keys of one ecosystem compare with ``<``.
A string that is not a version of its ecosystem raises :class:`VersionError`, and the caller
decides what that means (a range it cannot evaluate, an exact-only comparison...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from irbook.errors import VersionError

# SemVer 2.0.0 (semver.org, the "official" regex), loosened in two ways npm itself accepts in
# lockfiles: a leading "v" or "=", and surrounding spaces. Leading zeros stay invalid, as in npm.
_SEMVER = re.compile(
    r"^\s*[v=]?\s*"
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\s*$"
)
_PEP503_SEPARATORS = re.compile(r"[-_.]+")

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


def pep440_key(version: str) -> Any:
    """Sort key of a PEP 440 version (``packaging.version.Version``, which orders correctly)."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion as exc:
        raise VersionError(f"not a PEP 440 version: {version!r}") from exc


KEYS: dict[str, Callable[[str], Any]] = {"npm": semver_key, "PyPI": pep440_key}


def version_key(ecosystem: str, version: str) -> Any:
    """Sort key of ``version`` in ``ecosystem`` (npm or PyPI)."""
    try:
        key = KEYS[ecosystem]
    except KeyError:
        raise VersionError(f"no version ordering for ecosystem {ecosystem!r}") from None
    return key(version)


def normalise_name(ecosystem: str, name: str) -> str:
    """The name under which a package is indexed: PEP 503 for PyPI, exact for npm."""
    if ecosystem == "PyPI":
        return _PEP503_SEPARATORS.sub("-", name).lower()
    return name
