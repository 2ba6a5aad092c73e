"""SPDX 2.x JSON SBOMs: every package with an npm or PyPI purl among its ``externalRefs``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import fail, fail_at, load_json, unique
from irbook.audit.lockfiles.inventory._purl import parse_purl, purl_source
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "SPDX SBOM"


def parse(path: Path) -> list[LockedPackage]:
    data = load_json(path, KIND)
    if not str(data.get("spdxVersion", "")).startswith("SPDX-2"):
        raise fail_at(
            path,
            KIND,
            '"spdxVersion"',
            f"not an SPDX 2.x JSON document: 'spdxVersion' is {data.get('spdxVersion')!r}",
            location="spdxVersion",
        )
    packages = data.get("packages") or []
    if not isinstance(packages, list):
        raise fail(path, "'packages' must be an array", location="packages")
    found = []
    for package in packages:
        for purl in _purls(package):
            parsed = parse_purl(purl)
            if parsed is None:
                continue
            ecosystem, name, version, qualifiers = parsed
            version = version or str(package.get("versionInfo") or "")
            found.append(
                LockedPackage(ecosystem, name, version, str(path), purl_source(qualifiers))
            )
    return unique(found)


def _purls(package: Any) -> list[str]:
    refs = package.get("externalRefs") if isinstance(package, dict) else None
    return [
        ref["referenceLocator"]
        for ref in refs or []
        if isinstance(ref, dict)
        and ref.get("referenceType") == "purl"
        and isinstance(ref.get("referenceLocator"), str)
    ]
