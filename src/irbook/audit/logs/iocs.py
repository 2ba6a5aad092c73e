"""Indicators of compromise: what they are, how to read them, and where they come from.

An IOC is one of seven kinds, each matched in logs by its own rules (``irbook.audit.logs.iocmatch``):
``domain``, ``url``, ``ipv4``, ``ipv6``, ``sha256``, ``filename`` (a bare name or a path) and
``marker`` (any other string, matched exactly). Sources: IOC files (one indicator per line, ``#``
comments, an optional ``kind:`` prefix to overrule detection), ``database_specific.iocs`` of OSV
records, and ``--domain`` values. Defanged indicators (``hxxp``, ``[.]``, ``(.)``, ``[:]``) are
refanged.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from irbook.errors import InvalidInputError, NotFoundError, Problem, UsageError
from irbook.files import limits
from irbook.files.parsing import limit_problem
from irbook.files.read import open_regular, read_bounded, read_stream_bounded

IocKind = Literal["domain", "url", "ipv4", "ipv6", "sha256", "filename", "marker"]
IOC_KINDS: tuple[IocKind, ...] = ("domain", "url", "ipv4", "ipv6", "sha256", "filename", "marker")


@dataclass(frozen=True, slots=True)
class Ioc:
    """One indicator, normalised (refanged; lower case where case carries no meaning)."""

    kind: IocKind
    value: str
    sources: tuple[str, ...] = ()  # "iocs.txt:3", "MAL-2026-3463", "--domain"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "sources": list(self.sources)}


# The scheme rules run first: their lookahead accepts a still-defanged "[:]//".
_REFANG = (
    (re.compile(r"^hxxp(?=s?(\[:\]|:)//)", re.IGNORECASE), "http"),
    (re.compile(r"^fxp(?=s?(\[:\]|:)//)", re.IGNORECASE), "ftp"),
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]", re.IGNORECASE), "."),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"\[/\]"), "/"),
)


def refang(text: str) -> str:
    """Undo the usual defanging: ``hxxps://evil[.]com`` becomes ``https://evil.com``."""
    text = text.strip()
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    scheme, sep, rest = text.partition("://")
    if sep and scheme.isalpha():
        text = f"{scheme.lower()}://{rest}"
    return text


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_FILE_LIKE = re.compile(r"^[^\s/\\:]+\.[A-Za-z0-9]{1,8}$")
_PATH_LIKE = re.compile(r"^(/|~/|\./|[A-Za-z]:\\|\\\\)")
# Extensions of code, archives and executables that are no top-level domain.
_FILE_EXTENSIONS = frozenset(
    {
        "js",
        "mjs",
        "cjs",
        "ts",
        "jsx",
        "tsx",
        "json",
        "exe",
        "dll",
        "ps1",
        "psm1",
        "bat",
        "cmd",
        "vbs",
        "jar",
        "class",
        "war",
        "msi",
        "dmg",
        "pkg",
        "deb",
        "rpm",
        "apk",
        "elf",
        "txt",
        "log",
        "tgz",
        "gz",
        "tar",
        "bz2",
        "xz",
        "7z",
        "rar",
        "whl",
        "egg",
        "node",
        "lnk",
        "scr",
        "hta",
        "iso",
        "img",
        "plist",
        "yml",
        "yaml",
        "toml",
        "lock",
        "cfg",
        "conf",
        "ini",
        "php",
        "rb",
        "lua",
        "wasm",
        "pyc",
        "bash",
    }
)
# Extensions that are also top-level domains: "name.sh" is a file, "a.name.sh" a domain.
_AMBIGUOUS_EXTENSIONS = frozenset({"sh", "py", "pl", "so", "zip", "app", "dylib", "bin"})
_PREFIXES: dict[str, IocKind] = {
    "domain": "domain",
    "url": "url",
    "ip": "ipv4",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "sha256": "sha256",
    "hash": "sha256",
    "filename": "filename",
    "path": "filename",
    "marker": "marker",
}


def is_domain(text: str) -> bool:
    labels = text.split(".")
    return (
        len(labels) >= 2
        and len(text) <= 253
        and all(_LABEL.match(label) for label in labels)
        and bool(_TLD.match(labels[-1]))
    )


def _normalise_domain(text: str) -> str:
    text = text.lower().rstrip(".")
    return text.removeprefix("*.")


def _looks_like_file(text: str) -> bool:
    if _PATH_LIKE.match(text):
        return True
    if not _FILE_LIKE.match(text):
        return False
    ext = text.rsplit(".", 1)[1].lower()
    if ext.isdigit():  # "1.2.3" is a version, no file
        return False
    if ext in _FILE_EXTENSIONS:
        return True
    single_dot = text.count(".") == 1
    return (ext in _AMBIGUOUS_EXTENSIONS and single_dot) or not is_domain(_normalise_domain(text))


def detect_kind(text: str) -> IocKind:
    """The kind of an already refanged indicator; anything unrecognised is a marker string."""
    if _URL.match(text):
        return "url"
    if _SHA256.match(text):
        return "sha256"
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        pass
    else:
        return "ipv4" if address.version == 4 else "ipv6"
    if " " not in text and _looks_like_file(text):
        return "filename"
    if is_domain(_normalise_domain(text)):
        return "domain"
    return "marker"


