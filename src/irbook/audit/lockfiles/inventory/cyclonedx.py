"""CycloneDX JSON SBOMs: every component (nested ones too) whose purl is npm or PyPI.

``metadata.component`` is the product the SBOM describes, not one of its dependencies, so it is
not listed. Components of other purl types (maven, golang...) are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import fail, fail_at, load_json, unique
from irbook.audit.lockfiles.inventory._purl import parse_purl, purl_source
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "CycloneDX SBOM"


def parse(path: Path) -> list[LockedPackage]:
    data = load_json(path, KIND)
    if data.get("bomFormat") != "CycloneDX":
        raise fail_at(
            path,
            KIND,
            '"bomFormat"',
            f"not a {KIND}: 'bomFormat' is {data.get('bomFormat')!r}, expected 'CycloneDX'",
            location="bomFormat",
        )
    found = []
    stack: list[Any] = [data.get("components") or []]
    while stack:
        components = stack.pop()
        if not isinstance(components, list):
            raise fail(path, "'components' must be an array", location="components")
        for component in components:
            if not isinstance(component, dict):
                continue
            stack.append(component.get("components") or [])
            package = _package(component, path)
            if package is not None:
                found.append(package)
    return unique(found)


def _package(component: dict[str, Any], path: Path) -> LockedPackage | None:
    purl = component.get("purl")
    parsed = parse_purl(purl) if isinstance(purl, str) else None
    if parsed is None:
        return None
    ecosystem, name, version, qualifiers = parsed
    if not version and isinstance(component.get("version"), str):
        version = component["version"]
    scope = component.get("scope")
    groups = (scope,) if scope in ("optional", "excluded") else ()
    return LockedPackage(ecosystem, name, version, str(path), purl_source(qualifiers), groups)
