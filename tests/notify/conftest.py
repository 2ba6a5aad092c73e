"""Incidents, a real SMTP server and the official schemas for the notification tests.

Incidents go through the real store (SQLite in tmp_path) and the real incident operations; the
SMTP server is aiosmtpd on 127.0.0.1, started by the test on a free port.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from irbook import incidents
from irbook.engine import IncidentState
from irbook.events import CheckRan, InputRecorded, Kind, NewEvent, RoleAssigned, StepCompleted
from irbook.incidents import Responder
from irbook.loader import load_runbook
from irbook.store import Store, open_store

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
    "file": "web/package-lock.json", "ecosystem": "npm", "name": "@tanstack/history",
    "version": "1.161.9", "advisory": "MAL-2026-3463", "aliases": ["GHSA-g7cv-rxg3-hmpx"],
    "match": "exact", "safe_version": "1.161.13",
}  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "t.db"))
    yield s
    s.close()


def record(store: Store, state: IncidentState, kind: Kind, payload: Any, step: str | None = None) -> None:
    incidents.record(store, state, NewEvent(kind, payload, step_id=step), RESPONDER)


def fill(store: Store, state: IncidentState, *, answers: dict[str, Any] | None = None,
         inputs: dict[str, Any] | None = None, findings: bool = True) -> IncidentState:
    """Record inputs and step answers like a responder would, through the real store."""
    base_inputs = {"organisation": "Acme Corp", "vector": "ci-cd-pipeline"}
    for key, value in {**base_inputs, **(inputs or {})}.items():
        record(store, state, Kind.INPUT_RECORDED, InputRecorded(input_id=key, value=value))
    record(store, state, Kind.ROLE_ASSIGNED, RoleAssigned(role="incident-commander", person="dana"))
    base = {"affected-devices": ["dev-laptop-17", "ci-runner-3"], "affected-packages": AFFECTED,
            "safe-versions": SAFE, "iocs": IOCS}  # fmt: skip
    for step, value in {**base, **(answers or {})}.items():
        record(store, state, Kind.STEP_COMPLETED, StepCompleted(value=value), step)
    if findings:
        record(store, state, Kind.CHECK_RAN, CheckRan(action="lockfile-audit", ok=False,
               summary="1 affected package version(s)", findings=[FINDING]), "lockfile-audit")  # fmt: skip
    return state


@pytest.fixture
def make_incident(store: Store) -> Callable[..., IncidentState]:
    def make(runbook: Path = MINI_RUNBOOK, **kwargs: Any) -> IncidentState:
        state = incidents.start_incident(load_runbook(runbook), store=store, responder=RESPONDER,
                                         title="Malicious @tanstack/* versions installed")  # fmt: skip
        return fill(store, state, **kwargs)

    return make


@dataclass
class Mailbox:
    """What the SMTP server received: (mail_from, rcpt_tos, raw bytes) per message."""

    host: str
    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {"IRBOOK_SMTP_HOST": self.host, "IRBOOK_SMTP_PORT": str(self.port),
                "IRBOOK_SMTP_TLS": "none", "IRBOOK_SMTP_FROM": "IR Team <ir@acme.example>"}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox("127.0.0.1", _free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            mailbox.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=mailbox.host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


# --- the official schemas, offline -----------------------------------------------------------


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def osv_validator() -> Any:
    from shared import shared_data

    from jsonschema import Draft202012Validator

    schema = _load(shared_data("schemas", "osv", "schema.json"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def csaf_validator() -> Any:
    """CSAF 2.0 with the FIRST CVSS schemas it references served from a local registry."""
    from shared import shared_data

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    root = shared_data("schemas", "csaf")
    schema = _load(root / "csaf_json_schema.json")
    first = root / "referenced_schema" / "first"
    resources = []
    for name in ("cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"):
        contents = _load(first / name)
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        resources.append((f"https://www.first.org/cvss/{name}", resource))
    def no_network(uri: str) -> Any:
        raise AssertionError(f"schema tried to fetch {uri}: everything must resolve offline")

    registry = Registry(retrieve=no_network).with_resources(resources)
    return Draft202012Validator(schema, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)  # fmt: skip
