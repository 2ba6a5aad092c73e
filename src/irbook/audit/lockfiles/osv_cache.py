"""The cache of an OSV ``all.zip`` dump: one SQLite file, one row per record and package.

The first read of a dump parses every record once and stores its compact row (marshalled) under
the (ecosystem, normalised name) of each package it names, indexed, so later runs look up only the
locked packages: a few hundred indexed reads instead of 200,000 JSON records. The file is keyed
by the dump's path and stamped with its fingerprint (size and a digest of its central directory),
so a changed dump is detected and re-imported, even with the same size and modification time.

It is a private file (0600, in a 0700 folder) in the user's cache directory, built in a temporary
file and renamed into place only when complete: a crash never leaves a half cache that looks
whole. It is trusted no more than the user's own files; an unreadable, foreign or stale cache is
ignored and rebuilt, and one that cannot be written only costs speed next time.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.rows import Key, RecordRow
from irbook.audit.lockfiles.versions import normalise_name

CACHE_FORMAT = "3"
BATCH = 5000
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE records (ecosystem TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL,"
    " row BLOB NOT NULL)",
)
_INDEX = "CREATE INDEX records_by_package ON records (ecosystem, name)"


def cache_file(cache_dir: Path, dump: Path) -> Path:
    digest = hashlib.sha256(str(dump.resolve()).encode()).hexdigest()[:32]
    return cache_dir / f"osv-{digest}.sqlite3"


class CachedDump:
    """An open, current cache: ``rows(only)`` yields the records about the wanted packages."""

    def __init__(self, db: sqlite3.Connection, skipped: dict[str, int]) -> None:
        self._db = db
        self.skipped = Counter({str(k): int(v) for k, v in skipped.items()})

    def rows(self, only: Collection[Key] | None) -> Iterator[RecordRow]:
        seen: set[str] = set()  # a record about several packages is stored under each of them
        try:
            for ident, blob in self._select(only):
                if ident in seen:
                    continue
                seen.add(ident)
                row: Any = marshal.loads(blob)  # noqa: S302  # our own 0600 cache; shape checked
                if type(row) is tuple and len(row) == 5:
                    yield row
        finally:
            self._db.close()

    def _select(self, only: Collection[Key] | None) -> Iterator[tuple[str, bytes]]:
        if only is None:
            yield from self._db.execute("SELECT id, row FROM records ORDER BY rowid")
            return
        for ecosystem, name in sorted(only):
            yield from self._db.execute(
                "SELECT id, row FROM records WHERE ecosystem = ? AND name = ?", (ecosystem, name)
            )


def lookup(cache_dir: Path, dump: Path, fingerprint: str) -> CachedDump | None:
    """The cache of ``dump`` when it exists and was built from these very bytes."""
    path = cache_file(cache_dir, dump)
    if not path.is_file():
        return None
    db: sqlite3.Connection | None = None
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != CACHE_FORMAT or meta.get("fingerprint") != fingerprint:
            db.close()
            return None
        skipped = json.loads(meta.get("skipped", "{}"))
        if not isinstance(skipped, dict):
            raise ValueError("skipped")
        return CachedDump(db, skipped)
    except (sqlite3.Error, ValueError, TypeError):
        if db is not None:
            db.close()
        return None


class CacheWriter:
    """Builds a cache in a temporary file; ``commit`` renames it into place. Any failure to
    write marks it ``failed`` and drops it: the caller then reads the dump without a cache."""

    def __init__(self, cache_dir: Path, dump: Path, fingerprint: str) -> None:
        self.failed = False
        self._final = cache_file(cache_dir, dump)
        self._fingerprint = fingerprint
        self._batch: list[tuple[str, str, str, bytes]] = []
        self._tmp: Path | None = None
        self._db: sqlite3.Connection | None = None
        try:
            cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".osv-", suffix=".tmp")  # 0600
            os.close(fd)
            self._tmp = Path(tmp)
            self._db = sqlite3.connect(tmp, isolation_level=None)
            # A cache under construction needs no journal: a crash leaves only a temp file.
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("BEGIN")
            for statement in _SCHEMA:
                self._db.execute(statement)
        except (OSError, sqlite3.Error):
            self.abandon()

    def add(self, row: RecordRow) -> None:
        if self.failed:
            return
        blob = marshal.dumps(row)
        for ecosystem, name in {(eco, normalise_name(eco, n)) for eco, n, _, _ in row[4]}:
            self._batch.append((ecosystem, name, row[0], blob))
        if len(self._batch) >= BATCH:
            self._flush()

    def commit(self, skipped: Counter[str]) -> None:
        if self.failed or self._db is None or self._tmp is None:
            return
        try:
            self._flush()
            self._db.execute(_INDEX)
            self._db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("format", CACHE_FORMAT),
                    ("fingerprint", self._fingerprint),
                    ("skipped", json.dumps(dict(skipped))),
                ],
            )
            self._db.execute("COMMIT")
            self._db.close()
            self._db = None
            self._tmp.replace(self._final)
            self._final.with_suffix(".marshal").unlink(missing_ok=True)  # format 2's cache
        except (OSError, sqlite3.Error):
            self.abandon()

    def abandon(self) -> None:
        self.failed = True
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def _flush(self) -> None:
        if not self._batch or self._db is None:
            return
        try:
            self._db.executemany(
                "INSERT INTO records (ecosystem, name, id, row) VALUES (?, ?, ?, ?)", self._batch
            )
        except sqlite3.Error:
            self.abandon()
        self._batch.clear()
