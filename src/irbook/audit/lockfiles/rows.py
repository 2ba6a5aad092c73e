"""The compact row types every advisory source yields and the index is built from.

They live apart from ``advisories`` (the index) and the readers (``osv_sources``, ``osv_zip``,
``osv_records``) so that the readers need not import the index that imports them: no cycle.
Plain tuples because they are marshal-friendly (the ``all.zip`` cache stores them) and cheap.
"""

from __future__ import annotations

from collections.abc import Callable

Key = tuple[str, str]  # (ecosystem, normalised name)
EventRow = tuple[str, str]  # (kind, version): kind is introduced | fixed | last_affected | limit
RangeRow = tuple[str, tuple[EventRow, ...]]  # (SEMVER | ECOSYSTEM, events)
AffectedRow = tuple[str, str, tuple[str, ...], tuple[RangeRow, ...]]  # eco, name, versions, ranges
RecordRow = tuple[str, tuple[str, ...], str | None, tuple[str, ...], tuple[AffectedRow, ...]]
# (id, aliases, summary, references, affected)

ECOSYSTEMS = ("npm", "PyPI", "Go", "crates.io", "Packagist", "RubyGems", "NuGet", "Pub", "Maven")
Progress = Callable[[int, int | None], None]  # (items just done, total when known)
