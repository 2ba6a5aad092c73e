"""A CSAF 2.0 document of the incident.

``csaf_security_incident_response`` fits "we were breached" notices; ``csaf_security_advisory``
fits "our product shipped a bad dependency": the issuer's own products (input ``own_products``)
are products of the tree with ``default_component_of`` relationships to the bad package versions.
Each package version is a product under a vendor branch that names the package's maintainer (the
issuer when its own releases were hit, otherwise "unknown maintainer"), with a purl naming the
registry. ``document.tracking`` carries the revision history of earlier issues (``advisory_issued``
events). The document passes the mandatory tests and optional tests 6.2.2 (a remediation for
every affected product), 6.2.11 (a canonical self URL when a namespace is given) and 6.2.13
(keys written sorted, by the caller) before it is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from irbook import __version__
from irbook.domain.facts import IncidentFacts, package_purl
from irbook.errors import UsageError
from irbook.notify.advisory.osv import classify_iocs, id_url, osv_id, timestamp
from irbook.notify.advisory.wording import payload_sentences, vector_sentence

CATEGORIES = {
    "incident-response": "csaf_security_incident_response",
    "advisory": "csaf_security_advisory",
}
DEFAULT_NAMESPACE = "urn:x-irbook:unpublished"
# CSAF 2.0 knows TLP 1.0 labels; TLP 2.0's CLEAR is 1.0's WHITE, AMBER+STRICT has no equivalent.
_TLP = {"CLEAR": "WHITE", "GREEN": "GREEN", "AMBER": "AMBER", "AMBER+STRICT": "AMBER", "RED": "RED"}


UNKNOWN_MAINTAINER = "unknown maintainer"


@dataclass(frozen=True)
class Revision:
    number: int
    date: str  # RFC 3339
    summary: str


class _Products:
    """Product ids in order of definition: CSAFPID-0001, CSAFPID-0002..."""

    def __init__(self, maintainer: str) -> None:
        self.ids: dict[tuple[str, str, str], str] = {}
        self.maintainer = maintainer

    def id_of(self, ecosystem: str, name: str, version: str) -> str:
        key = (ecosystem, name, version)
        if key not in self.ids:
            self.ids[key] = f"CSAFPID-{len(self.ids) + 1:04d}"
        return self.ids[key]

    def tree(self) -> dict[str, Any]:
        names: dict[str, list[dict[str, Any]]] = {}
        for (eco, name, version), pid in self.ids.items():
            product: dict[str, Any] = {"name": f"{name}@{version} ({eco})", "product_id": pid}
            purl = package_purl(eco, name)
            if purl:  # the purl names the registry: pkg:npm/..., pkg:pypi/...
                product["product_identification_helper"] = {"purl": f"{purl}@{version}"}
            names.setdefault(f"{name} ({eco})", []).append(
                {"category": "product_version", "name": version, "product": product}
            )
        return {
            "branches": [
                {
                    "category": "vendor",
                    "name": self.maintainer,
                    "branches": [
                        {"category": "product_name", "name": name, "branches": versions}
                        for name, versions in names.items()
                    ],
                }
            ]
        }


def csaf_document(
    facts: IncidentFacts,
    *,
    now: datetime,
    category: str = "incident-response",
    namespace: str | None = None,
    history: tuple[Revision, ...] = (),
) -> dict[str, Any]:
    """The document; ``history`` holds the revisions issued so far, this one last."""
    if category not in CATEGORIES:
        raise UsageError(f"unknown CSAF category '{category}'; use {' or '.join(CATEGORIES)}")
    if not facts.packages:
        raise UsageError(
            f"incident {facts.id} has no affected package yet",
            hint="record the 'affected-packages' step (ECOSYSTEM:NAME@VERSION entries) first",
        )
    own = category == "advisory"
    if own and not facts.own_products:
        raise UsageError(
            "--csaf-category advisory needs the products of yours that shipped a bad version",
            hint="record the input own_products (e.g. 'acme-web 2.3.1'), or use the default "
            "incident-response category",
        )
    products = _Products(
        facts.organisation or "issuer" if facts.own_releases else UNKNOWN_MAINTAINER
    )
    affected = [products.id_of(p.ecosystem, p.name, v) for p in facts.packages for v in p.versions]
    fixed = [
        products.id_of(p.ecosystem, p.name, p.safe_version)
        for p in facts.packages
        if p.safe_version
    ]
    tree = products.tree()
    if own:
        affected += _own_products(facts, tree, affected)
    doc: dict[str, Any] = {
        "document": _document(
            facts,
            now=now,
            category=CATEGORIES[category],
            namespace=namespace,
            history=history,
        ),
        "product_tree": tree,
        "vulnerabilities": [_vulnerability(facts, products, affected, fixed)],
    }
    from irbook.notify.advisory.csaf_checks import mandatory_problems

    problems = mandatory_problems(doc)
    if problems:  # a bug here, or input CSAF cannot express: never hand out a failing document
        raise UsageError(
            "the CSAF document fails its checks: " + "; ".join(problems),
            hint="add a reference (input 'references' or an advisory id) to the incident",
        )
    return doc


def _own_products(facts: IncidentFacts, tree: dict[str, Any], bad: list[str]) -> list[str]:
    """The issuer's products, each a component-of relationship with every bad version."""
    names = [
        {"name": name, "product_id": f"CSAFPID-OWN-{i:04d}"}
        for i, name in enumerate(facts.own_products, 1)
    ]
    tree["full_product_names"] = names
    relationships = []
    combined = []
    for own in names:
        for n, pid in enumerate(bad, 1):
            rel_id = f"{own['product_id']}-{n:04d}"
            combined.append(rel_id)
            relationships.append(
                {
                    "category": "default_component_of",
                    "product_reference": pid,
                    "relates_to_product_reference": own["product_id"],
                    "full_product_name": {
                        "name": f"{own['name']} with {pid}",
                        "product_id": rel_id,
                    },
                }
            )
    tree["relationships"] = relationships
    return combined


