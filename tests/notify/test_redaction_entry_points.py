"""One test per redaction finding of issue 12, each at its own entry point (API and CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from notify_support import RESPONDER

from irbook.audit.logs.scan import audit_logs
from irbook.domain.events import Kind, NewEvent, RoleAssigned
from irbook.errors import UsageError
from irbook.notify.advisory.service import advisory
from irbook.report.service import report_incident
from irbook.store import Store
from irbook.usecases import incidents
from irbook.usecases.incidents import Responder
from secret_samples import ISSUE_SECRETS, SAMPLES, typed


def payloads(store: Store, incident_id: str) -> str:
    return "\n".join(json.dumps(e.payload) for e in store.events(incident_id))


@pytest.mark.parametrize("name", ["ghp", "npm 40", "password", "jwt", "aws access key id"])
def test_actor_that_looks_like_a_secret_is_refused(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = typed(name).replace("\u200b", "")
    with pytest.raises(UsageError, match="looks like a secret"):
        Responder.resolve(actor)  # --as
    monkeypatch.setenv("IRBOOK_ACTOR", actor)
    with pytest.raises(UsageError, match="looks like a secret"):
        Responder.resolve()  # IRBOOK_ACTOR
    with pytest.raises(UsageError):
        Responder(actor=actor, host="ir-laptop")  # a Python caller


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\x85"])
def test_actor_with_a_line_break_is_refused(brk: str) -> None:
    with pytest.raises(UsageError, match="must be one line"):
        Responder.resolve(f"alice{brk}bob")


def test_log_scan_masks_secrets_in_the_matched_line_and_keeps_the_ioc(tmp_path: Path) -> None:
    log = tmp_path / "proxy.log"
    lines = [f"GET https://git-tanstack.com/x {typed(name)}" for name in ISSUE_SECRETS]
    log.write_text("\n".join(line for line in lines if "BEGIN" not in line) + "\n")
    result = audit_logs([log], domains=["git-tanstack.com"])
    assert result.hits
    stored = json.dumps([hit.to_json() for hit in result.hits])
    assert all(hit.ioc.value in hit.text for hit in result.hits)
    leaked = [n for n, s in ISSUE_SECRETS.items() if n != "private key" and s in stored]
    assert leaked == []
    assert {k for hit in result.hits for k in hit.redacted} >= {"jwt", "keyword-value"}


def test_attach_description_is_redacted(store: Store, make_incident, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    evidence = tmp_path / "e.txt"
    evidence.write_text("evidence")
    description = f"proxy log; {typed('password')} {typed('stripe')}"
    event = incidents.attach_evidence(
        store, state.incident_id, evidence, responder=RESPONDER, description=description
    )
    assert event.payload["redacted"] == ["keyword-value", "stripe-access-token"]
    text = payloads(store, state.incident_id)
    assert ISSUE_SECRETS["password"] not in text and ISSUE_SECRETS["stripe"] not in text


def test_record_masks_any_payload_an_entry_point_missed(store: Store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    person = f"dana {ISSUE_SECRETS['gitlab']}"
    new = NewEvent(Kind.ROLE_ASSIGNED, RoleAssigned(role="comms-lead", person=person))
    event = incidents.record_anyway(store, state.incident_id, new, RESPONDER)
    assert event.payload["person"] == "dana [REDACTED gitlab-pat]"
    assert ISSUE_SECRETS["gitlab"] not in payloads(store, state.incident_id)


def test_every_sample_typed_in_a_note_is_stored_redacted(store: Store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    text = "\n".join(sample for sample, _ in SAMPLES.values())
    _, found = incidents.add_note(store, state.incident_id, text, responder=RESPONDER)
    stored = payloads(store, state.incident_id)
    assert [r for r, (_, s) in SAMPLES.items() if s and s in stored] == []
    assert found


def _plant_in_old_database(store: Store, incident_id: str, secret: str) -> None:
    """What a database written by an older irbook holds: a note with a raw secret."""
    incidents.add_note(store, incident_id, "PLACEHOLDER note", responder=RESPONDER)
    raw = store.engine.raw_connection()
    try:
        raw.execute(
            "update event set payload = replace(payload, 'PLACEHOLDER', ?) where kind = ?",
            (secret, Kind.NOTE_ADDED.value),
        )
        raw.commit()
    finally:
        raw.close()


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_report_masks_a_secret_left_in_an_old_database(
    store: Store, make_incident, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    _plant_in_old_database(store, state.incident_id, typed("jwt"))
    exported = report_incident(store, state.incident_id, fmt)
    assert ISSUE_SECRETS["jwt"] not in exported.text
    assert exported.redacted == ("jwt",) or "jwt" in exported.redacted[0]
    if fmt == "json":
        json.loads(exported.text)  # masking keeps it valid


def test_advisory_masks_a_secret_left_in_an_old_database(store: Store, make_incident) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    raw = store.engine.raw_connection()
    try:  # the organisation, as an older irbook stored it
        raw.execute(
            "update event set payload = json_set(payload, '$.value', ?) "
            "where kind = 'input_recorded' and json_extract(payload, '$.input_id') = 'organisation'",
            (f"Acme {typed('jwt')}",),
        )
        raw.commit()
    finally:
        raw.close()
    result = advisory(store=store, incident_id=state.incident_id, fmt="md", responder=RESPONDER)
    assert ISSUE_SECRETS["jwt"] not in result.text
    assert result.redacted
