"""Shared helpers of the inventory readers: safe reading, JSON/TOML with positions, npm specs.

Every reader turns bad input into one InvalidInputError naming the file and, where there is one,
the line and column; nothing here lets a traceback reach the user.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.packages import Ecosystem, LockedPackage
from irbook.errors import InvalidInputError, Problem

# Real lockfiles of large monorepos reach tens of MB; this only stops a mistaken disk image.
MAX_BYTES = 512 * 1024 * 1024


def fail(
    path: Path | str,
    message: str,
    *,
    line: int = 1,
    column: int = 1,
    location: str = "",
    hint: str | None = None,
) -> InvalidInputError:
    return InvalidInputError([Problem(str(path), line, column, location, message)], hint=hint)


def check_lockfile_version(
    path: Path, text: str, version: Any, supported: tuple[int, ...], *, hint: str
) -> int:
    """The ``lockfileVersion`` of a JSON lockfile, or an error pointing at it when we cannot
    read that version."""
    if isinstance(version, int) and not isinstance(version, bool) and version in supported:
        return version
    line, column = locate(text, '"lockfileVersion"')
    readable = ", ".join(map(str, supported[:-1])) + f" and {supported[-1]}"
    raise fail(
        path,
        f"unsupported lockfileVersion {version!r}; irbook reads {readable}",
        line=line,
        column=column,
        location="lockfileVersion",
        hint=hint,
    )


def fail_at(
    path: Path, kind: str, needle: str, message: str, *, nth: int = 0, **kwargs: Any
) -> InvalidInputError:
    """Like ``fail``, pinned to the ``nth`` occurrence of ``needle`` in the file.

    Only called on the error path, so reading the file again costs nothing that matters.
    """
    try:
        text = read_text(path, kind)
    except InvalidInputError:
        text = ""
    index = -1
    for _ in range(nth + 1):
        index = text.find(needle, index + 1)
        if index < 0:
            break
    line, column = position(text, index) if index >= 0 else (1, 1)
    return fail(path, message, line=line, column=column, **kwargs)


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def locate(text: str, needle: str) -> tuple[int, int]:
    """Line and column of the first occurrence of ``needle`` (1, 1 when absent)."""
    index = text.find(needle)
    return position(text, index) if index >= 0 else (1, 1)


def read_text(path: Path, kind: str) -> str:
    """A UTF-8 text file, or InvalidInputError naming it (missing, directory, binary, too big)."""
    from irbook.files.read import read_bounded

    try:
        raw = read_bounded(path, kind=kind, max_bytes=MAX_BYTES)  # FIFOs and devices refused
    except FileNotFoundError:
        raise fail(path, f"{kind} not found") from None
    except IsADirectoryError:
        raise fail(path, f"{kind} is a directory, not a file") from None
    except OSError as exc:
        raise fail(path, f"cannot read {kind}: {exc.strerror}") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise fail(
            path,
            f"{kind} is binary (NUL byte), not text",
            line=line,
            hint="is this the right file? irbook reads text lockfiles and JSON SBOMs",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(
            path, f"{kind} is not UTF-8 text (binary file?)", line=line, column=column
        ) from None


def parse_json(text: str, path: Path, kind: str) -> dict[str, Any]:
    """A JSON object; syntax errors keep the decoder's line and column."""
    if not text.strip():
        raise fail(path, f"{kind} is empty", hint="regenerate it with the package manager")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        rest = text[exc.pos + 1 :]
        truncated = exc.pos >= len(text.rstrip()) or (
            exc.msg.startswith("Unterminated") and '"' not in rest
        )
        why = f"{exc.msg}; the file ends early (truncated?)" if truncated else exc.msg
        raise fail(
            path,
            f"{kind} is not valid JSON: {why}",
            line=exc.lineno,
            column=exc.colno,
            hint="regenerate it, or restore it from version control",
        ) from None
    except (RecursionError, ValueError) as exc:  # 100k nested '[', a 5000-digit number
        raise _limit(exc, path, text, kind) from None
    if not isinstance(data, dict):
        raise fail(path, f"{kind} must be a JSON object, found {_json_type(data)}")
    return data


def load_json(path: Path, kind: str) -> dict[str, Any]:
    return parse_json(read_text(path, kind), path, kind)


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(path: Path, kind: str) -> dict[str, Any]:
    text = read_text(path, kind)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's tomllib puts the position only into the message text.
        message = str(exc)
        found = _TOML_AT.search(message)
        line, column = (int(found[1]), int(found[2])) if found else (1, 1)
        message = _TOML_AT.sub("", message).strip()
        raise fail(path, f"{kind} is not valid TOML: {message}", line=line, column=column) from None
    except (RecursionError, ValueError) as exc:
        raise _limit(exc, path, text, kind) from None


