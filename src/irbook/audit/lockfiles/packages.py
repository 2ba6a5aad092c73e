"""The shared vocabulary of the supply-chain checks: a locked package and a finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Ecosystem = Literal[
    "npm", "PyPI", "Go", "crates.io", "Packagist", "RubyGems", "NuGet", "Pub", "Maven"
]
MatchKind = Literal["exact", "range", "all-versions"]
Origin = Literal["registry", "local", "git", "tarball"]

LOCAL_PREFIXES = ("file:", "link:", "portal:", "workspace:", "sdk:")
_GIT_PREFIXES = ("git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "ssh:")


def origin(source: str | None) -> Origin:
    """Where a locked package came from, by its ``source`` (None means a registry).

    Only registry packages are matched against advisories: an advisory names registry releases,
    and a local folder, a git commit or a tarball URL is not one of them even when it carries the
    same name and version (docs/audit.md, "What is matched").
    """
    if source is None:
        return "registry"
    if source.startswith(LOCAL_PREFIXES):
        return "local"
    if source.startswith(_GIT_PREFIXES) or ".git#" in source or "#commit" in source:
        return "git"
    if "://" in source and "#" in source and "github.com/" in source:
        return "git"  # https://github.com/owner/repo#sha (yarn classic)
    return "tarball"


@dataclass(frozen=True, slots=True)
class LockedPackage:
    """One package version recorded in a lockfile or SBOM."""

    ecosystem: Ecosystem
    name: str  # as the registry spells it (npm: "@scope/name"; PyPI: as written in the file)
    version: str
    file: str  # the lockfile or SBOM it came from
    source: str | None = None  # "git+https://...#sha", a tarball URL, "workspace", "link"...
    groups: tuple[str, ...] = ()  # "dev", "optional", "peer"...
    # A dependency the project names itself (True) or one pulled in by others (False); None
    # where the format does not say.
    direct: bool | None = None

    @property
    def origin(self) -> Origin:
        return origin(self.source)


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
