"""A scripted incident for the report tests: real store, real events, a fixed clock and id.

Every event goes through the real store (SQLite file in tmp_path) and the incident operations;
only the clock and the incident id are pinned so the exported reports are byte-for-byte stable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from irbook.domain.engine import IncidentState
from irbook.domain.events import (
    CheckRan,
    EvidenceAttached,
    InputRecorded,
    Kind,
    NewEvent,
    NotificationRendered,
    NotificationSent,
    RoleAssigned,
    StepCompleted,
    StepSkipped,
)
from irbook.loader.load import load_runbook
from irbook.store import Store
from irbook.usecases import incidents
from irbook.usecases.followups import add_followup
from irbook.usecases.incidents import Responder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "report"
INCIDENT_ID = "IR-20250908-REPT"
SCRIPT_NOTE = "<script>alert(1)</script> was in the postinstall hook of @acme/ui 2.3.1"
NPM_TOKEN = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # fake, 36 chars after npm_


class Clock:
    """A fixed sequence of times: each call is ``step`` minutes after the previous one."""

    def __init__(self, start: datetime, step: int = 6) -> None:
        self.now = start - timedelta(minutes=step)
        self.step = timedelta(minutes=step)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def wait(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class Scripted:
    store: Store
    db_url: str
    db_path: Path
    incident_id: str

    def state(self) -> IncidentState:
        return incidents.load_state(self.store, self.incident_id)


def _people(clock: Clock) -> dict[str, Responder]:
    return {
        name: Responder(actor=name, host=host, clock=clock)
        for name, host in [
            ("alice", "ic-laptop"),
            ("bob", "ops-01"),
            ("carol", "sec-02"),
            ("dave", "comms-03"),
        ]
    }


def script_incident(store: Store, monkeypatch: pytest.MonkeyPatch, *, close: bool = True) -> str:
    """Run the scripted incident; returns its id. With ``close=False`` it stops while open."""
    clock = Clock(datetime(2025, 9, 8, 13, 40, tzinfo=UTC))
    who = _people(clock)
    monkeypatch.setattr(incidents, "new_incident_id", lambda now, drill=False: INCIDENT_ID)
    loaded = load_runbook(FIXTURES / "runbook.yaml")
    loaded = type(loaded)(
        runbook=loaded.runbook,
        path="runbooks/report-fixture.yaml",
        sha256=loaded.sha256,
        text=loaded.text,
    )  # stable path in the snapshot
    state = incidents.start_incident(
        loaded,
        store=store,
        responder=who["alice"],
        title="Malicious @acme/ui 2.3.1 published",
        severity="SEV1",
    )
    iid = state.incident_id

    def rec(person: str, kind: Kind, payload: object = None, step: str | None = None) -> None:
        new = NewEvent(kind, payload, step_id=step)  # type: ignore[arg-type]  # payload models
        incidents.record_anyway(store, iid, new, who[person])

    rec("alice", Kind.ROLE_ASSIGNED, RoleAssigned(role="incident-commander", person="alice"))
    rec("alice", Kind.ROLE_ASSIGNED, RoleAssigned(role="ops-lead", person="bob"))
    rec(
        "alice",
        Kind.INPUT_RECORDED,
        InputRecorded(input_id="detected_at", value="2025-09-08T12:55:00+00:00"),
    )
    rec("alice", Kind.INPUT_RECORDED, InputRecorded(input_id="vector", value="stolen-credentials"))
    rec(
        "bob",
        Kind.STEP_COMPLETED,
        StepCompleted(value=["build-07", "dev-laptop-bob"]),
        "affected-devices",
    )
    incidents.add_note(store, iid, SCRIPT_NOTE, responder=who["bob"], step_id="affected-devices")
    clock.wait(20)
    rec("bob", Kind.STEP_COMPLETED, StepCompleted(value=True), "disconnect")  # -> contained
    incidents.add_note(
        store, iid, f"Revoked the leaked token {NPM_TOKEN} first", responder=who["carol"]
    )
    rec("carol", Kind.STEP_COMPLETED, StepCompleted(value=True), "revoke-npm-tokens")
    clock.wait(45)
    rec(
        "carol",
        Kind.STEP_COMPLETED,
        StepCompleted(value=["GitHub Actions secrets", "cloud deploy keys"]),
        "rotate-ci-secrets",
    )
    log = b'{"event":"publish","package":"@acme/ui","version":"2.3.1","token":"npm_...R8"}\n'
    rec(
        "carol",
        Kind.EVIDENCE_ATTACHED,
        EvidenceAttached(
            path="evidence/npm-publish-audit.jsonl",
            sha256=hashlib.sha256(log).hexdigest(),
            size=len(log),
            description="npm audit log of the malicious publish",
        ),
        "revoke-npm-tokens",
    )
    rec(
        "carol",
        Kind.CHECK_RAN,
        CheckRan(
            action="lockfile-audit",
            ok=False,
            summary="2 findings in 14 lockfiles",
            findings=[
                {
                    "file": "web/package-lock.json",
                    "package": "@acme/ui",
                    "version": "2.3.1",
                    "advisory": "MAL-2025-4711",
                    "match": "exact version",
                },
                {
                    "file": "admin/yarn.lock",
                    "package": "@acme/ui",
                    "version": "2.3.1",
                    "advisory": "MAL-2025-4711",
                    "match": "exact version",
                },
            ],
            inputs=["web/package-lock.json", "admin/yarn.lock"],
        ),
        "lockfile-audit",
    )
    rec("carol", Kind.STEP_COMPLETED, StepCompleted(value="2 findings"), "lockfile-audit")
    rec(
        "carol",
        Kind.STEP_SKIPPED,
        StepSkipped(reason="proxy logs older than 24 h are not kept"),
        "review-proxy-logs",
    )
    if not close:
        return iid
    clock.wait(30)
    subject = "Security advisory: @acme/ui 2.3.1 was malicious"
    digest = hashlib.sha256(subject.encode()).hexdigest()
    rec(
        "dave",
        Kind.NOTIFICATION_RENDERED,
        NotificationRendered(
            template="advisory-downstream",
            audience="downstream-users",
            subject=subject,
            to=["users@lists.example.org"],
            sha256=digest,
        ),
        "downstream-advisory",
    )
    rec(
        "dave",
        Kind.NOTIFICATION_SENT,
        NotificationSent(
            template="advisory-downstream",
            subject=subject,
            to=["users@lists.example.org"],
            sha256=digest,
            message_id="<advisory-1@irbook.example>",
            server="smtp.example.org:587",
        ),
        "downstream-advisory",
    )
    rec("dave", Kind.STEP_COMPLETED, StepCompleted(value=True), "downstream-advisory")
    rec("alice", Kind.STEP_COMPLETED, StepCompleted(value=True), "enforce-2fa")
    rec(
        "alice",
        Kind.STEP_SKIPPED,
        StepSkipped(reason="needs a CI migration; tracked as a follow-up"),
        "trusted-publishing",
    )
    add_followup(
        store,
        iid,
        "Move publishing to trusted publishing",
        responder=who["alice"],
        owner="bob",
        due="2025-10-15",
    )
    incidents.close_incident(store, iid, responder=who["alice"])
    add_followup(
        store,
        iid,
        "@security-team: review npm publish rights every quarter",
        responder=who["carol"],
    )
    return iid
