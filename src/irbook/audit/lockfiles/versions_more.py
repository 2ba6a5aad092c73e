"""Version orderings of the ecosystems beyond npm and PyPI, each from its own specification.

- Go modules: SemVer with a ``v`` prefix (pseudo-versions are SemVer prereleases, so they sort
  before the release they precede); the Go toolchain's ``1.21`` means ``1.21.0``.
- Packagist (Composer): PHP's ``version_compare``, which Composer uses after normalising: parts
  split on ``.``, ``-``, ``_``, ``+`` and between digits and letters; ``dev`` < ``alpha``/``a`` <
  ``beta``/``b`` < ``RC``/``rc`` < a number < ``pl``/``p``; any other word sorts first.
- RubyGems: ``Gem::Version``: segments are numbers or letter runs; a letter segment is a
  prerelease and sorts before any number; missing segments count as 0 (``1.0`` == ``1``).
- NuGet: up to four numeric parts (missing ones are 0), then a SemVer 2 prerelease compared
  without regard to case; build metadata ignored.

crates.io and Pub use SemVer 2 itself (``semver.semver_key``).
"""

from __future__ import annotations

import re
from typing import Any

from irbook.audit.lockfiles.semver import VersionError, semver_key

_PARTS = 16  # keys are padded to this many parts so that tuples of any two versions compare


def go_key(version: str) -> Any:
    text = version.strip().removeprefix("v")
    if re.fullmatch(r"\d+\.\d+", text):
        text += ".0"  # a Go toolchain version: go 1.21 is 1.21.0
    return semver_key(text)


_COMPOSER_SPECIAL = {"dev": 1, "alpha": 2, "a": 2, "beta": 3, "b": 3, "rc": 4, "pl": 6, "p": 6}
_NUMBER_RANK = 5
_COMPOSER_SPLIT = re.compile(r"\d+|[a-zA-Z]+")


def composer_key(version: str) -> tuple[tuple[int, int], ...]:
    text = version.strip()
    if text[:1] in ("v", "V"):
        text = text[1:]
    if not text[:1].isdigit() or not re.fullmatch(r"[0-9A-Za-z.+_-]+", text):
        raise VersionError(f"not a Composer version: {version!r}")
    parts: list[tuple[int, int]] = []
    for token in _COMPOSER_SPLIT.findall(text):
        if token.isdigit():
            parts.append((_NUMBER_RANK, int(token)))
        else:
            parts.append((_COMPOSER_SPECIAL.get(token.lower(), 0), 0))
    if len(parts) > _PARTS:
        raise VersionError(f"too many parts in {version!r}")
    # A missing part sorts like a number below every number: 1.0 < 1.0.0, 1.0rc1 < 1.0 < 1.0pl1.
    return tuple(parts + [(_NUMBER_RANK, -1)] * (_PARTS - len(parts)))


_GEM_VERSION = re.compile(r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_GEM_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+")


def gem_key(version: str) -> tuple[tuple[int, int, str], ...]:
    text = version.strip()
    if not _GEM_VERSION.fullmatch(text):
        raise VersionError(f"not a RubyGems version: {version!r}")
    text = text.replace("-", ".pre.")  # as Gem::Version does
    segments = [(1, int(s), "") if s.isdigit() else (0, 0, s) for s in _GEM_SEGMENT.findall(text)]
    while segments and segments[-1] == (1, 0, ""):
        segments.pop()  # trailing zeros do not count: 1.0.0 == 1
    if len(segments) > _PARTS:
        raise VersionError(f"too many segments in {version!r}")
    return tuple(segments + [(1, 0, "")] * (_PARTS - len(segments)))


_NUGET = re.compile(
    r"\s*[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?\s*"
)


def nuget_key(version: str) -> tuple[Any, ...]:
    m = _NUGET.fullmatch(version)
    if m is None:
        raise VersionError(f"not a NuGet version: {version!r}")
    numbers = tuple(int(n or 0) for n in m.group(1, 2, 3, 4))
    if m[5] is None:
        return (*numbers, (1,))
    idents = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in m[5].split("."))
    return (*numbers, (0, *idents))
