"""Strict OSV evaluation: is a locked package version affected by an advisory, and how?

A version is affected when it is listed in ``versions`` or lies in any SEMVER/ECOSYSTEM range,
evaluated as the OSV schema's pseudocode does (events sorted by version, ``introduced: "0"``
before everything, ``limit`` as an upper bound, ``"*"`` as infinity). The match says how:

- ``exact``: the version is listed in ``versions``;
- ``range``: it lies in a range with a real bound;
- ``all-versions``: only an open-ended ``introduced: "0"`` range (no fixed, last_affected or
  limit) covers it. Such records often sit next to an exact list and mean "we did not know",
  so the finding is shown as low confidence rather than trusted or hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from irbook.audit.lockfiles.advisories import Advisory, Affected, OsvRange
from irbook.audit.lockfiles.packages import Finding, LockedPackage, MatchKind
from irbook.audit.lockfiles.versions import version_key
from irbook.errors import VersionError

_STRENGTH: dict[MatchKind, int] = {"exact": 3, "range": 2, "all-versions": 1}


def match_package(package: LockedPackage, entries: Sequence[Affected]) -> list[Finding]:
    """The findings of one locked package against the index entries of its name."""
    try:
        key: Any = version_key(package.ecosystem, package.version)
    except VersionError:
        key = None  # not a version of its ecosystem (git ref, tarball...): only exact listing
    best: dict[str, tuple[MatchKind, Advisory]] = {}
    fixes: dict[str, list[str]] = {}
    for entry in entries:
        if entry.ecosystem != package.ecosystem:
            continue
        kind = affected_by(entry, package.version, key)
        ident = entry.advisory.id
        fixes.setdefault(ident, []).extend(_fixed_events(entry.ranges))
        if kind is not None and (ident not in best or _STRENGTH[kind] > _STRENGTH[best[ident][0]]):
            best[ident] = (kind, entry.advisory)
    return [
        Finding(
            package=package,
            advisory=ident,
            aliases=advisory.aliases,
            match=kind,
            summary=advisory.summary,
            safe_version=first_fix_above(package.ecosystem, key, fixes[ident]),
            references=advisory.references,
        )
        for ident, (kind, advisory) in sorted(best.items())
    ]


def affected_by(entry: Affected, version: str, key: Any) -> MatchKind | None:
    if _listed(entry, version, key):
        return "exact"
    if key is None:
        return None
    found: MatchKind | None = None
    for osv_range in entry.ranges:
        if in_range(entry.ecosystem, osv_range, key):
            if not is_open_ended(osv_range):
                return "range"
            found = "all-versions"
    return found


def _listed(entry: Affected, version: str, key: Any) -> bool:
    if version in entry.versions:
        return True
    if key is None:
        return False
    # "1.0" and "1.0.0" are one PyPI version; "1.2.3+build" is 1.2.3 for SemVer.
    for listed in entry.versions:
        try:
            if version_key(entry.ecosystem, listed) == key:
                return True
        except VersionError:
            continue
    return False


def is_open_ended(osv_range: OsvRange) -> bool:
    """Only ``introduced: "0"`` events: every version ever published, with no evidence."""
    return all(kind == "introduced" and value == "0" for kind, value in osv_range.events)


def in_range(ecosystem: str, osv_range: OsvRange, key: Any) -> bool:
    """The OSV ``IncludedInRanges`` pseudocode for one range; an unparsable bound: not included."""
    try:
        events = sorted(
            (
                (_event_key(ecosystem, kind, value), kind)
                for kind, value in osv_range.events
                if kind != "limit"
            ),
            key=lambda e: e[0],
        )
        limits = [
            _event_key(ecosystem, kind, value)
            for kind, value in osv_range.events
            if kind == "limit"
        ]
    except VersionError:
        return False
    if limits and not any(key < limit for limit in limits):
        return False
    vulnerable = False
    for bound, kind in events:
        if kind == "introduced" and key >= bound:
            vulnerable = True
        elif (kind == "fixed" and key >= bound) or (kind == "last_affected" and key > bound):
            vulnerable = False
    return vulnerable


class _Bottom:
    """Sorts before every version: ``introduced: "0"``."""

    def __lt__(self, other: object) -> bool:
        return not isinstance(other, _Bottom)

    def __gt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return isinstance(other, _Bottom)


class _Top:
    """Sorts after every version: ``limit: "*"``."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return not isinstance(other, _Top)

    def __le__(self, other: object) -> bool:
        return isinstance(other, _Top)

    def __ge__(self, other: object) -> bool:
        return True


BOTTOM, TOP = _Bottom(), _Top()


def _event_key(ecosystem: str, kind: str, value: str) -> Any:
    if kind == "introduced" and value == "0":
        return BOTTOM
    if kind == "limit" and "*" in value:
        return TOP
    return version_key(ecosystem, value)


def _fixed_events(ranges: Iterable[OsvRange]) -> list[str]:
    return [value for r in ranges for kind, value in r.events if kind == "fixed"]


def first_fix_above(ecosystem: str, key: Any, fixed: Iterable[str]) -> str | None:
    """The lowest ``fixed`` version above the locked one: the version to move to."""
    if key is None:
        return None
    candidates: list[tuple[Any, str]] = []
    for value in fixed:
        try:
            fixed_key = version_key(ecosystem, value)
        except VersionError:
            continue
        if fixed_key > key:
            candidates.append((fixed_key, value))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None
