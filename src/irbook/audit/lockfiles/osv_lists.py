"""Plain compromise lists: one ``ecosystem:name:version`` (or bare ``name:version``) per line.

The format is the one public lists use, for example Cobenian/shai-hulud-detect's
``compromised-packages.txt``, whose header says: ``<ecosystem>:package_name:version``, or bare
``package_name:version``, which means npm (npm names never contain a colon). Ecosystem prefixes
are OSV's names or their common short forms, in any case. Lines about an ecosystem irbook does
not audit are counted as skipped, not fatal: one list serves several ecosystems.

A version must be one exact version: a range (``>=8.0.0``), a list (``8.21.0,8.21.1``) or
trailing junk (``4.4.3#x``) would silently never match, so each is an error with its
``file:line:col``. The file is read line by line (lines longer than MAX_LINE are errors).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from irbook.audit.lockfiles.osv_records import invalid
from irbook.audit.lockfiles.rows import ECOSYSTEMS, RecordRow
from irbook.audit.lockfiles.versions import VersionError, version_key
from irbook.errors import InvalidInputError, Problem

Rows = Iterator[tuple[RecordRow, str]]
LIST_HINT = (
    "each line is ecosystem:name:version or bare name:version (npm), "
    "e.g. npm:@tanstack/react-router:1.169.5"
)
MAX_LINE = 64 * 1024
MAX_PROBLEMS = 20  # printed; the rest are counted (a wrong file can have millions of bad lines)

# OSV ecosystem names, and the short forms lists use, lower-cased -> OSV's spelling.
ALIASES: dict[str, str] = {
    "npm": "npm",
    "pypi": "PyPI",
    "go": "Go",
    "golang": "Go",
    "crates": "crates.io",
    "crates.io": "crates.io",
    "composer": "Packagist",
    "packagist": "Packagist",
    "rubygems": "RubyGems",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "maven": "Maven",
    "pub": "Pub",
}
# Characters that make a "version" a range or a list, never one version.
_RANGE = re.compile(r"[<>=^~*|]|\s-\s|^[xX]$|\.[xX*](?:\.|$)")
_LIST = re.compile(r"[,;\s]")
# One version of an ecosystem without an ordering here (Go, Maven...): one token, no junk.
_TOKEN = re.compile(r"^v?[0-9A-Za-z][0-9A-Za-z.+_~-]*$")


def read_list(path: Path, skipped: Counter[str]) -> Rows:
    """Rows of a list file; InvalidInputError with every bad line (first MAX_PROBLEMS shown)."""
    problems: list[Problem] = []
    more = 0
    source = str(path)
    for lineno, line in _lines(path):
        body = line.split(" #", 1)[0].strip()
        if not body or body.startswith("#"):
            continue
        parsed = _entry(body)
        if isinstance(parsed, _Bad):
            if len(problems) < MAX_PROBLEMS:
                column = line.find(body) + 1 + parsed.offset
                problems.append(Problem(source, lineno, column, "", parsed.message))
            else:
                more += 1
            continue
        if isinstance(parsed, _Skip):
            skipped[parsed.reason] += 1
            continue
        ecosystem, name, version = parsed
        summary = f"listed in {path}"
        yield (
            (f"{path.name}:{lineno}", (), summary, (), ((ecosystem, name, (version,), ()),)),
            source,
        )
    if problems:
        raise InvalidInputError(problems, hint=LIST_HINT, more=more)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    from irbook.files.read import open_regular

    try:
        handle = open_regular(path, kind="advisory list")  # a FIFO is refused, never waited on
    except OSError as exc:
        raise invalid(str(path), f"cannot read advisory list: {exc.strerror}") from None
    with handle:
        lineno = 0
        while raw := handle.readline(MAX_LINE + 1):
            lineno += 1
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                raise invalid(
                    str(path), f"line longer than {MAX_LINE} bytes", line=lineno, hint=LIST_HINT
                )
            if lineno == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                yield lineno, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                raise invalid(
                    str(path),
                    "advisory list is not UTF-8 text (binary file?)",
                    line=lineno,
                    hint=LIST_HINT,
                ) from None


@dataclass(frozen=True, slots=True)
class _Bad:
    offset: int  # where in the entry the problem is
    message: str


@dataclass(frozen=True, slots=True)
class _Skip:
    reason: str  # counted in the summary


def _entry(body: str) -> tuple[str, str, str] | _Bad | _Skip:
    """(ecosystem, name, version), or what is wrong with the line, or why it is skipped."""
    first, sep, rest = body.partition(":")
    if not sep:
        return _Bad(0, f"expected ecosystem:name:version or name:version, found {body!r}")
    if ":" in rest:  # ecosystem:name:version (Maven names hold a colon: group:artifact)
        label, (name, _, version) = first.strip(), rest.rpartition(":")
        ecosystem = ALIASES.get(label.lower())
        if ecosystem is None:
            return _Skip(f"list lines for unknown ecosystem {label!r}")
        name_at = len(first) + 1
    else:  # bare name:version is npm (the lists' own convention)
        ecosystem, name, version, name_at = "npm", first, rest, 0
    version_at = name_at + len(name) + 1
    name, version = name.strip(), version.strip()
    if not name:
        return _Bad(name_at, "missing package name")
    problem = _version_problem(ecosystem, version)
    if problem is not None:
        return _Bad(version_at, problem)
    if ecosystem not in ECOSYSTEMS:
        return _Skip(f"list lines for {ecosystem} (not audited)")
    return ecosystem, name, version


def _version_problem(ecosystem: str, version: str) -> str | None:
    if not version:
        return "missing version"
    if _RANGE.search(version):
        return f"version {version!r} is a range: list each exact version on its own line"
    if _LIST.search(version):
        return f"version {version!r} is a list: put each version on its own line"
    try:
        version_key(ecosystem, version)
    except VersionError:
        if ecosystem in ECOSYSTEMS or not _TOKEN.match(version):
            return f"{version!r} is not one {ecosystem} version (trailing characters?)"
    return None
