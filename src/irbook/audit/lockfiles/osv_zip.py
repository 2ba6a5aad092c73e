"""OSV ``all.zip`` dumps: streamed member by member, with a cache of the parsed records.

A dump holds up to hundreds of thousands of records and changes at most daily. The first read
streams every member (``zip_members``), parses it once and stores one row per record in an
indexed SQLite cache (``osv_cache``); later reads of the same unchanged dump look up only the
locked packages. The cyclic garbage collector is paused while the rows are built: they are
acyclic tuples, and with it running, each of the thousands of collections an import triggers
walks every row made so far.

Without a cache directory, records about other packages are never reshaped (the byte prefilter),
though every member is still parsed: a corrupt record is reported, never skipped unseen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO
from zipfile import ZipInfo

from irbook.audit.lockfiles import osv_cache
from irbook.audit.lockfiles.gcpause import gc_paused
from irbook.audit.lockfiles.osv_bytes import PROGRESS_EVERY, Unreadable, guarded, read_json_bytes
from irbook.audit.lockfiles.osv_records import STAGING_PREFIX
from irbook.audit.lockfiles.rows import Key, Progress, RecordRow
from irbook.audit.lockfiles.zip_members import fingerprint, json_members, member_bytes, open_archive
from irbook.errors import Problem

Rows = Iterator[tuple[RecordRow, str]]


def read_zip(
    path: Path,
    *,
    only: Collection[Key] | None,
    cache_dir: Path | None,
    progress: Progress | None,
    skipped: Counter[str],
    unreadable: Unreadable = None,
) -> Rows:
    source = str(path)
    if cache_dir is None:
        members = json_members(path)
        yield from _without_cache(path, members, only, progress, skipped, unreadable)
        return
    stamp = fingerprint(path)
    cached = osv_cache.lookup(cache_dir, path, stamp)
    if cached is None:
        members = json_members(path)
        reported = len(unreadable) if unreadable is not None else 0
        if not _import(path, members, cache_dir, stamp, progress, unreadable):
            # Unreadable members (--keep-going: already listed, so not again) or a cache that
            # could not be written: read the dump directly this time. A dump with unreadable
            # members is never cached, so the next run reports them too.
            listed = unreadable is not None and len(unreadable) > reported
            yield from _without_cache(
                path, members, only, None, skipped, [] if listed else unreadable
            )
            return
        cached = osv_cache.lookup(cache_dir, path, stamp)
        if cached is None:
            yield from _without_cache(path, members, only, None, skipped, unreadable)
            return
    skipped.update(cached.skipped)
    for row in cached.rows(only):
        yield row, source


def _import(
    path: Path,
    members: list[ZipInfo],
    cache_dir: Path,
    stamp: str,
    progress: Progress | None,
    unreadable: Unreadable,
) -> bool:
    """Parse every record into a new cache; False when it could not be built."""
    writer = osv_cache.CacheWriter(cache_dir, path, stamp)
    if writer.failed:
        return False  # the cache folder is not writable: do not parse the dump twice
    problems: list[Problem] | None = None if unreadable is None else []
    counted: Counter[str] = Counter()
    try:
        with gc_paused():
            for row, _ in guarded(
                _stream(path, members, None, progress, counted, problems), problems
            ):
                writer.add(row)
    except BaseException:
        writer.abandon()
        raise
    if unreadable is not None and problems:
        writer.abandon()
        unreadable.extend(problems)
        return False
    writer.commit(counted)
    return not writer.failed


def _without_cache(
    path: Path,
    members: list[ZipInfo],
    only: Collection[Key] | None,
    progress: Progress | None,
    skipped: Counter[str],
    unreadable: Unreadable,
) -> Rows:
    with gc_paused():
        yield from guarded(_stream(path, members, only, progress, skipped, unreadable), unreadable)


def _stream(
    path: Path,
    members: list[ZipInfo],
    only: Collection[Key] | None,
    progress: Progress | None,
    skipped: Counter[str],
    unreadable: Unreadable,
) -> Rows:
    wanted = [m for m in members if not m.filename.rsplit("/", 1)[-1].startswith(STAGING_PREFIX)]
    if len(wanted) < len(members):
        skipped["staging"] += len(members) - len(wanted)
    with open_archive(path) as handle:
        for n, member in enumerate(wanted, 1):
            rows = _member_rows(handle, member, path, only, skipped)
            yield from guarded(rows, unreadable)  # keep-going: a bad member, then the next
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY, len(wanted))
    if progress is not None and wanted:
        progress(len(wanted) % PROGRESS_EVERY, len(wanted))


def _member_rows(
    handle: BinaryIO,
    member: ZipInfo,
    path: Path,
    only: Collection[Key] | None,
    skipped: Counter[str],
) -> Rows:
    data = member_bytes(handle, member, path)
    yield from read_json_bytes(data, f"{path}!{member.filename}", skipped, only)
