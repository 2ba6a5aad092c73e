"""An OSV record of the incident's malicious package versions (OSV schema 1.7).

Records of a private database carry ids prefixed ``x_``. Like GHSA-g7cv-rxg3-hmpx, each package
lists its exact malicious ``versions`` and, when the first clean version is known and above them,
an ECOSYSTEM range from the first malicious version to it. IOCs go in ``database_specific.iocs``
in the shape OpenSSF's malicious-packages records use (``{"domains": [...], ...}``).
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


def osv_record(facts: IncidentFacts, *, now: datetime) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": osv_id(facts),
        "modified": timestamp(now),
        "published": timestamp(facts.opened_at or now),
        "summary": facts.title,
        "details": details(facts),
        "affected": [affected_entry(p) for p in facts.packages],
        "database_specific": {
            "iocs": classify_iocs(facts.iocs),
            "incident": {
                "id": facts.id,
                "severity": facts.severity,
                "tlp": facts.tlp,
                "status": facts.status,
            },
            "generator": f"irbook {__version__}",
        },
    }
    if facts.advisory_ids:
        record["related"] = list(facts.advisory_ids)
    if facts.urls:
        record["references"] = [{"type": _reference_type(u), "url": u} for u in facts.urls]
    return record


def details(facts: IncidentFacts) -> str:
    from irbook.notify.advisory.wording import vector_sentence

    org = facts.organisation or "The publisher of this record"
    lines = [
        f"{org} is responding to incident {facts.id}: malicious versions of the packages below "
        f"were published; {vector_sentence(facts.vector)}.",
        "",
        "Anyone who installed an affected version must update to a safe version, rotate every "
        "credential reachable from the machine that installed it, and check logs for the "
        "indicators of compromise.",
    ]
    if facts.iocs:
        lines += ["", "Indicators of compromise: " + ", ".join(f"`{i}`" for i in facts.iocs)]
    return "\n".join(lines)


def affected_entry(package: AffectedPackage) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "package": {"ecosystem": package.ecosystem, "name": package.name},
        "versions": list(package.versions),
    }
    if package.purl:
        entry["package"]["purl"] = package.purl
    span = _range(package)
    if span:
        entry["ranges"] = [{"type": "ECOSYSTEM", "events": span}]
    return entry


def _range(package: AffectedPackage) -> list[dict[str, str]] | None:
    """introduced = first malicious version, fixed = safe version, when that order holds."""
    from irbook.audit.lockfiles.versions import version_key
    from irbook.errors import VersionError

    if not package.safe_version or not package.versions:
        return None
    try:
        keyed = sorted(package.versions, key=lambda v: version_key(package.ecosystem, v))
        if version_key(package.ecosystem, package.safe_version) <= version_key(
            package.ecosystem, keyed[-1]
        ):
            return None  # a "safe" version below a malicious one: the exact list says it all
    except VersionError:
        return None  # unknown ordering: the exact versions list stays authoritative
    return [{"introduced": keyed[0]}, {"fixed": package.safe_version}]


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
    if ioc.lower().endswith(_FILE_SUFFIXES) or "/" in ioc or "\\" in ioc:
        return "files"
    if _DOMAIN.match(ioc):
        return "domains"
    return "other"


def _reference_type(url: str) -> str:
    if "/advisories/" in url or "/security/advisories/" in url or "nvd.nist.gov" in url:
        return "ADVISORY"
    if "/issues/" in url or "/discussions/" in url:
        return "REPORT"
    return "WEB"
