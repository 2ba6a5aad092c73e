"""Helpers for the notification tests (a uniquely named module: several conftest.py files exist,
so ``from conftest import`` could pick another one)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from irbook.domain.engine import IncidentState
from irbook.domain.events import (
    CheckRan,
    InputRecorded,
    Kind,
    NewEvent,
    RoleAssigned,
    StepCompleted,
)
from irbook.store import Store
from irbook.usecases import incidents
from irbook.usecases.incidents import Responder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notify"
MINI_RUNBOOK = FIXTURES / "mini-runbook.yaml"
RESPONDER = Responder("alice", "ir-laptop")

AFFECTED = [
    "npm:@tanstack/react-router@1.169.5",
    "npm:@tanstack/react-router@1.169.8",
    "npm:@tanstack/history@1.161.9",
    "pypi:mistralai@2.4.6",
]
SAFE = ["npm:@tanstack/react-router@1.169.9", "npm:@tanstack/history@1.161.13"]
IOCS = ["filev2.getsession.org", "seed1.getsession.org", "router_init.js", "tanstack_runner.js"]
FINDING = {
    "file": "web/package-lock.json",
    "ecosystem": "npm",
    "name": "@tanstack/history",
    "version": "1.161.9",
    "advisory": "MAL-2026-3463",
    "aliases": ["GHSA-g7cv-rxg3-hmpx"],
    "match": "exact",
    "safe_version": "1.161.13",
}


def record(
    store: Store, state: IncidentState, kind: Kind, payload: Any, step: str | None = None
) -> None:
    incidents.record(store, state, NewEvent(kind, payload, step_id=step), RESPONDER)


def fill(
    store: Store,
    state: IncidentState,
    *,
    answers: dict[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
    findings: bool = True,
) -> IncidentState:
    """Record inputs and step answers like a responder would, through the real store."""
    base_inputs = {"organisation": "Acme Corp", "vector": "ci-cd-pipeline"}
    for key, value in {**base_inputs, **(inputs or {})}.items():
        record(store, state, Kind.INPUT_RECORDED, InputRecorded(input_id=key, value=value))
    record(store, state, Kind.ROLE_ASSIGNED, RoleAssigned(role="incident-commander", person="dana"))
    base = {
        "affected-devices": ["dev-laptop-17", "ci-runner-3"],
        "affected-packages": AFFECTED,
        "safe-versions": SAFE,
        "iocs": IOCS,
    }
    for step, value in {**base, **(answers or {})}.items():
        record(store, state, Kind.STEP_COMPLETED, StepCompleted(value=value), step)
    if findings:
        record(
            store,
            state,
            Kind.CHECK_RAN,
            CheckRan(
                action="lockfile-audit",
                ok=False,
                summary="1 affected package version(s)",
                findings=[FINDING],
            ),
            "lockfile-audit",
        )
    return state


@dataclass
class Mailbox:
    """What the SMTP server received: (mail_from, rcpt_tos, raw bytes) per message."""

    host: str
    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    greetings: list[str] = field(default_factory=list)  # EHLO/HELO names: one per SMTP session

    @property
    def env(self) -> dict[str, str]:
        return {
            "IRBOOK_SMTP_HOST": self.host,
            "IRBOOK_SMTP_PORT": str(self.port),
            "IRBOOK_SMTP_TLS": "none",
            "IRBOOK_SMTP_FROM": "IR Team <ir@acme.example>",
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
