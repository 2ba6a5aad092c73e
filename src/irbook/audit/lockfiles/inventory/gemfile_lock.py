"""Gemfile.lock (and gems.locked): the gems of the ``GEM``, ``GIT`` and ``PATH`` sections.

Each section lists its gems under ``specs:`` at four spaces, ``name (version)`` or
``name (version-platform)``; deeper lines are their requirements. ``GEM`` gems come from a
registry; ``GIT`` gems are kept as ``git+<remote>#<revision>`` and ``PATH`` gems as
``file:<folder>``, never matched.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from irbook.audit.lockfiles.inventory._common import locked, read_text, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "Gemfile.lock"
# Bundler's own NAME_VERSION: the version ends at the first "-" (then comes the platform).
_SPEC = re.compile(r"^    (?! )(\S+) \(([^-)]*)(?:-[^)]*)?\)!?$")
_SECTIONS = frozenset({"GEM", "GIT", "PATH"})


def parse(path: Path) -> list[LockedPackage]:
    found = []
    section: str | None = None
    fields: dict[str, str] = {}
    named: set[str] = set()  # the DEPENDENCIES section: the gems the Gemfile names
    for line in read_text(path, KIND).splitlines():
        if line and not line[0].isspace():
            section, fields = line.strip(), {}
            continue
        if section == "DEPENDENCIES" and line.startswith("  ") and not line.startswith("   "):
            named.add(line.split()[0].rstrip("!"))
            continue
        if section not in _SECTIONS:
            continue
        if line.startswith("  ") and not line.startswith("   ") and ":" in line:
            key, _, value = line.strip().partition(":")
            fields[key] = value.strip()
            continue
        spec = _SPEC.match(line)
        if spec is not None:
            found.append(locked("RubyGems", spec[1], spec[2], path, _source(section, fields)))
    if named:
        found = [dataclasses.replace(p, direct=p.name in named) for p in found]
    return unique(found)


def _source(section: str | None, fields: dict[str, str]) -> str | None:
    if section == "GIT":
        return f"git+{fields.get('remote', '')}#{fields.get('revision', '')}"
    if section == "PATH":
        return f"file:{fields.get('remote', '')}"
    return None