def _normalise(kind: IocKind, text: str) -> str:
    """The canonical value of ``text`` as ``kind``; ValueError says why it is not one."""
    if kind == "domain":
        value = _normalise_domain(text)
        if not is_domain(value):
            raise ValueError(f"'{text}' is not a domain name")
        return value
    if kind == "url":
        return _normalise_url(text)
    if kind in ("ipv4", "ipv6"):
        address = ipaddress.ip_address(text.strip("[]"))  # ValueError says what is wrong
        return str(address)
    if kind == "sha256":
        if not _SHA256.match(text):
            raise ValueError(f"'{text}' is not a sha256 hash (64 hexadecimal digits)")
        return text.lower()
    return text


def _normalise_url(text: str) -> str:
    parts = urlsplit(text)
    if not parts.hostname:
        raise ValueError(f"'{text}' is not a URL with a host")
    # The fragment never reaches a server or a log; the scheme and host are case-insensitive.
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{netloc}{parts.path}{query}"


def parse_ioc(text: str, *, source: str, kind: IocKind | None = None) -> Ioc:
    """One indicator from free text: refanged, kind detected (or forced), normalised.

    A ``kind:`` prefix (``domain:``, ``url:``, ``ip:``, ``ipv6:``, ``sha256:``, ``filename:``,
    ``path:``, ``marker:``) overrules detection. Raises ValueError for an empty or invalid one.
    """
    text = refang(text)
    prefix, sep, rest = text.partition(":")
    if kind is None and sep and prefix in _PREFIXES and not rest.startswith("//"):
        kind, text = _PREFIXES[prefix], rest.strip()
    if not text:
        raise ValueError("empty indicator")
    if kind is None:
        kind = detect_kind(text)
    elif kind == "ipv4" and ":" in text:
        kind = "ipv6"
    return Ioc(kind=kind, value=_normalise(kind, text), sources=(source,))


def _strip_comment(line: str) -> str:
    # A '#' starts a comment at the start of a line or after whitespace; URL fragments
    # ("page#top") and markers like "repo#sha" keep theirs.
    if line.lstrip().startswith("#"):
        return ""
    return re.split(r"\s#", line, maxsplit=1)[0].strip()


def load_ioc_file(path: Path) -> list[Ioc]:
    """Indicators of an IOC file; every bad line is reported with its line number."""
    try:  # /dev/zero, a FIFO or a 2 GB file: refused before anything is read
        data = read_bounded(path, kind="IOC file", max_bytes=limits.IOC_FILE_BYTES)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: IOC file not found") from None
    except OSError as err:
        raise InvalidInputError([Problem(str(path), 1, 1, "", err.strerror or str(err))]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        at = data.count(b"\n", 0, err.start) + 1
        problem = Problem(str(path), at, 1, "", "not UTF-8 text (a binary file?)")
        raise InvalidInputError([problem], hint="IOC files are UTF-8 text, one per line") from None
    iocs: list[Ioc] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw)
        if not line:
            continue
        try:
            iocs.append(parse_ioc(line, source=f"{path}:{number}"))
        except ValueError as err:
            column = len(raw) - len(raw.lstrip()) + 1
            problems.append(Problem(str(path), number, column, "", str(err)))
    if problems:
        raise InvalidInputError(problems, hint="fix the line or give the kind: 'marker:TEXT'")
    return iocs


def domain_iocs(values: Iterable[str]) -> list[Ioc]:
    """``--domain`` values (defanged ones too); a value that is no domain is a usage error."""
    iocs = []
    for value in values:
        try:
            iocs.append(parse_ioc(value, source="--domain", kind="domain"))
        except ValueError as err:
            hint = "give a host name such as filev2.getsession.org"
            raise UsageError(f"--domain {value!r}: {err}", hint=hint) from None
    return iocs


def typed_iocs(values: Iterable[str], *, source: str) -> list[Ioc]:
    """Indicators a responder typed (the runbook's `iocs` step): detected like IOC file lines;
    text that is none of the known kinds is searched for as a marker string, never dropped."""
    iocs = []
    for value in values:
        if not value.strip():
            continue
        try:
            iocs.append(parse_ioc(value.strip(), source=source))
        except ValueError:
            iocs.append(parse_ioc(value.strip(), source=source, kind="marker"))
    return iocs


# database_specific.iocs keys of OSV records -> the kind their values are; unknown keys: detect.
_OSV_KEYS: dict[str, IocKind] = {
    "domains": "domain",
    "hosts": "domain",
    "urls": "url",
    "ips": "ipv4",
    "ip_addresses": "ipv4",
    "sha256": "sha256",
    "hashes": "sha256",
    "files": "filename",
    "filenames": "filename",
    "strings": "marker",
}