def _document(
    facts: IncidentFacts,
    *,
    now: datetime,
    category: str,
    namespace: str | None,
    history: tuple[Revision, ...],
) -> dict[str, Any]:
    revisions = history or (Revision(1, timestamp(now), "Initial version."),)
    current = revisions[-1]
    status = "interim" if facts.status == "open" else "final"
    # Published for the public when the incident is marked CLEAR; otherwise its own marking.
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
            # "vendor" only speaks for one's own products (the advisory category); about other
            # people's packages the issuer is a "discoverer" of what it reports.
            "category": "vendor" if category == "csaf_security_advisory" else "discoverer",
            "name": facts.organisation or "irbook user",
            "namespace": namespace or DEFAULT_NAMESPACE,
        },
        "distribution": distribution,
        "notes": _notes(facts),
        "tracking": {
            "id": facts.id,
            "status": status,
            "version": str(current.number),
            "initial_release_date": revisions[0].date,
            "current_release_date": current.date,
            "revision_history": [
                {"date": r.date, "number": str(r.number), "summary": r.summary} for r in revisions
            ],
            "generator": {
                "engine": {"name": "irbook", "version": __version__},
                "date": timestamp(now),
            },
        },
    }
    references = [
        {"category": "external", "url": u, "summary": u}
        for u in dict.fromkeys(
            [*(url for url in map(id_url, facts.advisory_ids) if url), *facts.urls]
        )
    ]
    if namespace and namespace.startswith("https://"):
        references.insert(
            0,
            {
                "category": "self",
                "url": f"{namespace.rstrip('/')}/{csaf_filename(facts.id)}",
                "summary": "Canonical URL of this document.",
            },
        )
    if references:
        doc["references"] = references
    if facts.credits:
        doc["acknowledgments"] = [{"names": list(facts.credits)}]
    return doc


def csaf_filename(tracking_id: str) -> str:
    """CSAF 2.0 section 5.1: the tracking id lower-cased, other characters as _, then .json."""
    return re.sub(r"[^+\-a-z0-9]+", "_", tracking_id.lower()) + ".json"


def _notes(facts: IncidentFacts) -> list[dict[str, str]]:
    action = payload_sentences(facts.payload)[1]
    org = facts.organisation or "The issuer"
    listed = "; ".join(f"{p.name} ({p.ecosystem}) {', '.join(p.versions)}" for p in facts.packages)
    notes = [
        {
            "category": "summary",
            "title": "Summary",
            "text": f"{org} reports malicious package versions: {listed}. "
            f"{vector_sentence(facts.vector).capitalize()}.",
        },
        {"category": "general", "title": "What to do", "text": action},
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
                "text": payload_sentences(facts.payload)[0],
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
    remediations = []
    for p in facts.packages:
        ids = [products.id_of(p.ecosystem, p.name, v) for v in p.versions]
        if p.safe_version:
            remediations.append(
                {
                    "category": "vendor_fix",
                    "details": f"Update {p.name} to {p.safe_version} or later.",
                    "product_ids": ids,
                }
            )
        else:
            remediations.append(
                {
                    "category": "workaround",
                    "details": f"No safe version of {p.name} is known yet: remove it, or pin a "
                    "version released before the affected ones, and rebuild from a clean cache.",
                    "product_ids": ids,
                }
            )
    own = [i for i in affected if i.startswith("CSAFPID-OWN-")]
    if own:
        remediations.append(
            {
                "category": "vendor_fix",
                "details": "Install a release of ours built after the malicious versions were "
                "removed (see the notes).",
                "product_ids": own,
            }
        )
    vuln["remediations"] = remediations
    return vuln
