"""One OSV record (a decoded JSON object) to the compact rows the advisory index is built from.

Only what matching needs is kept: id, aliases, summary, reference URLs, and for each ``affected[]``
entry of an audited ecosystem its package, ``versions`` and SEMVER/ECOSYSTEM ranges.
``database_specific`` and ``ecosystem_specific`` are never evaluated (the OSV spec says they
have no effect on matching); a range hidden in them does not make anything affected.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from irbook.audit.lockfiles.rows import ECOSYSTEMS, AffectedRow, EventRow, RangeRow, RecordRow
from irbook.errors import InvalidInputError, Problem, RecordError

EVENT_KINDS = frozenset({"introduced", "fixed", "last_affected", "limit"})
RANGE_TYPES = frozenset({"SEMVER", "ECOSYSTEM"})  # GIT ranges need the repository: not evaluated
STAGING_PREFIX = "MAL-0000-"  # ossf/malicious-packages ingest staging copies, with an empty id


def invalid(
    source: str,
    message: str,
    *,
    line: int = 1,
    column: int = 1,
    location: str = "",
    hint: str | None = None,
) -> InvalidInputError:
    return InvalidInputError([Problem(source, line, column, location, message)], hint=hint)


def decode(data: bytes, source: str) -> Any:
    """JSON from bytes; a syntax error becomes InvalidInputError with the decoder's line:col."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(exc.doc.rstrip())
        why = "it ends early (truncated file?)" if truncated else exc.msg
        raise invalid(
            source,
            f"advisory is not valid JSON: {why}",
            line=exc.lineno,
            column=exc.colno,
            hint="re-download the advisory data",
        ) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise invalid(
            source, "advisory is not UTF-8 JSON (binary file?)", line=line, column=column
        ) from None
    except (RecursionError, ValueError) as exc:  # 100k nested '[', a 5000-digit number
        from irbook.files.parsing import limit_problem

        problem = limit_problem(exc, source, data, "advisory")
        if problem is None:
            raise
        raise invalid(source, problem.message, line=problem.line, column=problem.column) from None


def records_in(document: Any, source: str) -> list[Any]:
    """The records of a JSON document: one record, a list of them, or an OSV API ``{"vulns"}``."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and "vulns" in document and "id" not in document:
        vulns = document["vulns"]
        if not isinstance(vulns, list):
            raise invalid(source, "'vulns' must be a list of OSV records", location="vulns")
        return vulns
    return [document]


def record_row(data: Any, source: str, skipped: Counter[str]) -> RecordRow | None:
    """The compact row of one record, or None when it must not match (counted in ``skipped``)."""
    try:
        return _row(data, skipped)
    except RecordError as exc:
        raise invalid(
            source,
            exc.message,
            location=exc.location,
            hint="is this an OSV record? https://ossf.github.io/osv-schema/",
        ) from None


def _row(data: Any, skipped: Counter[str]) -> RecordRow | None:
    if not isinstance(data, dict):
        raise RecordError("", f"an OSV record must be a JSON object, found {type(data).__name__}")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.strip():
        skipped["empty id"] += 1
        return None
    if data.get("withdrawn"):
        skipped["withdrawn"] += 1
        return None
    affected = _list(data, "affected", "")
    rows: list[AffectedRow] = []
    for i, entry in enumerate(affected):
        row = _affected(entry, f"affected[{i}]")
        if row is not None:
            rows.append(row)
    aliases = tuple(a for a in _list(data, "aliases", "") if isinstance(a, str))
    summary = data.get("summary")
    refs = tuple(
        r["url"]
        for r in _list(data, "references", "")
        if isinstance(r, dict) and isinstance(r.get("url"), str)
    )
    return (
        ident.strip(),
        aliases,
        summary if isinstance(summary, str) else None,
        refs,
        tuple(rows),
    )


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        found = type(value).__name__
        raise RecordError(f"{where}.{key}".lstrip("."), f"must be a list, found {found}")
    return value


def _affected(entry: Any, where: str) -> AffectedRow | None:
    if not isinstance(entry, dict):
        raise RecordError(where, "must be an object")
    package = entry.get("package")
    if not isinstance(package, dict):
        return None  # allowed by the schema for GIT-only entries: nothing to match by name
    ecosystem, name = package.get("ecosystem"), package.get("name")
    if ecosystem not in ECOSYSTEMS:
        return None  # an ecosystem no lockfile irbook reads can hold
    if not isinstance(name, str) or not name:
        raise RecordError(f"{where}.package.name", "must be a non-empty string")
    versions = _list(entry, "versions", where)
    if not all(isinstance(v, str) for v in versions):
        raise RecordError(f"{where}.versions", "must be a list of strings")
    ranges = tuple(
        r
        for i, raw in enumerate(_list(entry, "ranges", where))
        if (r := _range(raw, f"{where}.ranges[{i}]")) is not None
    )
    return (ecosystem, name, tuple(versions), ranges)


def _range(raw: Any, where: str) -> RangeRow | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
        raise RecordError(where, "a range must be an object with a list of events")
    if raw.get("type") not in RANGE_TYPES:
        return None
    events: list[EventRow] = []
    for i, event in enumerate(raw["events"]):
        if not isinstance(event, dict) or len(event) != 1:
            raise RecordError(f"{where}.events[{i}]", "an event must be an object with one key")
        ((kind, version),) = event.items()
        if kind not in EVENT_KINDS or not isinstance(version, str):
            raise RecordError(
                f"{where}.events[{i}]",
                f"unknown event {kind!r}: expected one of {sorted(EVENT_KINDS)}",
            )
        events.append((kind, version))
    return (raw["type"], tuple(events))
