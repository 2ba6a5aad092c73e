"""A CSAF 2.0 document of the incident.

``csaf_security_incident_response`` fits "we were breached" notices; ``csaf_security_advisory``
fits "our product shipped a bad dependency". Each affected package version and each safe version
is a product of the product tree (vendor branch = ecosystem, then name, then version, with a
purl); the vulnerability lists them as known_affected and fixed. The document is built as version
1 with one revision; ``csaf_checks.mandatory_problems`` is run on it before it is returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from irbook import __version__
from irbook.domain.facts import IncidentFacts, package_purl
from irbook.errors import UsageError
from irbook.notify.advisory.osv import classify_iocs, osv_id, timestamp
from irbook.notify.advisory.wording import vector_sentence

CATEGORIES = {
    "incident-response": "csaf_security_incident_response",
    "advisory": "csaf_security_advisory",
}
DEFAULT_NAMESPACE = "urn:x-irbook:unpublished"
# CSAF 2.0 knows TLP 1.0 labels; TLP 2.0's CLEAR is 1.0's WHITE, AMBER+STRICT has no equivalent.
_TLP = {"CLEAR": "WHITE", "GREEN": "GREEN", "AMBER": "AMBER", "AMBER+STRICT": "AMBER", "RED": "RED"}


class _Products:
    """Product ids in order of definition: CSAFPID-0001, CSAFPID-0002..."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str, str], str] = {}

    def id_of(self, ecosystem: str, name: str, version: str) -> str:
        key = (ecosystem, name, version)
        if key not in self.ids:
            self.ids[key] = f"CSAFPID-{len(self.ids) + 1:04d}"
        return self.ids[key]

    def tree(self) -> dict[str, Any]:
        vendors: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for (eco, name, version), pid in self.ids.items():
            product: dict[str, Any] = {"name": f"{name}@{version}", "product_id": pid}
            purl = package_purl(eco, name)
            if purl:
                product["product_identification_helper"] = {"purl": f"{purl}@{version}"}
            vendors.setdefault(eco, {}).setdefault(name, []).append(
                {"category": "product_version", "name": version, "product": product}
            )
        return {
            "branches": [
                {
                    "category": "vendor",
                    "name": eco,
                    "branches": [
                        {"category": "product_name", "name": name, "branches": versions}
                        for name, versions in names.items()
                    ],
                }
                for eco, names in vendors.items()
            ]
        }


def csaf_document(
    facts: IncidentFacts,
    *,
    now: datetime,
    category: str = "incident-response",
    namespace: str | None = None,
) -> dict[str, Any]:
    if category not in CATEGORIES:
        raise UsageError(f"unknown CSAF category '{category}'; use {' or '.join(CATEGORIES)}")
    if not facts.packages:
        raise UsageError(
            f"incident {facts.id} has no affected package yet",
            hint="record the 'affected-packages' step (ECOSYSTEM:NAME@VERSION entries) first",
        )
    products = _Products()
    affected = [products.id_of(p.ecosystem, p.name, v) for p in facts.packages for v in p.versions]
    fixed = [
        products.id_of(p.ecosystem, p.name, p.safe_version)
        for p in facts.packages
        if p.safe_version
    ]
    doc: dict[str, Any] = {
        "document": _document(
            facts, now=now, category=CATEGORIES[category], namespace=namespace or DEFAULT_NAMESPACE
        ),
        "product_tree": products.tree(),
        "vulnerabilities": [_vulnerability(facts, products, affected, fixed)],
    }
    from irbook.notify.advisory.csaf_checks import mandatory_problems

    problems = mandatory_problems(doc)
    if problems:  # a bug here, or input CSAF cannot express: never hand out a failing document
        raise UsageError(
            "the CSAF document fails mandatory checks: " + "; ".join(problems),
            hint="add a reference URL to the runbook or the incident",
        )
    return doc


def _document(
    facts: IncidentFacts, *, now: datetime, category: str, namespace: str
) -> dict[str, Any]:
    released = timestamp(now)
    status = "interim" if facts.status == "open" else "final"
    distribution: dict[str, Any] = {
        "tlp": {"label": _TLP.get(facts.tlp, "AMBER"), "url": "https://www.first.org/tlp/"}
    }
    if facts.tlp in ("AMBER+STRICT", "CLEAR"):
        distribution["text"] = f"Marked TLP:{facts.tlp} (TLP 2.0) by the issuer."
    doc: dict[str, Any] = {
        "category": category,
        "csaf_version": "2.0",
        "lang": "en",
        "title": facts.title,
        "publisher": {
            "category": "vendor" if category == "csaf_security_advisory" else "other",
            "name": facts.organisation or "irbook user",
            "namespace": namespace,
        },
        "distribution": distribution,
        "notes": _notes(facts),
        "tracking": {
            "id": facts.id,
            "status": status,
            "version": "1",
            "initial_release_date": released,
            "current_release_date": released,
            "revision_history": [{"date": released, "number": "1", "summary": "Initial version."}],
            "generator": {"engine": {"name": "irbook", "version": __version__}, "date": released},
        },
    }
    if facts.urls:
        doc["references"] = [{"category": "external", "url": u, "summary": u} for u in facts.urls]
    return doc


def _notes(facts: IncidentFacts) -> list[dict[str, str]]:
    org = facts.organisation or "The issuer"
    notes = [
        {
            "category": "summary",
            "title": "Summary",
            "text": f"{org} is responding to incident {facts.id} ({facts.title}): malicious package "
            f"versions were published; {vector_sentence(facts.vector)}.",
        },
        {
            "category": "general",
            "title": "What to do",
            "text": "Update to a safe version; rotate every credential reachable from a machine that "
            "installed an affected version; check logs for the indicators of compromise.",
        },
    ]
    if facts.iocs:
        groups = classify_iocs(facts.iocs)
        text = "\n".join(f"{kind}: {', '.join(items)}" for kind, items in groups.items())
        notes.append({"category": "details", "title": "Indicators of compromise", "text": text})
    return notes


def _vulnerability(
    facts: IncidentFacts, products: _Products, affected: list[str], fixed: list[str]
) -> dict[str, Any]:
    vuln: dict[str, Any] = {
        "title": f"Malicious code in {', '.join(p.name for p in facts.packages)}",
        "cwe": {"id": "CWE-506", "name": "Embedded Malicious Code"},
        "ids": [{"system_name": "irbook", "text": osv_id(facts)}],
        "notes": [
            {
                "category": "description",
                "title": "Description",
                "text": "These versions contain code that steals credentials from the machine "
                "that installs them.",
            }
        ],
        "product_status": {"known_affected": affected},
    }
    cves = [i for i in facts.advisory_ids if i.startswith("CVE-")]
    if cves:
        vuln["cve"] = cves[0]  # one CVE per vulnerability; the others stay in ids
    vuln["ids"] += [
        {"system_name": i.split("-")[0], "text": i} for i in facts.advisory_ids if i not in cves[:1]
    ]
    if fixed:
        vuln["product_status"]["fixed"] = fixed
        vuln["remediations"] = [
            {
                "category": "vendor_fix",
                "details": f"Update {p.name} to {p.safe_version} or later.",
                "product_ids": [products.id_of(p.ecosystem, p.name, v) for v in p.versions],
            }
            for p in facts.packages
            if p.safe_version
        ]
    return vuln
