"""Advisories a maintainer would publish (issue 14): the incident's own identifiers, exactly the
malicious versions, nothing internal in public text, revisions that say what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from notify_support import RESPONDER, record

from irbook.audit.lockfiles.audit import audit, finding_json
from irbook.domain.events import CheckRan, InputRecorded, Kind, StepCompleted
from irbook.domain.facts import build_facts
from irbook.notify import notify
from irbook.notify.advisory.csaf_checks import mandatory_problems, optional_problems
from irbook.notify.advisory.osv import classify_iocs
from irbook.notify.advisory.service import advisory
from irbook.usecases import incidents
from shared import FIXTURES, shared_data

NOW = datetime(2026, 5, 12, 8, 30, tzinfo=UTC)
TANSTACK_IDS = ("CVE-2026-45321", "GHSA-g7cv-rxg3-hmpx", "MAL-2026-3460", "MAL-2026-3492")
PUBLIC_NOTICES = ("advisory-downstream", "registry-report", "upstream-report")


def issue(store: Any, incident_id: str, fmt: str, now: datetime = NOW, **kw: Any) -> str:
    return advisory(
        store=store, incident_id=incident_id, fmt=fmt, now=now, responder=RESPONDER, **kw
    ).text


def public_outputs(store: Any, incident_id: str, tmp_path: Path) -> dict[str, str]:
    """Every output meant for the public: OSV, CSAF, Markdown and the downstream e-mail."""
    out = {
        "osv": issue(store, incident_id, "osv"),
        "csaf": issue(store, incident_id, "csaf", namespace="https://acme.example/csaf"),
        "md": issue(store, incident_id, "md"),
    }
    for template in PUBLIC_NOTICES:
        result = notify(
            store=store,
            incident_id=incident_id,
            template=template,
            responder=RESPONDER,
            out_dir=tmp_path / "out",
        )
        assert result.path is not None
        out[template] = result.path.read_bytes().decode("utf-8", "replace").replace("=\r\n", "")
    return out


def test_tinycolor_incident_cites_its_own_record_and_no_tanstack_identifier(
    store, make_incident, tmp_path: Path, csaf_validator, osv_validator
) -> None:  # type: ignore[no-untyped-def]
    record_path = shared_data(
        "osv",
        "malicious-packages",
        "osv",
        "malicious",
        "npm",
        "@ctrl",
        "tinycolor",
        "MAL-2025-47141.json",
    )
    report = audit([FIXTURES / "advisory" / "tinycolor"], [record_path])
    assert [(f.package.name, f.advisory) for f in report.findings] == [
        ("@ctrl/tinycolor", "MAL-2025-47141")
    ]
    state = make_incident(
        answers={"affected-packages": ["npm:@ctrl/tinycolor@4.1.1"], "safe-versions": []},
        findings=False,
    )
    check = CheckRan(
        action="lockfile-audit",
        ok=False,
        summary="1 affected package version(s)",
        findings=[finding_json(f) for f in report.findings],
    )
    record(store, state, Kind.CHECK_RAN, check, "lockfile-audit")

    outputs = public_outputs(store, state.incident_id, tmp_path)
    for name, text in outputs.items():
        assert "MAL-2025-47141" in text, name
        assert "GHSA-qjqf-7j6f-82c4" in text, name  # the record's alias
        for tanstack in (*TANSTACK_IDS, "x_TEST"):
            assert tanstack not in text, (name, tanstack)
    doc = json.loads(outputs["csaf"])
    assert csaf_validator.is_valid(doc) and mandatory_problems(doc) == []
    assert optional_problems(doc) == []
    assert osv_validator.is_valid(json.loads(outputs["osv"]))


def test_private_ids_of_an_audit_finding_are_not_cited(make_incident, store) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    finding = {"ecosystem": "npm", "name": "acme-ui", "version": "2.3.1", "advisory": "x_TEST-0001"}
    check = CheckRan(action="lockfile-audit", ok=False, summary="1", findings=[finding])
    record(store, state, Kind.CHECK_RAN, check, "lockfile-audit")
    facts = build_facts(incidents.load_state(store, state.incident_id))
    assert "x_TEST-0001" not in facts.advisory_ids


def test_osv_lists_exact_versions_so_clean_versions_between_them_do_not_match(
    store, make_incident, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    affected = [
        "npm:@tanstack/react-router@1.169.5",
        "npm:@tanstack/react-router@1.169.8",
        "npm:acme-ui@2.3.1-beta.1",
        "pypi:Foo_Bar.baz@1.0.0rc1",
    ]
    safe = ["npm:@tanstack/react-router@1.169.9", "npm:acme-ui@2.3.1", "pypi:Foo_Bar.baz@1.0.1"]
    state = make_incident(answers={"affected-packages": affected, "safe-versions": safe})
    osv = json.loads(issue(store, state.incident_id, "osv"))
    names = [a["package"]["name"] for a in osv["affected"]]
    assert "foo-bar-baz" in names and "Foo_Bar.baz" not in names  # PyPI name as OSV spells it
    assert all("ranges" not in a for a in osv["affected"])
    source = tmp_path / "ours.json"
    source.write_text(json.dumps(osv))
    # 1.169.6, 1.169.7, 2.3.1-beta.2 and 1.0.0.post1 are clean: a range would have flagged them.
    assert audit([FIXTURES / "advisory" / "clean-between"], [source]).findings == []
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "requirements.txt").write_text("Foo_Bar.baz==1.0.0rc1\n")
    found = audit([bad], [source]).findings
    assert [(f.package.version, f.match) for f in found] == [("1.0.0rc1", "exact")]


def test_public_outputs_carry_nothing_internal(store, make_incident, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(inputs={"advisory_ids": ["CVE-2026-45321"]})
    internal = [
        state.severity,  # SEV1 / SEV2 ...
        f"TLP:{state.tlp}",  # the incident's own marking (AMBER)
        RESPONDER.actor,  # who responded
        "dana",  # the incident commander's name (role assignment)
        "status open",
        "completed with exceptions",
        "dev-laptop-17",  # affected devices are internal
    ]
    assert state.tlp != "CLEAR"
    for name, text in public_outputs(store, state.incident_id, tmp_path).items():
        found = [value for value in internal if value in text]
        assert found == [], f"{name} carries internal values {found}"


def test_published_stays_and_modified_moves_only_when_content_changes(store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(inputs={"advisory_ids": ["CVE-2026-45321"]})
    first = json.loads(issue(store, state.incident_id, "osv", NOW))
    again = json.loads(issue(store, state.incident_id, "osv", NOW + timedelta(hours=2)))
    assert again == first  # same content: same dates, no new revision
    assert first["published"] == first["modified"] == "2026-05-12T08:30:00Z"

    record(
        store,
        incidents.load_state(store, state.incident_id),
        Kind.STEP_COMPLETED,
        StepCompleted(value=["pypi:mistralai@2.4.6", "npm:@tanstack/history@1.161.10"]),
        "affected-packages",
    )
    later = NOW + timedelta(hours=5)
    revised = json.loads(issue(store, state.incident_id, "osv", later))
    assert revised["published"] == "2026-05-12T08:30:00Z"
    assert revised["modified"] == "2026-05-12T13:30:00Z"

    csaf = [
        json.loads(issue(store, state.incident_id, "csaf", NOW + timedelta(hours=h)))
        for h in (6, 7)
    ]
    assert csaf[0] == csaf[1]
    assert csaf[0]["document"]["tracking"]["version"] == "1"
    record(
        store,
        incidents.load_state(store, state.incident_id),
        Kind.STEP_COMPLETED,
        StepCompleted(value=["pypi:mistralai@2.4.7"]),
        "safe-versions",
    )
    tracking = json.loads(issue(store, state.incident_id, "csaf", NOW + timedelta(hours=8)))[
        "document"
    ]["tracking"]
    assert tracking["version"] == "2"
    assert [r["number"] for r in tracking["revision_history"]] == ["1", "2"]
    assert tracking["initial_release_date"] == "2026-05-12T14:30:00Z"
    assert tracking["current_release_date"] == "2026-05-12T16:30:00Z"
    issued = [e for e in store.events(state.incident_id) if e.kind == Kind.ADVISORY_ISSUED]
    assert [(e.payload["format"], e.payload["revision"]) for e in issued] == [
        ("osv", 1),
        ("osv", 2),
        ("csaf", 1),
        ("csaf", 2),
    ]


def test_references_are_typed_by_what_they_are(store, make_incident) -> None:  # type: ignore[no-untyped-def]
    refs = [
        "https://github.com/TanStack/router/discussions/1234",
        "https://github.com/TanStack/router/issues/99",
        "https://www.npmjs.com/package/@tanstack/react-router",
        "https://example.com/blog/postmortem",
    ]
    state = make_incident(inputs={"references": refs, "credits": ["Socket Research Team"]})
    osv = json.loads(issue(store, state.incident_id, "osv"))
    types = {r["url"]: r["type"] for r in osv["references"]}
    assert types[refs[0]] == "DISCUSSION" and types[refs[1]] == "REPORT"
    assert types[refs[2]] == "PACKAGE" and types[refs[3]] == "WEB"
    assert types["https://osv.dev/vulnerability/MAL-2026-3463"] == "ADVISORY"
    assert osv["credits"] == [{"name": "Socket Research Team"}]


def test_ioc_classification_knows_idn_domains_and_urls_without_scheme() -> None:
    groups = classify_iocs(
        ["münchen-ioc.example", "evil.example/payload.js", "/tmp/.x/run.sh", "setup_bun.js"]
    )
    assert groups == {
        "domains": ["münchen-ioc.example"],
        "urls": ["evil.example/payload.js"],
        "files": ["/tmp/.x/run.sh", "setup_bun.js"],
    }


CASES = {
    "npm-only": {
        "answers": {
            "affected-packages": ["npm:@acme/ui@2.3.1-beta.1", "npm:@acme/ui@2.3.1"],
            "safe-versions": ["npm:@acme/ui@2.3.2"],
        },
        "inputs": {"organisation": "Acme Corp", "advisory_ids": ["MAL-2026-9001"]},
    },
    "pypi-only-no-safe-version": {
        "answers": {"affected-packages": ["pypi:Foo_Bar.baz@1.0.0rc1"], "safe-versions": []},
        "inputs": {"organisation": "Ünïcödé GmbH", "advisory_ids": ["PYSEC-2026-1"]},
    },
    "mixed": {
        "answers": {},
        "inputs": {"organisation": "Acme Corp", "payload": "browser-clipper"},
    },
}


@pytest.mark.parametrize("case", CASES)
def test_csaf_passes_schema_mandatory_and_optional_tests(
    store, make_incident, csaf_validator, case: str
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(findings=case == "mixed", **CASES[case])
    for category, extra in (("incident-response", {}), ("advisory", {"own_products": 1})):
        if extra:
            record(
                store,
                incidents.load_state(store, state.incident_id),
                Kind.INPUT_RECORDED,
                InputRecorded(input_id="own_products", value=["acme-web 2.3.1"]),
            )
        text = issue(
            store,
            state.incident_id,
            "csaf",
            category=category,
            namespace="https://acme.example/csaf",
        )
        doc = json.loads(text)
        assert [e.message for e in csaf_validator.iter_errors(doc)] == []
        assert mandatory_problems(doc) == []
        assert optional_problems(doc) == [], (case, category)
        self_url = [r for r in doc["document"]["references"] if r["category"] == "self"]
        assert self_url[0]["url"].endswith(f"/{state.incident_id.lower()}.json")