def advisory_iocs(paths: Iterable[Path]) -> list[Ioc]:
    """IOCs from ``database_specific.iocs`` of OSV records (files, directories, ``.zip`` dumps).

    Staging copies (``MAL-0000-*``, empty id) and withdrawn records are skipped, as in the
    lockfile audit.
    """
    iocs: list[Ioc] = []
    for path in paths:
        for name, record in _osv_records(path):
            iocs.extend(_record_iocs(name, record))
    return iocs


def _record_iocs(name: str, record: dict[str, Any]) -> Iterator[Ioc]:
    record_id = record.get("id")
    if not record_id or record.get("withdrawn") or str(record_id).startswith("MAL-0000"):
        return
    specific = record.get("database_specific")
    found = specific.get("iocs") if isinstance(specific, dict) else None
    if not isinstance(found, dict):
        return
    for key, values in found.items():
        if not isinstance(values, list):
            continue
        for value in values:
            if not isinstance(value, str):
                continue
            try:
                yield parse_ioc(value, source=str(record_id), kind=_OSV_KEYS.get(key))
            except ValueError:
                # A value that is not what its key says (a bad IP in "ips"): keep it as detected.
                try:
                    yield parse_ioc(value, source=str(record_id))
                except ValueError:
                    continue


def _osv_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if not path.exists():
        raise NotFoundError(f"{path}: advisory file or directory not found")
    try:
        if path.is_dir():
            for child in sorted(path.rglob("*.json")):
                yield from _parse_record(str(child), _read_advisory(child))
            return
        with open_regular(path, kind="advisory file") as handle:
            if not zipfile.is_zipfile(handle):
                handle.seek(0)
                yield from _parse_record(str(path), _read_advisory(path, handle))
                return
            with zipfile.ZipFile(handle) as archive:
                for member in archive.infolist():
                    if member.filename.endswith(".json"):
                        name = f"{path}!{member.filename}"
                        with archive.open(member) as data:
                            yield from _parse_record(name, _read_advisory(name, data, member))
    except zipfile.BadZipFile as err:
        raise InvalidInputError(
            [Problem(str(path), 1, 1, "", f"not a readable zip file: {err}")]
        ) from None
    except OSError as err:
        message = f"cannot read advisory file: {err.strerror or err}"
        raise InvalidInputError([Problem(str(path), 1, 1, "", message)]) from None


def _read_advisory(
    name: Path | str, handle: Any = None, member: zipfile.ZipInfo | None = None
) -> bytes:
    """One OSV JSON file or zip member, up to the advisory limit (a zip bomb stops there)."""
    if handle is None:
        return read_bounded(Path(name), kind="advisory file", max_bytes=limits.ADVISORY_FILE_BYTES)
    size = member.file_size if member is not None else os.fstat(handle.fileno()).st_size
    return read_stream_bounded(
        handle,
        name=str(name),
        kind="advisory file",
        max_bytes=limits.ADVISORY_FILE_BYTES,
        size=size,
    )


def _parse_record(name: str, data: bytes) -> Iterator[tuple[str, dict[str, Any]]]:
    if b'"iocs"' not in data:  # most records carry none: skip the JSON parse
        return
    try:
        record = json.loads(data)
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        problem = limit_problem(err, name, data, "advisory") or Problem(
            name, getattr(err, "lineno", 1), getattr(err, "colno", 1), "", f"not valid JSON: {err}"
        )
        raise InvalidInputError([problem], hint="--advisories expects OSV JSON records") from None
    if isinstance(record, dict):
        yield name, record


def merge(iocs: Iterable[Ioc]) -> list[Ioc]:
    """One IOC per (kind, value), with the sources of every duplicate, in first-seen order."""
    merged: dict[tuple[str, str], Ioc] = {}
    for ioc in iocs:
        key = (ioc.kind, ioc.value)
        seen = merged.get(key)
        if seen is None:
            merged[key] = ioc
        else:
            sources = seen.sources + tuple(s for s in ioc.sources if s not in seen.sources)
            merged[key] = Ioc(ioc.kind, ioc.value, sources)
    return list(merged.values())


def collect_iocs(
    *,
    ioc_files: Iterable[Path] = (),
    advisories: Iterable[Path] = (),
    domains: Iterable[str] = (),
    typed: Iterable[Ioc] = (),
) -> list[Ioc]:
    """All indicators from every source, merged (the union: an indicator typed at the `iocs` step
    and one in the IOC file are both searched). Raises UsageError when there are none."""
    ioc_files, advisories, domains = list(ioc_files), list(advisories), list(domains)
    typed = list(typed)
    if not (ioc_files or advisories or domains or typed):
        raise UsageError(
            "no indicators given", hint="pass --ioc FILE, --advisories PATH or --domain NAME"
        )
    found: list[Ioc] = []
    for path in ioc_files:
        found.extend(load_ioc_file(path))
    found.extend(advisory_iocs(advisories))
    found.extend(domain_iocs(domains))
    found.extend(typed)
    iocs = merge(found)
    if not iocs:
        given = ", ".join(str(p) for p in [*ioc_files, *advisories])
        raise UsageError(
            f"no indicators found in {given}",
            hint="OSV records carry them in database_specific.iocs; IOC files hold one per line",
        )
    return iocs
