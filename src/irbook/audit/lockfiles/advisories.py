"""OSV advisories: load records from files, directories, ``all.zip`` dumps and plain lists, index
them by package.

A record becomes one :class:`Affected` per ``affected[]`` entry of an ecosystem irbook audits (npm,
PyPI), indexed under ``(ecosystem, normalised name)``. Records that must not match are dropped at
load time: ``MAL-0000-*`` staging files, empty ids and withdrawn records.

Speed (docs/performance.md, "Lockfile audit"): parsing 200,000 JSON records costs seconds, so a
caller that knows which packages it will look up passes ``only=``; then records about other
packages are skipped before JSON parsing (a byte-level prefilter that can only over-select), and in
the ossf/malicious-packages layout, where a record lives under ``<ecosystem>/<name>/``, only the
directories of those packages are read at all. ``all.zip`` dumps are cached after the first read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from irbook.audit.lockfiles import osv_sources
from irbook.audit.lockfiles.gcpause import gc_paused
from irbook.audit.lockfiles.rows import ECOSYSTEMS, EventRow, Key, Progress, RecordRow
from irbook.audit.lockfiles.versions import normalise_name
from irbook.errors import Problem

__all__ = ["ECOSYSTEMS", "Advisory", "AdvisoryIndex", "Affected", "Key", "OsvRange", "Progress"]


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str | None
    references: tuple[str, ...]
    source: str  # the file (or zip member) it came from


@dataclass(frozen=True, slots=True)
class OsvRange:
    type: str  # SEMVER or ECOSYSTEM (GIT ranges cannot be evaluated on versions and are dropped)
    events: tuple[EventRow, ...]


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected[]`` entry: a package, its listed versions and its ranges."""

    advisory: Advisory
    ecosystem: str
    name: str
    versions: tuple[str, ...]
    ranges: tuple[OsvRange, ...]


@dataclass
class AdvisoryIndex:
    """Affected entries by (ecosystem, normalised name), plus what was read and skipped."""

    entries: dict[Key, list[Affected]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # withdrawn, staging, empty-id...
    unreadable: list[Problem] = field(default_factory=list)  # with keep_going only

    def lookup(self, ecosystem: str, name: str) -> list[Affected]:
        return self.entries.get((ecosystem, normalise_name(ecosystem, name)), [])

    def add(self, row: RecordRow, source: str, only: Collection[Key] | None) -> None:
        ident, aliases, summary, references, affected = row
        self.records += 1
        advisory: Advisory | None = None
        for ecosystem, name, versions, ranges in affected:
            key = (ecosystem, normalise_name(ecosystem, name))
            if only is not None and key not in only:
                continue
            advisory = advisory or Advisory(ident, aliases, summary, references, source)
            entry = Affected(
                advisory,
                ecosystem,
                name,
                versions,
                tuple(OsvRange(kind, events) for kind, events in ranges),
            )
            self.entries.setdefault(key, []).append(entry)

    @property
    def packages(self) -> int:
        return len(self.entries)


def load_advisories(
    paths: Sequence[Path],
    *,
    only: Collection[Key] | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    keep_going: bool = False,
) -> AdvisoryIndex:
    """Read every advisory source in ``paths`` into one index.

    ``only``: the (ecosystem, normalised name) keys the caller will look up; records about other
    packages may be skipped unread. ``cache_dir``: where ``all.zip`` dumps are cached.
    Raises NotFoundError for a missing path and InvalidInputError naming the file for bad input;
    with ``keep_going``, unreadable files are listed in ``index.unreadable`` instead (the caller
    must still fail the run: what they hold was not checked).
    """
    index = AdvisoryIndex()
    with gc_paused():  # the index is acyclic rows and frozen records (gcpause.py says why)
        for path in paths:
            for row, source in osv_sources.read(
                path,
                only=only,
                cache_dir=cache_dir,
                progress=progress,
                skipped=index.skipped,
                unreadable=index.unreadable if keep_going else None,
            ):
                index.add(row, source, only)
            index.files.append(str(path))
    return index


def wanted_keys(packages: Iterable[tuple[str, str]]) -> frozenset[Key]:
    """Index keys for (ecosystem, name) pairs, for ``load_advisories(only=...)``."""
    return frozenset((eco, normalise_name(eco, name)) for eco, name in packages)
