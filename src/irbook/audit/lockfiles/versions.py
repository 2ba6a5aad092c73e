"""Version ordering for the ecosystems irbook audits: npm, crates.io and Pub as SemVer 2.0, PyPI as
PEP 440, Go, Packagist, RubyGems and NuGet by their own rules (``versions_more``), Maven as
Maven's ComparableVersion (``maven_version``).

Each parser turns a version string into a sort key; keys of one ecosystem compare with ``<``.
A string that is not a version of its ecosystem raises :class:`VersionError`, and the caller
decides what that means (a range it cannot evaluate, an exact-only comparison...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from irbook.audit.lockfiles import versions_more as more
from irbook.audit.lockfiles.maven_version import MavenVersion
from irbook.audit.lockfiles.semver import VersionError, semver_key

__all__ = ["VersionError", "normalise_name", "pep440_key", "semver_key", "version_key"]

_PEP503_SEPARATORS = re.compile(r"[-_.]+")
_CASELESS = frozenset({"NuGet", "Packagist"})


def pep440_key(version: str) -> Any:
    """Sort key of a PEP 440 version (``packaging.version.Version``, which orders correctly)."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion as exc:
        raise VersionError(f"not a PEP 440 version: {version!r}") from exc


KEYS: dict[str, Callable[[str], Any]] = {
    "npm": semver_key,
    "PyPI": pep440_key,
    "Go": more.go_key,
    "crates.io": semver_key,
    "Pub": semver_key,
    "Packagist": more.composer_key,
    "RubyGems": more.gem_key,
    "NuGet": more.nuget_key,
    "Maven": MavenVersion,
}


def version_key(ecosystem: str, version: str) -> Any:
    """Sort key of ``version`` in ``ecosystem`` (one of KEYS)."""
    try:
        key = KEYS[ecosystem]
    except KeyError:
        raise VersionError(f"no version ordering for ecosystem {ecosystem!r}") from None
    return key(version)


def normalise_name(ecosystem: str, name: str) -> str:
    """The name under which a package is indexed: PEP 503 for PyPI, lower case for the
    registries whose names ignore case (NuGet, Packagist), exact for the others."""
    if ecosystem == "PyPI":
        return _PEP503_SEPARATORS.sub("-", name).lower()
    if ecosystem in _CASELESS:
        return name.lower()
    return name
