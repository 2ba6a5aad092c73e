"""SPDX 2.x JSON SBOMs: every package with an npm or PyPI purl among its ``externalRefs``.

The packages the document describes (``documentDescribes``, or a ``DESCRIBES`` relationship of
the document, or ``DESCRIBED_BY`` pointing at it) are the product itself, not its dependencies, so
they are left out, as CycloneDX's ``metadata.component`` is.
"""

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
    described = _described(data)
    for package in packages:
        if isinstance(package, dict) and package.get("SPDXID") in described:
            continue
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


def _described(data: dict[str, Any]) -> set[str]:
    document = data.get("SPDXID", "SPDXRef-DOCUMENT")
    found = {d for d in data.get("documentDescribes") or [] if isinstance(d, str)}
    for rel in data.get("relationships") or []:
        if not isinstance(rel, dict):
            continue
        kind, source, target = (
            rel.get("relationshipType"),
            rel.get("spdxElementId"),
            rel.get("relatedSpdxElement"),
        )
        if kind == "DESCRIBES" and source == document and isinstance(target, str):
            found.add(target)
        elif kind == "DESCRIBED_BY" and target == document and isinstance(source, str):
            found.add(source)
    return found
