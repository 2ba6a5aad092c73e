"""Advisory sources: OSV JSON files, directories, ``all.zip`` dumps and plain version lists.

Each reader yields ``(RecordRow, source)`` pairs and counts what it skipped; bad input raises
InvalidInputError naming the file (or ``dump.zip!member``), with line:col for JSON syntax errors.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path

from irbook.audit.lockfiles.advisories import Key, Progress, RecordRow
from irbook.audit.lockfiles.osv_records import (
    STAGING_PREFIX,
    decode,
    invalid,
    record_row,
    records_in,
)
from irbook.audit.lockfiles.versions import normalise_name
from irbook.errors import NotFoundError

Rows = Iterator[tuple[RecordRow, str]]
OSSF_ECOSYSTEM_DIRS = {"npm": "npm", "PyPI": "pypi"}  # ossf/malicious-packages folder names
PROGRESS_EVERY = 2000
# Every package name in a record appears as "name": "<string>". A record none of whose "name"
# strings is a wanted package cannot match, so it need not be parsed. Escaped names are decoded;
# a record with an escape inside an object key (could spell "name" differently) is always parsed.
# The filter can only over-select.
_NAME_FIELD = re.compile(rb'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')
_ESCAPED_KEY = re.compile(rb'"(?:[^"\\]|\\.)*\\u[0-9a-fA-F]{4}(?:[^"\\]|\\.)*"\s*:')


def read(
    path: Path,
    *,
    only: Collection[Key] | None,
    cache_dir: Path | None,
    progress: Progress | None,
    skipped: Counter[str],
) -> Rows:
    if not path.exists():
        raise NotFoundError(
            f"advisory source not found: {path}",
            hint="pass OSV JSON files, directories, all.zip dumps or lists",
        )
    if path.is_dir():
        yield from _read_dir(path, only, progress, skipped)
    elif path.suffix.lower() == ".zip":
        from irbook.audit.lockfiles import osv_zip

        yield from osv_zip.read_zip(
            path, only=only, cache_dir=cache_dir, progress=progress, skipped=skipped
        )
    elif path.suffix.lower() == ".json":
        yield from read_json_bytes(_read_bytes(path), str(path), skipped)
    else:
        yield from read_list(path)


def read_json_bytes(data: bytes, source: str, skipped: Counter[str]) -> Rows:
    for record in records_in(decode(data, source), source):
        row = record_row(record, source, skipped)
        if row is not None:
            yield row, source


def mentions(data: bytes, only: Collection[Key]) -> bool:
    """Could this raw record be about a wanted package? (False only when it certainly is not.)"""
    if b"\\u" in data and _ESCAPED_KEY.search(data):
        return True
    for raw in _NAME_FIELD.findall(data):
        name = _json_string(raw) if b"\\" in raw else raw.decode("utf-8", "replace")
        if ("npm", name) in only or ("PyPI", normalise_name("PyPI", name)) in only:
            return True
    return False


def _json_string(raw: bytes) -> str:
    try:
        decoded = json.loads(b'"' + raw + b'"')
    except ValueError:
        return ""  # the full parse will report the record
    return decoded if isinstance(decoded, str) else ""


def _read_bytes(path: Path) -> bytes:
    from irbook.files import limits
    from irbook.files.read import read_bounded

    try:  # FIFOs and devices refused; a 1.5 GB file is not read into memory
        return read_bounded(path, kind="advisory file", max_bytes=limits.ADVISORY_FILE_BYTES)
    except OSError as exc:
        raise invalid(str(path), f"cannot read advisory file: {exc.strerror}") from None


def _read_dir(
    root: Path, only: Collection[Key] | None, progress: Progress | None, skipped: Counter[str]
) -> Rows:
    ossf = _ossf_root(root)
    if ossf is not None and only is not None:
        files = list(_ossf_package_files(ossf, only))
        yield from _read_files(files, None, None, skipped)
        return
    files = list(_walk_json(ossf or root))
    yield from _read_files(files, only, progress, skipped)


def _read_files(
    files: list[Path],
    only: Collection[Key] | None,
    progress: Progress | None,
    skipped: Counter[str],
) -> Rows:
    for n, path in enumerate(files, 1):
        if path.name.startswith(STAGING_PREFIX):
            skipped["staging"] += 1
            continue
        data = _read_bytes(path)
        if only is None or mentions(data, only):
            yield from read_json_bytes(data, str(path), skipped)
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
    record about these packages. PyPI folders keep the published spelling: they are matched by
    normalised name after one listing of ``pypi/``.
    """
    pypi: dict[str, list[str]] | None = None
    for ecosystem, key in sorted(only):
        folder = OSSF_ECOSYSTEM_DIRS.get(ecosystem)
        if folder is None:
            continue
        if ecosystem == "PyPI":
            if pypi is None:
                pypi = _listing_by_normalised_name(root / folder)
            names = pypi.get(key, [])
        else:
            names = [key] if _safe_relative(key) else []
        for name in names:
            yield from _json_files_in(root / folder / name)


def _listing_by_normalised_name(folder: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found.setdefault(normalise_name("PyPI", entry.name), []).append(entry.name)
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


LIST_HINT = "each line is ecosystem:name:version, e.g. npm:@tanstack/react-router:1.169.5"


def read_list(path: Path) -> Rows:
    """A plain list: one ``ecosystem:name:version`` per line; ``#`` starts a comment."""
    from irbook.errors import InvalidInputError, Problem

    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid(
            str(path), "advisory list is not UTF-8 text (binary file?)", hint=LIST_HINT
        ) from None
    problems: list[Problem] = []
    rows: list[tuple[RecordRow, str]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        body = line.split(" #", 1)[0].strip()
        if not body or body.startswith("#"):
            continue
        parsed = _list_entry(body)
        if isinstance(parsed, str):
            problems.append(Problem(str(path), lineno, line.find(body) + 1, "", parsed))
            continue
        ecosystem, name, version = parsed
        ident = f"{path.name}:{lineno}"
        rows.append(
            ((ident, (), f"listed in {path}", (), ((ecosystem, name, (version,), ()),)), str(path))
        )
    if problems:
        raise InvalidInputError(problems, hint=LIST_HINT)
    yield from rows


def _list_entry(body: str) -> tuple[str, str, str] | str:
    ecosystem, sep, rest = body.partition(":")
    name, sep2, version = rest.rpartition(":")
    if not sep or not sep2 or not name.strip() or not version.strip():
        return f"expected ecosystem:name:version, found {body!r}"
    canonical = {e.lower(): e for e in OSSF_ECOSYSTEM_DIRS}.get(ecosystem.strip().lower())
    if canonical is None:
        return f"unknown ecosystem {ecosystem.strip()!r}: expected npm or PyPI"
    return canonical, name.strip(), version.strip()