def _limit(exc: RecursionError | ValueError, path: Path, text: str, kind: str) -> Exception:
    from irbook.files.parsing import limit_problem

    problem = limit_problem(exc, str(path), text, kind)
    return InvalidInputError([problem]) if problem is not None else exc


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def table_list(data: dict[str, Any], key: str, path: Path, kind: str) -> list[dict[str, Any]]:
    """``[[key]]`` array of tables from a TOML lockfile; absent means empty."""
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise fail(path, f"{kind}: '{key}' must be an array of tables", location=key)
    return items


def text_field(entry: dict[str, Any], key: str, path: Path, where: str) -> str:
    """A required string field of a lockfile entry (numbers are accepted as written)."""
    value = entry.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    # where is "package[3]": point at the fourth [[package]] header of the file
    table, _, index = where.partition("[")
    raise fail_at(
        path,
        "lockfile",
        f"[[{table}]]",
        f"'{key}' is missing or not a string",
        nth=int(index.rstrip("]") or 0),
        location=f"{where}.{key}",
    )


def pypi(
    name: str, version: str, path: Path, source: str | None = None, groups: Iterable[str] = ()
) -> LockedPackage:
    return _package("PyPI", name, version, path, source, groups)


def npm(
    name: str, version: str, path: Path, source: str | None = None, groups: Iterable[str] = ()
) -> LockedPackage:
    return _package("npm", name, version, path, source, groups)


def locked(
    ecosystem: Ecosystem,
    name: str,
    version: str,
    path: Path,
    source: str | None = None,
    groups: Iterable[str] = (),
    direct: bool | None = None,
) -> LockedPackage:
    """A package of any ecosystem (the npm and pypi helpers above, for the others)."""
    return _package(ecosystem, name, version, path, source, groups, direct)


def _package(
    ecosystem: Ecosystem,
    name: str,
    version: str,
    path: Path,
    source: str | None,
    groups: Iterable[str],
    direct: bool | None = None,
) -> LockedPackage:
    return LockedPackage(
        ecosystem, name, version, str(path), source, tuple(sorted(set(groups))), direct
    )


# --- npm ---------------------------------------------------------------------------------------


def split_npm_spec(spec: str) -> tuple[str, str]:
    """``"@scope/name@range"`` -> ``("@scope/name", "range")``; no ``@`` -> ``(spec, "")``."""
    at = spec.find("@", 1)
    return (spec, "") if at < 0 else (spec[:at], spec[at + 1 :])


def is_version(value: str) -> bool:
    """A plain version (``1.2.3``, ``2.1.6+git``), not a URL, path, alias or git spec."""
    return bool(value) and value[0].isdigit() and ":" not in value and "/" not in value


# Registry tarballs look like <registry>/<name>/-/<name>-<version>.tgz on every npm registry.
_REGISTRY_TARBALL = re.compile(r"^https?://[^#?]+/-/(?:@[^/#?]+/)?[^/#?]+\.tgz(?:[#?].*)?$")


def npm_source(resolved: str | None) -> str | None:
    """None for a package from a registry, else where it really came from (git, URL, path)."""
    if not resolved or _REGISTRY_TARBALL.match(resolved):
        return None
    return resolved


def unique(packages: Iterable[LockedPackage]) -> list[LockedPackage]:
    """One entry per (name, version, source, file), in first-seen order.

    A package installed in several places is one finding, not many. Groups merge: if any copy is
    a production dependency (no groups) the package is one; otherwise the groups are united. It
    is direct if any copy is, indirect if a copy says so and none is direct.
    """
    merged: dict[tuple[str, str, str | None, str], LockedPackage] = {}
    for package in packages:
        key = (package.name, package.version, package.source, package.file)
        seen = merged.get(key)
        if seen is None:
            merged[key] = package
            continue
        groups = seen.groups
        if seen.groups and package.groups != seen.groups:
            groups = () if not package.groups else tuple(sorted({*seen.groups, *package.groups}))
        direct = _either(seen.direct, package.direct)
        if groups != seen.groups or direct != seen.direct:
            merged[key] = dataclasses.replace(seen, groups=groups, direct=direct)
    return list(merged.values())


def _either(a: bool | None, b: bool | None) -> bool | None:
    if a or b:
        return True
    return None if a is None and b is None else False
