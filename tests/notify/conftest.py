"""Incidents, a real SMTP server and the official schemas for the notification tests.

Incidents go through the real store (SQLite in tmp_path) and the real incident operations; the
SMTP server is aiosmtpd on 127.0.0.1, started by the test on a free port.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from notify_support import MINI_RUNBOOK, RESPONDER, Mailbox, fill, free_port

from irbook.domain.engine import IncidentState
from irbook.loader.load import load_runbook
from irbook.store import Store, open_store
from irbook.usecases import incidents


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "t.db"))
    yield s
    s.close()


@pytest.fixture
def make_incident(store: Store) -> Callable[..., IncidentState]:
    def make(runbook: Path = MINI_RUNBOOK, **kwargs: Any) -> IncidentState:
        state = incidents.start_incident(
            load_runbook(runbook),
            store=store,
            responder=RESPONDER,
            title="Malicious @tanstack/* versions installed",
        )
        return fill(store, state, **kwargs)

    return make


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            mailbox.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            return "250 Message accepted for delivery"

        async def handle_EHLO(  # every client irbook uses greets first: a connection shows here
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            mailbox.greetings.append(hostname)
            session.host_name = hostname
            return responses

        async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
            mailbox.greetings.append(hostname)
            session.host_name = hostname
            return f"250 {server.hostname}"

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
    from jsonschema import Draft202012Validator

    from shared import shared_data

    schema = _load(shared_data("schemas", "osv", "schema.json"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def csaf_validator() -> Any:
    """CSAF 2.0 with the FIRST CVSS schemas it references served from a local registry."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    from shared import shared_data

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
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
