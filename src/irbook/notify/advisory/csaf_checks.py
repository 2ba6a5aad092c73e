"""The CSAF 2.0 mandatory tests (section 6.1) that a generated document could fail.

The JSON schema cannot see these: every product id used must be defined once, product statuses
must not contradict, and the revision history must agree with the document version and status.
Each problem names its test, e.g. ``6.1.1 missing product id definition: CSAFPID-0009``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_STATUS_GROUPS = {
    "affected": ("first_affected", "known_affected", "last_affected"),
    "not affected": ("known_not_affected",),
    "fixed": ("first_fixed", "fixed"),
    "under investigation": ("under_investigation",),
}


def optional_problems(doc: dict[str, Any]) -> list[str]:
    """The optional tests (section 6.2) irbook promises: 6.2.2, 6.2.11 (with a namespace), 6.2.13.

    6.2.13 is about the JSON text: pass the document as parsed from it (``json.loads`` keeps the
    order of keys)."""
    return [*_missing_remediation(doc), *_canonical_url(doc), *_unsorted_keys(doc, "")]


def _missing_remediation(doc: dict[str, Any]) -> Iterator[str]:
    """6.2.2: every affected product has a remediation."""
    for n, vuln in enumerate(doc.get("vulnerabilities") or []):
        status = vuln.get("product_status") or {}
        affected = {p for key in _STATUS_GROUPS["affected"] for p in status.get(key, [])}
        remedied = {p for r in vuln.get("remediations") or [] for p in r.get("product_ids", [])}
        for pid in sorted(affected - remedied):
            yield f"6.2.2 missing remediation: vulnerabilities[{n}] {pid}"


def _canonical_url(doc: dict[str, Any]) -> Iterator[str]:
    """6.2.11: a self reference with an https URL ending in the file name of section 5.1."""
    tracking_id = ((doc.get("document") or {}).get("tracking") or {}).get("id", "")
    name = re.sub(r"[^+\-a-z0-9]+", "_", str(tracking_id).lower()) + ".json"
    selves = [
        r["url"]
        for r in (doc.get("document") or {}).get("references") or []
        if r.get("category") == "self"
    ]
    if not any(u.startswith("https://") and u.endswith("/" + name) for u in selves):
        yield f"6.2.11 missing canonical URL: no self reference https://.../{name}"


def _unsorted_keys(node: Any, path: str) -> Iterator[str]:
    """6.2.13: the keys of every object in the text are sorted."""
    if isinstance(node, dict):
        keys = list(node)
        if keys != sorted(keys):
            yield f"6.2.13 sorting: keys of {path or '/'} are not sorted"
        for key, value in node.items():
            yield from _unsorted_keys(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _unsorted_keys(value, f"{path}/{i}")


def mandatory_problems(doc: dict[str, Any]) -> list[str]:
    return [
        *_product_ids(doc),
        *_contradicting_status(doc),
        *_revision_history(doc),
        *_profile(doc),
    ]


# --- 6.1.1, 6.1.2: product ids ------------------------------------------------------------------


def defined_product_ids(doc: dict[str, Any]) -> list[str]:
    tree = doc.get("product_tree") or {}
    ids = [p["product_id"] for p in _branch_products(tree.get("branches") or [])]
    ids += [p["product_id"] for p in tree.get("full_product_names") or []]
    ids += [r["full_product_name"]["product_id"] for r in tree.get("relationships") or []]
    return ids


def _branch_products(branches: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for branch in branches:
        if "product" in branch:
            yield branch["product"]
        yield from _branch_products(branch.get("branches") or [])


def referenced_product_ids(doc: dict[str, Any]) -> list[str]:
    refs: list[str] = []
    for group in (doc.get("product_tree") or {}).get("product_groups") or []:
        refs += group.get("product_ids", [])
    for rel in (doc.get("product_tree") or {}).get("relationships") or []:
        refs += [rel["product_reference"], rel["relates_to_product_reference"]]
    for vuln in doc.get("vulnerabilities") or []:
        for ids in (vuln.get("product_status") or {}).values():
            refs += ids
        for key in ("remediations", "threats", "flags"):
            for item in vuln.get(key) or []:
                refs += item.get("product_ids", [])
        for score in vuln.get("scores") or []:
            refs += score.get("products", [])
    return refs


def _product_ids(doc: dict[str, Any]) -> Iterator[str]:
    defined = defined_product_ids(doc)
    for pid, count in Counter(defined).items():
        if count > 1:
            yield f"6.1.2 multiple definition of product id: {pid}"
    for pid in dict.fromkeys(referenced_product_ids(doc)):
        if pid not in defined:
            yield f"6.1.1 missing product id definition: {pid}"


# --- 6.1.6: contradicting product status ---------------------------------------------------------


def _contradicting_status(doc: dict[str, Any]) -> Iterator[str]:
    for n, vuln in enumerate(doc.get("vulnerabilities") or []):
        status = vuln.get("product_status") or {}
        seen: dict[str, str] = {}
        for group, keys in _STATUS_GROUPS.items():
            for pid in {p for k in keys for p in status.get(k, [])}:
                if pid in seen and seen[pid] != group:
                    yield (
                        f"6.1.6 contradicting product status in vulnerabilities[{n}]: {pid} "
                        f"is both {seen[pid]} and {group}"
                    )
                seen.setdefault(pid, group)


# --- 6.1.14, 6.1.16 - 6.1.18, 6.1.21, 6.1.22: tracking and revision history ---------------------


def _version_key(number: str) -> tuple[int, ...] | None:
    if number.isdigit():
        return (int(number),)
    m = _SEMVER.match(number)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def _prerelease(number: str) -> bool:
    m = _SEMVER.match(number)
    return bool(m and m[4])


def _is_zero(number: str) -> bool:
    return number == "0" or number.startswith("0.")


def _revision_history(doc: dict[str, Any]) -> Iterator[str]:
    tracking = (doc.get("document") or {}).get("tracking") or {}
    history = tracking.get("revision_history") or []
    version, status = str(tracking.get("version", "")), tracking.get("status")
    numbers = [str(r.get("number", "")) for r in history]
    for number, count in Counter(numbers).items():
        if count > 1:
            yield f"6.1.22 multiple definition in revision history: number {number}"
    keyed = [(k, r) for r in history if (k := _version_key(str(r.get("number", "")))) is not None]
    by_number = sorted(keyed, key=lambda kr: kr[0])
    dates = [r.get("date", "") for _, r in by_number]
    if dates != sorted(dates):
        yield "6.1.14 revision history not sorted: dates do not ascend with the numbers"
    if (
        by_number
        and _version_key(version) != by_number[-1][0]
        and not (status == "draft" and _prerelease(version))
    ):
        yield (
            f"6.1.16 latest document version: tracking.version {version} is not the latest "
            f"revision number {by_number[-1][1].get('number')}"
        )
    if (_is_zero(version) or _prerelease(version)) and status != "draft":
        yield f"6.1.17 document status: version {version} requires status draft, not {status}"
    if status in ("final", "interim"):
        for number in numbers:
            if _is_zero(number):
                yield f"6.1.18 released revision history: {status} document has revision {number}"
    majors = sorted({k[0] for k, _ in keyed})
    if majors and (majors[0] not in (0, 1) or majors != list(range(majors[0], majors[-1] + 1))):
        yield f"6.1.21 missing item in revision history: numbers {', '.join(numbers)}"


# --- 6.1.27: profile tests --------------------------------------------------------------------


def _profile(doc: dict[str, Any]) -> Iterator[str]:
    document = doc.get("document") or {}
    category = document.get("category")
    if category in ("csaf_security_incident_response", "csaf_informational_advisory"):
        kinds = {n.get("category") for n in document.get("notes") or []}
        if not kinds & {"description", "details", "general", "summary"}:
            yield "6.1.27.1 document notes: needs a description, details, general or summary note"
        if not any(r.get("category") == "external" for r in document.get("references") or []):
            yield "6.1.27.2 document references: needs at least one external reference"
    if category == "csaf_security_advisory":
        if not doc.get("product_tree"):
            yield "6.1.27.4 product tree: a security advisory needs one"
        for n, vuln in enumerate(doc.get("vulnerabilities") or []):
            if not vuln.get("notes"):
                yield f"6.1.27.5 vulnerability notes: vulnerabilities[{n}] has none"
            if not vuln.get("product_status"):
                yield f"6.1.27.6 product status: vulnerabilities[{n}] has none"
