"""Incident facts: package entries (scoped npm names), grouping, findings, the shipped runbook."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from notify_support import RESPONDER, fill

from irbook.domain.events import Kind
from irbook.domain.facts import PackageVersion, build_facts, parse_package
from irbook.domain.models import NotifyStep
from irbook.loader.load import load_runbook
from irbook.loader.resources import shipped_dir
from irbook.notify import run_notify_step
from irbook.usecases import incidents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("npm:@tanstack/react-router@1.169.5", ("npm", "@tanstack/react-router", "1.169.5")),
        ("npm:chalk@5.6.1", ("npm", "chalk", "5.6.1")),
        ("pypi:guardrails-ai@0.10.1", ("PyPI", "guardrails-ai", "0.10.1")),
        (" PyPI:mistralai@2.4.6 ", ("PyPI", "mistralai", "2.4.6")),
    ],
)
def test_parse_package(text: str, expected: tuple[str, str, str]) -> None:
    assert parse_package(text) == PackageVersion(*expected)


@pytest.mark.parametrize(
    "text",
    ["npm:@tanstack/react-router", "chalk@5.6.1", "npm:chalk@", "npm:@1.0.0", "npm:chalk 5@1"],
)
def test_parse_package_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not ECOSYSTEM:NAME@VERSION"):
        parse_package(text)


def test_purls() -> None:
    assert parse_package("npm:@tanstack/react-router@1.169.5").purl == (
        "pkg:npm/%40tanstack/react-router@1.169.5"
    )
    assert parse_package("pypi:Guardrails_AI@0.10.1").purl == "pkg:pypi/guardrails-ai@0.10.1"


def test_facts_group_versions_and_take_safe_versions_from_findings(make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident(answers={"safe-versions": ["npm:@tanstack/react-router@1.169.9"]})
    facts = build_facts(state, actor="bob")
    by_name = {p.name: p for p in facts.packages}
    assert by_name["@tanstack/react-router"].versions == ("1.169.5", "1.169.8")
    assert by_name["@tanstack/history"].safe_version == "1.161.13"  # from the lockfile finding
    assert by_name["mistralai"].safe_version is None
    assert facts.findings[0].advisory == "MAL-2026-3463"
    assert (facts.organisation, facts.vector, facts.actor) == ("Acme Corp", "ci-cd-pipeline", "bob")
    assert facts.devices == ("dev-laptop-17", "ci-runner-3")
    assert facts.roles == {"incident-commander": "dana"}
    assert facts.phases[0].status == "done" and facts.milestones["contained"] is not None


def test_findings_stand_in_when_nothing_was_declared(make_incident) -> None:  # type: ignore[no-untyped-def]
    facts = build_facts(make_incident(answers={"affected-packages": [], "safe-versions": []}))
    assert [(p.name, p.versions, p.safe_version) for p in facts.packages] == [
        ("@tanstack/history", ("1.161.9",), "1.161.13")
    ]


def test_malformed_entries_are_reported_not_dropped_silently(make_incident) -> None:  # type: ignore[no-untyped-def]
    facts = build_facts(make_incident(answers={"affected-packages": ["npm:chalk@5.6.1", "debug"]}))
    assert [p.name for p in facts.packages] == ["chalk"]
    assert facts.problems == (
        "affected-packages: 'debug' is not ECOSYSTEM:NAME@VERSION "
        "(e.g. npm:@tanstack/react-router@1.169.5)",
    )


def test_notify_steps_of_the_shipped_runbook(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each notify step of the shipped runbook writes its .eml into the incident's folder."""
    loaded = load_runbook(shipped_dir("runbooks") / "supply-chain-compromise.yaml")
    state = incidents.start_incident(loaded, store=store, responder=RESPONDER)
    fill(store, state, findings=False)
    steps = [s for _, s in loaded.runbook.steps() if isinstance(s, NotifyStep)]
    assert {s.template for s in steps} >= {
        "internal-alert",
        "leadership-brief",
        "legal-notice",
        "advisory-downstream",
        "registry-report",
    }
    written = []
    for step in steps:
        (path,) = run_notify_step(store=store, state=state, step=step, responder=RESPONDER)
        written.append(path)
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert state.incident_id in message["Subject"]
        assert message.get_body(preferencelist=("html",)) is not None
    folder = incidents.output_dir(state.incident_id)
    assert sorted(p.parent for p in written) == [folder] * len(steps)
    rendered = [e for e in store.events(state.incident_id) if e.kind == Kind.NOTIFICATION_RENDERED]
    assert [(e.step_id, e.payload["audience"]) for e in rendered] == [
        (s.id, s.audience) for s in steps
    ]
    assert state.last_seq == rendered[-1].seq  # the caller's state saw its own events
