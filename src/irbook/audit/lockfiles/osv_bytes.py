"""Raw advisory bytes to rows: parsing one JSON document, and the byte-level prefilter that
lets a reader skip records about packages nobody locked without parsing them."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterator

from irbook.audit.lockfiles.osv_records import decode, record_row, records_in
from irbook.audit.lockfiles.rows import Key, RecordRow
from irbook.audit.lockfiles.versions import normalise_name
from irbook.errors import InvalidInputError, Problem

Rows = Iterator[tuple[RecordRow, str]]
Unreadable = list[Problem] | None  # with --keep-going: where unreadable sources are listed
PROGRESS_EVERY = 2000
# Every package name in a record appears as "name": "<string>". A record none of whose "name"
# strings is a wanted package cannot match, so it need not be parsed. Escaped names are decoded;
# a record with an escape inside an object key (could spell "name" differently) is always parsed.
# The filter can only over-select.
_NAME_FIELD = re.compile(rb'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')
_ESCAPED_KEY = re.compile(rb'"(?:[^"\\]|\\.)*\\u[0-9a-fA-F]{4}(?:[^"\\]|\\.)*"\s*:')


def read_json_bytes(
    data: bytes, source: str, skipped: Counter[str], only: Collection[Key] | None = None
) -> Rows:
    """The rows of one JSON document. It is always parsed, even when the prefilter says it is
    about no wanted package: a corrupt file is reported, never skipped unseen."""
    document = decode(data, source)
    if only is not None and not mentions(data, only):
        return
    for record in records_in(document, source):
        row = record_row(record, source, skipped)
        if row is not None:
            yield row, source


def mentions(data: bytes, only: Collection[Key]) -> bool:
    """Could this raw record be about a wanted package? (False only when it certainly is not.)"""
    if b"\\u" in data and _ESCAPED_KEY.search(data):
        return True
    names = _wanted_names(only)
    for raw in _NAME_FIELD.findall(data):
        name = _json_string(raw) if b"\\" in raw else raw.decode("utf-8", "replace")
        if name in names or name.lower() in names or normalise_name("PyPI", name) in names:
            return True
    return False


_last_wanted: list[tuple[Collection[Key], frozenset[str]]] = []


def _wanted_names(only: Collection[Key]) -> frozenset[str]:
    """The wanted names of every ecosystem (normalised: exact, lower case or PEP 503), computed
    once per ``only`` (the same collection is passed for every file of a run; it is held here,
    so identity cannot be confused with a later object's)."""
    if not _last_wanted or _last_wanted[0][0] is not only:
        _last_wanted[:] = [(only, frozenset(name for _, name in only))]
    return _last_wanted[0][1]


def _json_string(raw: bytes) -> str:
    try:
        decoded = json.loads(b'"' + raw + b'"')
    except ValueError:
        return ""  # the full parse will report the record
    return decoded if isinstance(decoded, str) else ""


def guarded(rows: Rows, unreadable: Unreadable) -> Rows:
    """The rows of one source; an unreadable source raises, or with keep-going (``unreadable``
    is a list) is recorded there and the caller goes on with the next source."""
    try:
        yield from rows
    except InvalidInputError as exc:
        if unreadable is None:
            raise
        unreadable.extend(exc.problems)
