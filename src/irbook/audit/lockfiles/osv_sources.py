"""Advisory sources: OSV JSON files, directories, ``all.zip`` dumps and plain version lists.

Each reader yields ``(RecordRow, source)`` pairs and counts what it skipped; bad input raises
InvalidInputError naming the file (or ``dump.zip!member``), with line:col for JSON syntax errors.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path

from irbook.audit.lockfiles import osv_lists
from irbook.audit.lockfiles.osv_bytes import PROGRESS_EVERY, Unreadable, guarded, read_json_bytes
from irbook.audit.lockfiles.osv_records import (
    STAGING_PREFIX,
    invalid,
)
from irbook.audit.lockfiles.rows import Key, Progress, RecordRow
from irbook.audit.lockfiles.versions import normalise_name
from irbook.errors import NotFoundError

Rows = Iterator[tuple[RecordRow, str]]
# ossf/malicious-packages folder names; PyPI and NuGet folders keep the published spelling and
# are matched by normalised name after one listing (PEP 503; lower case).
OSSF_ECOSYSTEM_DIRS = {
    "npm": "npm",
    "PyPI": "pypi",
    "Go": "go",
    "crates.io": "crates.io",
    "Packagist": "packagist",
    "RubyGems": "rubygems",
    "NuGet": "nuget",
    "Pub": "pub",
    "Maven": "maven",  # folders named group:artifact, as OSV names the package
}
_LISTED = frozenset({"PyPI", "NuGet"})  # Packagist names are lower case by rule: used as they are


def read(
    path: Path,
    *,
    only: Collection[Key] | None,
    cache_dir: Path | None,
    progress: Progress | None,
    skipped: Counter[str],
    unreadable: Unreadable = None,
) -> Rows:
    """The rows of one advisory source. With ``unreadable`` (a list: --keep-going), a file that
    does not parse is recorded there instead of stopping the run."""
    if not path.exists():
        raise NotFoundError(
            f"advisory source not found: {path}",
            hint="pass OSV JSON files, directories, all.zip dumps or lists",
        )
    if path.is_dir():
        yield from _read_dir(path, only, progress, skipped, unreadable)
    elif path.suffix.lower() == ".zip":
        # Imported here: zipfile, sqlite3 and the cache cost start-up time that a run over
        # folders and lists (every runbook check) does not need.
        from irbook.audit.lockfiles import osv_zip

        yield from osv_zip.read_zip(
            path,
            only=only,
            cache_dir=cache_dir,
            progress=progress,
            skipped=skipped,
            unreadable=unreadable,
        )
    elif path.suffix.lower() == ".json":
        yield from guarded(_read_json(path, skipped), unreadable)
    else:
        yield from guarded(osv_lists.read_list(path, skipped), unreadable)


def _read_json(path: Path, skipped: Counter[str], only: Collection[Key] | None = None) -> Rows:
    yield from read_json_bytes(_read_bytes(path), str(path), skipped, only)


def _read_bytes(path: Path) -> bytes:
    from irbook.files import limits
    from irbook.files.read import read_bounded

    try:  # FIFOs and devices refused; a 1.5 GB file is not read into memory
        return read_bounded(path, kind="advisory file", max_bytes=limits.ADVISORY_FILE_BYTES)
    except OSError as exc:
        raise invalid(str(path), f"cannot read advisory file: {exc.strerror}") from None


def _read_dir(
    root: Path,
    only: Collection[Key] | None,
    progress: Progress | None,
    skipped: Counter[str],
    unreadable: Unreadable,
) -> Rows:
    ossf = _ossf_root(root)
    if ossf is not None and only is not None:
        files = list(_ossf_package_files(ossf, only))
        yield from _read_files(files, None, None, skipped, unreadable)
        return
    files = list(_walk_json(ossf or root))
    yield from _read_files(files, only, progress, skipped, unreadable)


def _read_files(
    files: list[Path],
    only: Collection[Key] | None,
    progress: Progress | None,
    skipped: Counter[str],
    unreadable: Unreadable,
) -> Rows:
    for n, path in enumerate(files, 1):
        if path.name.startswith(STAGING_PREFIX):
            skipped["staging"] += 1
            continue
        yield from guarded(_read_json(path, skipped, only), unreadable)
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY, len(files))
    if progress is not None and files:
        progress(len(files) % PROGRESS_EVERY, len(files))


def _walk_json(root: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".json"):
                yield Path(directory, name)


def _ossf_root(path: Path) -> Path | None:
    """The ``osv/malicious`` folder of an ossf/malicious-packages checkout given at any level."""
    for candidate in (path / "osv" / "malicious", path / "malicious", path):
        if candidate.name == "malicious" and candidate.is_dir():
            return candidate
    return None


def _ossf_package_files(root: Path, only: Collection[Key]) -> Iterator[Path]:
    """The record files of the wanted packages: ``<root>/<ecosystem>/<name>/*.json``.

    The layout files each report under its package's folder, so no other folder can hold a
    record about these packages. PyPI and NuGet folders keep the published spelling: they are
    matched by normalised name after one listing of their ecosystem's folder.
    """
    listings: dict[str, dict[str, list[str]]] = {}
    for ecosystem, key in sorted(only):
        folder = OSSF_ECOSYSTEM_DIRS.get(ecosystem)
        if folder is None:
            continue
        if ecosystem in _LISTED:
            if ecosystem not in listings:
                listings[ecosystem] = _listing_by_normalised_name(root / folder, ecosystem)
            names = listings[ecosystem].get(key, [])
        else:
            names = [key] if _safe_relative(key) else []
        for name in names:
            yield from _json_files_in(root / folder / name)


def _listing_by_normalised_name(folder: Path, ecosystem: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found.setdefault(normalise_name(ecosystem, entry.name), []).append(entry.name)
    except FileNotFoundError:
        pass
    return found


def _json_files_in(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json") and e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        yield folder / name


def _safe_relative(name: str) -> bool:
    """A package name usable as a relative folder path (never '..', absolute or odd bytes)."""
    parts = name.split("/")
    return (
        bool(name)
        and "\\" not in name
        and "\x00" not in name
        and all(p not in ("", ".", "..") for p in parts)
    )
