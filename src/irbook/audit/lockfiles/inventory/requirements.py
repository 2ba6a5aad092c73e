"""requirements.txt: only exact pins (``name==1.2.3``, ``name===1.2.3``) are locked versions.

Ranges, bare names, URLs and editable installs say what may be installed, not what was; they are
left out rather than guessed. ``-r``/``--requirement`` includes are followed relative to the file
that names them (each file once, so include loops end); ``-c`` constraints are not installs and
are not followed. Per-requirement options (``--hash``), environment markers, comments and line
continuations are understood; a marker is not evaluated, so a pin for another platform is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from irbook.audit.lockfiles.inventory._common import fail, pypi, read_text, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "requirements file"

_PIN = re.compile(
    r"""^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)
        \s*(?:\[[^\]]*\])?                  # extras
        \s*(?:===|==)\s*(?P<version>[0-9A-Za-z][^\s;,\\#]*)
        \s*(?P<rest>.*)$""",
    re.VERBOSE,
)
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s*=\s*|\s+|(?=[^\s]))(?P<target>\S+)")
_COMMENT = re.compile(r"(^|\s)#.*$")


def parse(path: Path) -> list[LockedPackage]:
    return unique(_read(path, seen=set()))


def _read(path: Path, seen: set[Path]) -> Iterator[LockedPackage]:
    seen.add(path.resolve())
    text = read_text(path, KIND)
    for number, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            yield from _include(path, include["target"], number, seen)
        elif not line.startswith("-"):  # other options (-c, -e, -i, --hash...) install nothing
            pinned = _pin(line)
            if pinned:
                yield pypi(*pinned, path)


def _include(parent: Path, target: str, line: int, seen: set[Path]) -> Iterator[LockedPackage]:
    if "://" in target:
        raise fail(
            parent,
            f"included file {target} is remote; irbook works offline",
            line=line,
            hint="download it and pass the local copy as well",
        )
    child = parent.parent / target
    if child.resolve() in seen:
        return  # an include loop, or the same file twice: its pins are already in
    if not child.is_file():
        raise fail(
            parent,
            f"included requirements file '{target}' not found (looked for {child})",
            line=line,
        )
    yield from _read(child, seen)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line number, logical line) with comments cut and continuations joined."""
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw)
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(buffer).strip()
        buffer = []
        if joined:
            yield start, joined
    if buffer and " ".join(buffer).strip():
        yield start, " ".join(buffer).strip()  # a continuation at the very end of the file


def _pin(line: str) -> tuple[str, str] | None:
    """(name, version) of an exact pin; None for anything that does not fix one version."""
    match = _PIN.match(line)
    if not match:
        return None
    version, rest = match["version"], match["rest"]
    if "*" in version or "$" in version:
        return None  # a wildcard or an environment variable: not one version
    if rest.startswith(","):
        return None  # more specifiers follow ("==1.0, !=1.0.1"): not a plain pin
    return match["name"], version
