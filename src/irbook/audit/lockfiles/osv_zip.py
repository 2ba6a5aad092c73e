"""OSV ``all.zip`` dumps, streamed member by member, with an optional cache of the parsed rows.

Opening a 200,000-member zip and parsing every record takes seconds; the dump changes once a day
at most. So the first read parses everything and, given a ``cache_dir``, writes the compact rows
next to the dump's size and mtime; later reads of the same unchanged file load the rows instead.
The cache is a private file (0600) in the user's cache directory: it is only ever trusted as much
as the user's own files, and any unreadable or stale cache is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.advisories import Key, Progress, RecordRow
from irbook.audit.lockfiles.osv_records import STAGING_PREFIX, invalid
from irbook.audit.lockfiles.osv_sources import PROGRESS_EVERY, mentions, read_json_bytes
from irbook.audit.lockfiles.versions import normalise_name

CACHE_FORMAT = 2
Rows = Iterator[tuple[RecordRow, str]]
# The cache maps "ecosystem\0normalised name" to the marshalled rows of that package's records:
# loading it creates only str and bytes objects (cheap, and invisible to the cyclic GC, which
# otherwise dominates unpacking millions of tuples), and only the wanted packages are unpacked.
Blobs = dict[str, bytes]


def read_zip(
    path: Path,
    *,
    only: Collection[Key] | None,
    cache_dir: Path | None,
    progress: Progress | None,
    skipped: Counter[str],
) -> Rows:
    fingerprint = _fingerprint(path)
    if cache_dir is not None:
        cached = _load_cache(cache_dir, path, fingerprint)
        if cached is not None:
            blobs, cached_skipped = cached
            skipped.update(cached_skipped)
            yield from _cached_rows(blobs, only, str(path), skipped)
            return
    # Without a cache to fill, records about other packages need not be parsed at all.
    prefilter = only if cache_dir is None else None
    by_key: dict[str, list[RecordRow]] = {}
    local_skipped: Counter[str] = Counter()
    for row, source in _stream(path, prefilter, progress, local_skipped):
        if cache_dir is not None:
            for key in {_blob_key(eco, name) for eco, name, _, _ in row[4]}:
                by_key.setdefault(key, []).append(row)
        yield row, source
    skipped.update(local_skipped)
    if cache_dir is not None:
        blobs = {key: marshal.dumps(rows) for key, rows in by_key.items()}
        _save_cache(cache_dir, path, fingerprint, blobs, local_skipped)


def _blob_key(ecosystem: str, name: str) -> str:
    return f"{ecosystem}\0{normalise_name(ecosystem, name)}"


def _cached_rows(
    blobs: Blobs, only: Collection[Key] | None, source: str, skipped: Counter[str]
) -> Rows:
    keys = list(blobs) if only is None else [f"{e}\0{n}" for e, n in sorted(only)]
    seen: set[str] = set()  # a record about several packages is stored under each of them
    for key in keys:
        blob = blobs.get(key)
        if blob is None:
            continue
        try:
            rows: Any = marshal.loads(blob)  # noqa: S302  # our own 0600 cache file; shape checked
        except (EOFError, ValueError, TypeError):
            continue
        for row in rows if isinstance(rows, list) else ():
            if type(row) is tuple and len(row) == 5 and row[0] not in seen:
                seen.add(row[0])
                yield row, source


def _stream(
    path: Path, only: Collection[Key] | None, progress: Progress | None, skipped: Counter[str]
) -> Rows:
    from irbook.files.read import open_regular

    try:
        with open_regular(path, kind="advisory dump") as raw, zipfile.ZipFile(raw) as archive:
            members = [
                m for m in archive.infolist() if not m.is_dir() and m.filename.endswith(".json")
            ]
            for n, member in enumerate(members, 1):
                if member.filename.rsplit("/", 1)[-1].startswith(STAGING_PREFIX):
                    skipped["staging"] += 1
                    continue
                data = _member_bytes(archive, member, path)
                if only is None or mentions(data, only):
                    yield from read_json_bytes(data, f"{path}!{member.filename}", skipped)
                if progress is not None and n % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY, len(members))
            if progress is not None and members:
                progress(len(members) % PROGRESS_EVERY, len(members))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise invalid(
            str(path),
            f"not a readable zip file: {exc}",
            hint="re-download the dump (e.g. npm/all.zip from the OSV bucket)",
        ) from None


def _member_bytes(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> bytes:
    from irbook.files import limits
    from irbook.files.read import read_stream_bounded

    try:  # a zip bomb member stops at the limit instead of filling memory
        with archive.open(member) as handle:
            return read_stream_bounded(
                handle,  # type: ignore[arg-type]  # ZipExtFile is a binary stream
                name=f"{path}!{member.filename}",
                kind="advisory",
                max_bytes=limits.ADVISORY_FILE_BYTES,
                size=member.file_size,
            )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
        raise invalid(
            f"{path}!{member.filename}",
            f"cannot read zip member: {exc}",
            hint="re-download the dump",
        ) from None


def _fingerprint(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns)


def _cache_file(cache_dir: Path, path: Path) -> Path:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return cache_dir / f"osv-{digest}.marshal"


def _load_cache(
    cache_dir: Path, path: Path, fingerprint: tuple[int, int]
) -> tuple[Blobs, dict[str, int]] | None:
    try:
        payload: Any = marshal.loads(_cache_file(cache_dir, path).read_bytes())  # noqa: S302  # as above
        fmt, stored, blobs, skipped = payload
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if fmt != CACHE_FORMAT or tuple(stored) != fingerprint:
        return None
    if not isinstance(blobs, dict) or not isinstance(skipped, dict):
        return None
    return blobs, skipped


def _save_cache(
    cache_dir: Path, path: Path, fingerprint: tuple[int, int], blobs: Blobs, skipped: Counter[str]
) -> None:
    """Write atomically; a cache that cannot be written only costs speed next time."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".osv-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                marshal.dump((CACHE_FORMAT, fingerprint, blobs, dict(skipped)), fh)
            Path(tmp).replace(_cache_file(cache_dir, path))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
