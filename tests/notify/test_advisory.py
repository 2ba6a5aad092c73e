"""OSV and CSAF output against the official schemas (offline), the CSAF mandatory checks, Markdown."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from notify_support import RESPONDER

from irbook.domain.facts import build_facts
from irbook.errors import UsageError
from irbook.notify.advisory.csaf import csaf_document
from irbook.notify.advisory.csaf_checks import mandatory_problems, optional_problems
from irbook.notify.advisory.osv import classify_iocs
from irbook.notify.advisory.service import advisory

NOW = datetime(2026, 5, 12, 8, 30, tzinfo=UTC)


def schema_errors(validator: Any, doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_osv_record_is_valid_and_complete(store, make_incident, osv_validator) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    record = json.loads(
        advisory(
            store=store, incident_id=state.incident_id, fmt="osv", now=NOW, responder=RESPONDER
        ).text
    )
    assert schema_errors(osv_validator, record) == []
    assert record["id"] == f"x_{state.incident_id}"
    assert record["modified"] == "2026-05-12T08:30:00Z"
    by_name = {a["package"]["name"]: a for a in record["affected"]}
    router = by_name["@tanstack/react-router"]
    assert router["package"] == {
        "ecosystem": "npm",
        "name": "@tanstack/react-router",
        "purl": "pkg:npm/%40tanstack/react-router",
    }
    # Exactly the malicious versions, no range: 1.169.6 and 1.169.7 between them are clean.
    assert router["versions"] == ["1.169.5", "1.169.8"]
    assert "ranges" not in router
    assert router["database_specific"]["cwes"][0]["cweId"] == "CWE-506"
    assert by_name["mistralai"]["package"]["ecosystem"] == "PyPI"
    assert record["database_specific"]["iocs"] == {
        "domains": ["filev2.getsession.org", "seed1.getsession.org"],
        "files": ["router_init.js", "tanstack_runner.js"],
    }
    assert "incident" not in record["database_specific"]
    # Cited: the ids the audit matched, not the runbook's background references.
    assert record["related"] == ["MAL-2026-3463", "GHSA-g7cv-rxg3-hmpx"]
    assert "CVE-2026-45321" not in json.dumps(record)


def test_osv_without_safe_versions_and_with_odd_safe_version_is_valid(
    store,
    make_incident,
    osv_validator,
) -> None:  # type: ignore[no-untyped-def]
    # A "safe" version below the malicious one cannot close a range: exact versions only.
    state = make_incident(
        answers={"safe-versions": ["npm:@tanstack/react-router@1.169.4"]}, findings=False
    )
    record = json.loads(
        advisory(
            store=store, incident_id=state.incident_id, fmt="osv", now=NOW, responder=RESPONDER
        ).text
    )
    assert schema_errors(osv_validator, record) == []
    assert all("ranges" not in a for a in record["affected"])


@pytest.mark.parametrize("category", ["incident-response", "advisory"])
def test_csaf_is_valid_and_passes_mandatory_checks(
    store,
    make_incident,
    csaf_validator,
    category: str,
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(
        inputs={"advisory_ids": ["CVE-2026-45321"], "own_products": ["acme-web 2.3.1"]}
    )
    text = advisory(
        store=store,
        incident_id=state.incident_id,
        fmt="csaf",
        now=NOW,
        category=category,
        namespace="https://acme.example/csaf",
        responder=RESPONDER,
    ).text
    doc = json.loads(text)
    assert schema_errors(csaf_validator, doc) == []
    assert mandatory_problems(doc) == []
    assert optional_problems(doc) == []
    document = doc["document"]
    assert (
        document["category"]
        == {
            "incident-response": "csaf_security_incident_response",
            "advisory": "csaf_security_advisory",
        }[category]
    )
    assert document["distribution"]["tlp"]["label"] == "AMBER"
    tracking = document["tracking"]
    assert tracking["id"] == state.incident_id
    assert tracking["version"] == tracking["revision_history"][-1]["number"] == "1"
    assert (
        tracking["initial_release_date"]
        == tracking["current_release_date"]
        == "2026-05-12T08:30:00Z"
    )
    vuln = doc["vulnerabilities"][0]
    assert vuln["cve"] == "CVE-2026-45321"
    products = _products(doc)
    affected = sorted(
        products[p] for p in vuln["product_status"]["known_affected"] if p in products
    )
    fixed = sorted(products[p] for p in vuln["product_status"]["fixed"])
    assert affected == [
        "@tanstack/history@1.161.9 (npm)",
        "@tanstack/react-router@1.169.5 (npm)",
        "@tanstack/react-router@1.169.8 (npm)",
        "mistralai@2.4.6 (PyPI)",
    ]
    assert fixed == ["@tanstack/history@1.161.13 (npm)", "@tanstack/react-router@1.169.9 (npm)"]
    # The registry is not the vendor: the maintainer is (unknown here), the purl names the registry.
    assert [v["name"] for v in doc["product_tree"]["branches"]] == ["unknown maintainer"]
    if category == "advisory":
        relationships = doc["product_tree"]["relationships"]
        assert {r["category"] for r in relationships} == {"default_component_of"}
        assert len(relationships) == len(affected)
        assert doc["document"]["publisher"]["category"] == "vendor"
    else:
        assert doc["document"]["publisher"]["category"] == "discoverer"


def _products(doc: dict[str, Any]) -> dict[str, str]:
    out = {}
    for vendor in doc["product_tree"]["branches"]:
        for name in vendor["branches"]:
            for version in name["branches"]:
                out[version["product"]["product_id"]] = version["product"]["name"]
    return out


def test_csaf_tlp_clear_maps_to_white(store, make_incident, csaf_validator) -> None:  # type: ignore[no-untyped-def]
    facts = build_facts(make_incident())
    facts = type(facts)(**{**facts.__dict__, "tlp": "CLEAR"})
    doc = csaf_document(facts, now=NOW)
    assert doc["document"]["distribution"]["tlp"]["label"] == "WHITE"
    assert schema_errors(csaf_validator, doc) == []


def test_csaf_incident_response_without_any_reference_is_refused(make_incident) -> None:  # type: ignore[no-untyped-def]
    # No id typed or matched, no reference: nothing to cite (the runbook's background does not count).
    facts = build_facts(make_incident(findings=False))
    assert facts.advisory_ids == () and facts.references == ()
    with pytest.raises(UsageError, match=r"6\.1\.27\.2"):
        csaf_document(facts, now=NOW)


def test_csaf_advisory_category_needs_the_issuers_products(make_incident) -> None:  # type: ignore[no-untyped-def]
    facts = build_facts(make_incident())
    with pytest.raises(UsageError, match="--csaf-category advisory needs the products of yours"):
        csaf_document(facts, now=NOW, category="advisory")


def test_no_affected_packages_is_a_clear_error(store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(answers={"affected-packages": []}, findings=False)
    for fmt in ("osv", "csaf"):
        with pytest.raises(UsageError, match="no affected package"):
            advisory(
                store=store, incident_id=state.incident_id, fmt=fmt, now=NOW, responder=RESPONDER
            )


def test_malformed_package_entry_stops_machine_formats(store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(answers={"affected-packages": ["npm:@tanstack/react-router"]})
    with pytest.raises(UsageError, match="is not ECOSYSTEM:NAME@VERSION"):
        advisory(
            store=store, incident_id=state.incident_id, fmt="osv", now=NOW, responder=RESPONDER
        )


def test_markdown_advisory(store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    text = advisory(
        store=store, incident_id=state.incident_id, fmt="md", now=NOW, responder=RESPONDER
    ).text
    assert text.startswith(f"# Security advisory x_{state.incident_id}: ")
    assert "| npm | `@tanstack/react-router` | `1.169.5`, `1.169.8` | `1.169.9` |" in text
    assert "| PyPI | `mistralai` | `2.4.6` | not known yet |" in text
    assert "- `filev2.getsession.org`" in text and "**TLP:CLEAR**" in text
    assert "npm ls @tanstack/react-router --all" in text
    assert "python -m pip install" not in text  # no safe mistralai version: no install line
    assert "TLP:AMBER" not in text and "SEV" not in text
    assert not [m for m in ("{{", "}}", "{%", "%}") if m in text]


# --- the mandatory checks can fail ------------------------------------------------------------


@pytest.fixture
def good_doc(make_incident) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    doc = csaf_document(
        build_facts(make_incident(inputs={"own_products": ["acme-web 2.3.1"]})),
        now=NOW,
        category="advisory",
    )
    assert mandatory_problems(doc) == []
    return doc


def mutate(doc: dict[str, Any], change: Any) -> list[str]:
    changed = copy.deepcopy(doc)
    change(changed)
    return mandatory_problems(changed)


def test_check_undefined_product_id(good_doc) -> None:  # type: ignore[no-untyped-def]
    problems = mutate(
        good_doc,
        lambda d: d["vulnerabilities"][0]["product_status"]["known_affected"].append(
            "CSAFPID-9999"
        ),
    )
    assert problems == ["6.1.1 missing product id definition: CSAFPID-9999"]


def test_check_product_id_defined_twice(good_doc) -> None:  # type: ignore[no-untyped-def]
    def dup(d: dict[str, Any]) -> None:
        d["product_tree"]["full_product_names"].append({"name": "x", "product_id": "CSAFPID-0001"})

    assert mutate(good_doc, dup) == ["6.1.2 multiple definition of product id: CSAFPID-0001"]


def test_check_contradicting_status(good_doc) -> None:  # type: ignore[no-untyped-def]
    def both(d: dict[str, Any]) -> None:
        status = d["vulnerabilities"][0]["product_status"]
        status["fixed"].append(status["known_affected"][0])

    (problem,) = mutate(good_doc, both)
    assert problem.startswith("6.1.6 contradicting product status")


def test_check_version_must_match_revision_history(good_doc) -> None:  # type: ignore[no-untyped-def]
    problems = mutate(good_doc, lambda d: d["document"]["tracking"].update(version="2"))
    assert problems == [
        "6.1.16 latest document version: tracking.version 2 is not the latest revision number 1"
    ]


def test_check_revision_history_gaps_duplicates_order_and_drafts(good_doc) -> None:  # type: ignore[no-untyped-def]
    def history(*entries: tuple[str, str]) -> Any:
        def change(d: dict[str, Any]) -> None:
            d["document"]["tracking"]["revision_history"] = [
                {"number": n, "date": date, "summary": "s"} for n, date in entries
            ]
            d["document"]["tracking"]["version"] = entries[-1][0]

        return change

    gap = mutate(good_doc, history(("1", "2026-05-12T08:00:00Z"), ("3", "2026-05-13T08:00:00Z")))
    assert [p.split(":")[0] for p in gap] == ["6.1.21 missing item in revision history"]
    dup = mutate(good_doc, history(("1", "2026-05-12T08:00:00Z"), ("1", "2026-05-13T08:00:00Z")))
    assert any(p.startswith("6.1.22") for p in dup)
    order = mutate(good_doc, history(("1", "2026-05-13T08:00:00Z"), ("2", "2026-05-12T08:00:00Z")))
    assert order == ["6.1.14 revision history not sorted: dates do not ascend with the numbers"]
    zero = mutate(good_doc, history(("0", "2026-05-12T08:00:00Z")))  # interim with version 0
    assert [p[:6] for p in zero] == ["6.1.17", "6.1.18"]


def test_check_profile_rules(good_doc) -> None:  # type: ignore[no-untyped-def]
    def incident_response_without_notes(d: dict[str, Any]) -> None:
        d["document"]["category"] = "csaf_security_incident_response"
        d["document"]["notes"] = [{"category": "legal_disclaimer", "text": "AS IS"}]
        d["document"].pop("references", None)

    assert [p[:8] for p in mutate(good_doc, incident_response_without_notes)] == [
        "6.1.27.1",
        "6.1.27.2",
    ]
    no_vuln_notes = mutate(good_doc, lambda d: d["vulnerabilities"][0].pop("notes"))
    assert no_vuln_notes == ["6.1.27.5 vulnerability notes: vulnerabilities[0] has none"]


def test_ioc_classification() -> None:
    assert classify_iocs(
        [
            "filev2.getsession.org",
            "142.11.206.73",
            "https://x.example/a",
            "router_init.js",
            "@tanstack/setup",
            "a" * 64,
            "npm_marker",
        ]
    ) == {
        "domains": ["filev2.getsession.org"],
        "ips": ["142.11.206.73"],
        "urls": ["https://x.example/a"],
        "files": ["router_init.js"],
        "other": ["@tanstack/setup", "npm_marker"],
        "hashes": ["a" * 64],
    }


def test_written_files_round_trip(store, make_incident, tmp_path: Path, osv_validator) -> None:  # type: ignore[no-untyped-def]
    from irbook.cli import run

    state = make_incident()
    out = tmp_path / "advisory.osv.json"
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert run(["advisory", state.incident_id, "--format", "osv", "-o", str(out), "--db", db]) == 0
    assert schema_errors(osv_validator, json.loads(out.read_text())) == []


def test_the_schemas_do_reject_wrong_documents(
    make_incident, osv_validator, csaf_validator
) -> None:  # type: ignore[no-untyped-def]
    """The validation above can fail: TLP 2.0's CLEAR is not a CSAF 2.0 label, ids need a prefix."""
    from irbook.notify.advisory.osv import osv_record

    facts = build_facts(make_incident())
    doc = csaf_document(facts, now=NOW)
    doc["document"]["distribution"]["tlp"]["label"] = "CLEAR"
    doc["vulnerabilities"][0]["scores"] = [
        {"products": ["CSAFPID-0001"], "cvss_v3": {"version": "3.1", "baseScore": 11}}
    ]
    errors = schema_errors(csaf_validator, doc)
    assert any("'CLEAR' is not one of" in e for e in errors)
    assert any("cvss_v3" in e for e in errors)  # resolved through the local FIRST schemas
    record = osv_record(facts, now=NOW)
    record["id"] = facts.id
    assert schema_errors(osv_validator, record) != []


def test_advisory_to_a_missing_folder_exits_2_and_a_written_file_is_0600(  # type: ignore[no-untyped-def]
    store, make_incident, tmp_path: Path, capsys
) -> None:
    """Issue 10: `advisory -o missing-dir/x.json` was exit 3 and a crash log; the file was 0644."""
    import stat

    from irbook.cli import run

    state = make_incident()
    db = f"sqlite:///{tmp_path / 't.db'}"
    missing = tmp_path / "missing-dir" / "x.json"
    assert run(["advisory", state.incident_id, "-f", "osv", "-o", str(missing), "--db", db]) == 2
    err = capsys.readouterr().err
    assert f"the folder {missing.parent} does not exist" in err
    assert "internal error" not in err
    out = tmp_path / "x.json"
    assert run(["advisory", state.incident_id, "-f", "osv", "-o", str(out), "--db", db]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
