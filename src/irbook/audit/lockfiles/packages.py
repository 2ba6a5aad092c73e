"""The shared vocabulary of the supply-chain checks: a locked package and a finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Ecosystem = Literal["npm", "PyPI"]
MatchKind = Literal["exact", "range", "all-versions"]


@dataclass(frozen=True, slots=True)
class LockedPackage:
    """One package version recorded in a lockfile or SBOM."""

    ecosystem: Ecosystem
    name: str  # as the registry spells it (npm: "@scope/name"; PyPI: as written in the file)
    version: str
    file: str  # the lockfile or SBOM it came from
    source: str | None = None  # "git+https://...#sha", a tarball URL, "workspace", "link"...
    groups: tuple[str, ...] = ()  # "dev", "optional", "peer"...


@dataclass(frozen=True, slots=True)
class Finding:
    """A locked package that an advisory says is affected."""

    package: LockedPackage
    advisory: str  # OSV id, e.g. MAL-2026-3460 or GHSA-g7cv-rxg3-hmpx
    aliases: tuple[str, ...] = ()
    match: MatchKind = "exact"
    summary: str | None = None
    safe_version: str | None = None  # first fixed version, when the advisory names one
    references: tuple[str, ...] = field(default=())
