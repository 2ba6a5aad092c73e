"""An OSV record of the incident's malicious package versions (OSV schema 1.7).

Records of a private database carry ids prefixed ``x_``. Like the malicious-packages records
(MAL-2026-3465, MAL-2025-47141), each package lists exactly the versions declared malicious in
``versions`` and no range: a range from the first bad version to the first clean one would also
flag the clean versions published between them (1.169.6 between 1.169.5 and 1.169.8), later
pre-releases, or PyPI post-releases. ``affected[].database_specific.cwes`` says CWE-506 as MAL
records do; IOCs go in ``database_specific.iocs`` in the shape OpenSSF's records use. Nothing
internal (severity, status, responder, TLP) goes into a record meant for publication.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from typing import Any

from irbook import __version__
from irbook.domain.facts import AffectedPackage, IncidentFacts

SCHEMA_VERSION = "1.7.4"
_HASH = re.compile(r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
_FILE_SUFFIXES = (
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".py",
    ".sh",
    ".ps1",
    ".exe",
    ".dll",
    ".so",
    ".bin",
    ".json",
    ".tgz",
    ".zip",
    ".whl",
    ".jar",
    ".txt",
)


def osv_id(facts: IncidentFacts) -> str:
    return f"x_{facts.id}"


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, as OSV writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def osv_record(
    facts: IncidentFacts,
    *,
    now: datetime,
    published: datetime | None = None,
) -> dict[str, Any]:
    """The record; ``published`` is the first issue's time (``now`` when this is the first)."""
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": osv_id(facts),
        "modified": timestamp(now),
        "published": timestamp(published or now),
        "summary": facts.title,
        "details": details(facts),
        "affected": [affected_entry(p) for p in facts.packages],
        "database_specific": {
            "iocs": classify_iocs(facts.iocs),
            "generator": f"irbook {__version__}",
        },
    }
    if facts.advisory_ids:
        record["related"] = list(facts.advisory_ids)
    references = [*_id_references(facts.advisory_ids), *facts.urls]
    if references:
        record["references"] = [
            {"type": _reference_type(u), "url": u} for u in dict.fromkeys(references)
        ]
    if facts.credits:
        record["credits"] = [{"name": name} for name in facts.credits]
    return record


def id_url(advisory_id: str) -> str | None:
    """Where an identifier is published: GitHub for GHSA, cve.org for CVE, osv.dev otherwise."""
    if advisory_id.startswith("GHSA-"):
        return f"https://github.com/advisories/{advisory_id}"
    if advisory_id.startswith("CVE-"):
        return f"https://www.cve.org/CVERecord?id={advisory_id}"
    if re.match(r"^[A-Z][A-Z0-9]*-[A-Za-z0-9-]+$", advisory_id):
        return f"https://osv.dev/vulnerability/{advisory_id}"
    return None


def _id_references(ids: tuple[str, ...]) -> list[str]:
    return [url for url in (id_url(i) for i in ids) if url]


def details(facts: IncidentFacts) -> str:
    """What happened to which packages, what the code does and what to do, from this incident."""
    from irbook.notify.advisory.wording import payload_sentences, vector_sentence

    org = facts.organisation or "The publisher of this record"
    listed = "; ".join(f"{p.name} ({p.ecosystem}) {', '.join(p.versions)}" for p in facts.packages)
    does, action = payload_sentences(facts.payload)
    lines = [
        f"{org} reports malicious versions: {listed}. {vector_sentence(facts.vector).capitalize()}.",
        "",
        does,
        "",
        f"{action} Update to a version that is not listed here, and check logs for the "
        "indicators of compromise.",
    ]
    if facts.iocs:
        lines += ["", "Indicators of compromise: " + ", ".join(f"`{i}`" for i in facts.iocs)]
    return "\n".join(lines)


def affected_entry(package: AffectedPackage) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "package": {"ecosystem": package.ecosystem, "name": osv_name(package)},
        "versions": list(package.versions),
        "database_specific": {"cwes": [CWE_506]},
    }
    if package.purl:
        entry["package"]["purl"] = package.purl
    return entry


CWE_506 = {
    "cweId": "CWE-506",
    "description": "The product contains code that appears to be malicious in nature.",
    "name": "Embedded Malicious Code",
}


def osv_name(package: AffectedPackage) -> str:
    """The name as OSV's ecosystem table says: PyPI names normalised (PEP 503), others as is."""
    if package.ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", package.name).lower()
    return package.name


def classify_iocs(iocs: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """Group indicators by kind: urls, ips, hashes, files, domains, other."""
    groups: dict[str, list[str]] = {}
    for ioc in iocs:
        groups.setdefault(_ioc_kind(ioc), []).append(ioc)
    return groups


def _ioc_kind(ioc: str) -> str:
    if "://" in ioc:
        return "urls"
    try:
        ipaddress.ip_address(ioc)
        return "ips"
    except ValueError:
        pass
    if _HASH.match(ioc):
        return "hashes"
    if ioc.startswith("@") or ioc.count(":") == 1:
        return "other"  # a package name or ecosystem:name spec
    host, slash, _ = ioc.partition("/")
    if slash and _is_domain(host):
        return "urls"  # host/path written without a scheme
    if ioc.lower().endswith(_FILE_SUFFIXES) or slash or "\\" in ioc:
        return "files"
    if _is_domain(ioc):
        return "domains"
    return "other"


def _is_domain(text: str) -> bool:
    """A host name, internationalised ones included (checked in their ASCII, IDNA form)."""
    try:
        ascii_form = text.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(_DOMAIN.match(ascii_form))


def _reference_type(url: str) -> str:
    """OSV reference types: what the page is, as far as its address says."""
    if "/discussions/" in url:
        return "DISCUSSION"
    if "/issues/" in url or "/pull/" in url:
        return "REPORT"
    if "/commit/" in url:
        return "FIX"
    if (
        "/advisories/" in url
        or "nvd.nist.gov" in url
        or "cve.org/" in url
        or "osv.dev/vulnerability/" in url
    ):
        return "ADVISORY"
    if "npmjs.com/package/" in url or "pypi.org/project/" in url:
        return "PACKAGE"
    return "WEB"
