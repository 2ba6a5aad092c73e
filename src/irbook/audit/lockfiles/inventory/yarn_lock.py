"""yarn.lock: classic (v1, its own format) and berry (v2+, YAML).

Both key each entry by the specs that resolve to it (``"a@^1.0.0", "a@^1.2.0":``). The package name
comes from the first spec, except for aliases (``alias@npm:real@^1``), where the real name is taken
from the spec (v1) or from ``resolution`` (berry), because advisories use the real name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import (
    fail,
    fail_at,
    npm,
    npm_source,
    read_text,
    split_npm_spec,
    unique,
)
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "yarn lockfile"
_SPEC = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s,"][^,]*)')
_FIELD = re.compile(r'^\s+"?([A-Za-z]+)"?\s+"?([^"]*)"?\s*$')
# A spec that points at local code rather than a registry or a remote source.
_LOCAL = ("file:", "link:", "portal:", "workspace:")


def parse(path: Path) -> list[LockedPackage]:
    text = read_text(path, KIND)
    if re.search(r"^__metadata:", text, re.MULTILINE):
        return _parse_berry(path)
    return unique(_parse_classic(text, path))


# --- classic (v1) ------------------------------------------------------------------------------


def _parse_classic(text: str, path: Path) -> list[LockedPackage]:
    found: list[LockedPackage] = []
    header: str | None = None
    fields: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if header is not None:
                found.append(_classic_entry(header, fields, path))
            if not line.rstrip().endswith(":"):
                raise fail(
                    path,
                    "not a yarn.lock entry: a line at the margin must end with ':'",
                    line=number,
                    hint="is this really a yarn.lock? regenerate it with `yarn install`",
                )
            header, fields = line.rstrip()[:-1], {}
        elif header is None:
            raise fail(path, "indented line before the first entry", line=number)
        elif not line.startswith("    "):  # nested blocks (dependencies:) are not needed
            match = _FIELD.match(line)
            if match:
                fields[match[1]] = match[2]
    if header is not None:
        found.append(_classic_entry(header, fields, path))
    return found


def _classic_entry(header: str, fields: dict[str, str], path: Path) -> LockedPackage:
    first = _SPEC.match(header.strip())
    spec = (first[1] or first[2] or "").strip() if first else header
    name, wanted = split_npm_spec(spec)
    if wanted.startswith("npm:"):
        name = split_npm_spec(wanted[4:])[0]
    source = npm_source(fields.get("resolved"))
    if source is None and not fields.get("resolved") and wanted.startswith(_LOCAL):
        source = wanted
    return npm(name, fields.get("version", ""), path, source)


# --- berry (v2+) -------------------------------------------------------------------------------


def _parse_berry(path: Path) -> list[LockedPackage]:
    from irbook.loader.load import load_yaml_data  # PyYAML lives in the loader; imported on demand

    data: Any = load_yaml_data(path, kind=KIND)
    if not isinstance(data, dict):
        raise fail(path, f"{KIND} must be a mapping of entries")
    found = []
    for key, entry in data.items():
        if key == "__metadata":
            continue
        if not isinstance(entry, dict):
            raise fail(path, "entry must be a mapping", location=str(key))
        resolution = entry.get("resolution")
        if not isinstance(resolution, str) or "@" not in resolution[1:]:
            raise fail_at(
                path,
                KIND,
                str(key),
                "entry has no 'resolution' of the form name@reference",
                location=f"{key}.resolution",
            )
        name, reference = split_npm_spec(resolution)
        if reference.startswith("patch:"):
            name, reference = _patched_base(name, reference)
        if reference == "workspace:.":
            continue  # the project itself
        version = entry.get("version")
        version = "" if version is None else str(version)
        source = None if reference.startswith("npm:") else reference
        if reference.startswith(_LOCAL):
            source = reference.split("::", 1)[0]  # drop yarn's ::locator=... bookkeeping
        found.append(npm(name, version, path, source))
    return unique(found)


def _patched_base(name: str, reference: str) -> tuple[str, str]:
    """``patch:fsevents@npm%3A2.3.3#<patch>::...`` -> ("fsevents", "npm:2.3.3").

    A patched package is its base package with local changes: listed once, under the base (the
    base entry is usually in the file too, and ``unique`` merges the two), so one advisory gives
    one finding.
    """
    from urllib.parse import unquote

    base = unquote(reference.removeprefix("patch:").split("#", 1)[0])
    base_name, base_reference = split_npm_spec(base)
    if not base_name or not base_reference:
        return name, reference
    return base_name, base_reference
