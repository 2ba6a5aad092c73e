"""`irbook preflight` against a temporary setup: real SMTP on loopback (EHLO only), a real SQLite
file, real tools on a PATH made for the test, a config and a certificate inventory with one
failing and one warning entry."""

from __future__ import annotations

import json
import os
import socket
import stat
import textwrap
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from irbook.cli import run
from shared import FIXTURES

# A runbook of the test suite (roles incident-commander and comms-lead; internal-alert and
# advisory-downstream notices; `gh` and `npm` named in a command step and in prose).
RUNBOOK = str(FIXTURES / "preflight" / "runbook.yaml")

TODAY = date.today()


@pytest.fixture
def smtp() -> Iterator[dict[str, Any]]:
    """aiosmtpd on 127.0.0.1 that records every MAIL FROM it is asked for (there must be none)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    seen: dict[str, Any] = {"mail": [], "ehlo": 0}

    class Handler:
        async def handle_EHLO(
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            seen["ehlo"] += 1
            session.host_name = hostname
            return responses

        async def handle_MAIL(
            self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
        ) -> str:
            seen["mail"].append(address)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield {"port": port, "seen": seen}
    finally:
        controller.stop()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def fake_tool(bindir: Path, name: str) -> None:
    tool = write(bindir / name, f"#!/bin/sh\necho '{name} 9.9.9'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def setup(tmp_path: Path, smtp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    bindir = tmp_path / "bin"
    for name in ("gh", "npm", "gcloud", "kubectl", "aws", "vault", "git", "curl", "jq", "pip"):
        fake_tool(bindir, name)
    osv = tmp_path / "osv"
    write(osv / "MAL-2026-1.json", '{"id": "MAL-2026-1"}')
    stale = write(tmp_path / "old.zip", "PK")
    old = (TODAY - timedelta(days=40)).strftime("%s")
    os.utime(stale, (int(old), int(old)))
    write(
        tmp_path / "certificates.yaml",
        f"""\
        - name: Windows signing 2024
          kind: code-signing
          key_location: hsm
          expires: {TODAY - timedelta(days=3)}
        - name: Release GPG key
          kind: gpg
          key_location: device
          expires: {TODAY + timedelta(days=400)}
        - name: Apple Developer ID
          kind: apple-developer-id
          key_location: hardware-token
          expires: {TODAY + timedelta(days=400)}
        """,
    )
    config = write(
        tmp_path / "preflight.yaml",
        """\
        advisory_sources: [osv, old.zip]
        certificates: certificates.yaml
        contacts:
          incident-commander: Dana <dana@acme.example>
        """,
    )
    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    monkeypatch.setenv("IRBOOK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IRBOOK_SMTP_PORT", str(smtp["port"]))
    monkeypatch.setenv("IRBOOK_SMTP_TLS", "none")
    return {"config": config, "db": tmp_path / "data" / "irbook.db", "smtp": smtp, "tmp": tmp_path}


def preflight_json(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    code = run(
        [
            "preflight",
            RUNBOOK,
            "--config",
            str(setup["config"]),
            "--db",
            str(setup["db"]),
            "--json",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_one_failure_and_warnings_give_exit_2_and_say_what_to_do(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    code, data = preflight_json(setup, capsys)
    assert code == 2 and data["exit_code"] == 2
    by_id = {c["id"]: c for c in data["checks"]}
    assert by_id["certificate:Windows signing 2024"]["status"] == "fail"
    assert "expired" in by_id["certificate:Windows signing 2024"]["detail"]
    gpg = by_id["certificate:Release GPG key"]
    assert gpg["status"] == "warn" and "without a hardware token" in gpg["detail"]
    assert by_id["certificate:Apple Developer ID"]["status"] == "ok"
    assert by_id["smtp"]["status"] == "ok" and "EHLO" in by_id["smtp"]["detail"]
    assert by_id["contact:incident-commander"]["status"] == "ok"
    assert by_id["contact:comms-lead"]["status"] == "warn"
    assert by_id[f"advisories:{setup['tmp'] / 'old.zip'}"]["status"] == "warn"
    assert by_id[f"advisories:{setup['tmp'] / 'osv'}"]["status"] == "ok"
    assert by_id["database"]["status"] == "ok" and "will be created" in by_id["database"]["detail"]
    assert all(c["hint"] for c in data["checks"] if c["status"] != "ok")
    assert data["counts"]["fail"] == 1
    # Nothing was changed: no mail, no database, no folder for it.
    assert setup["smtp"]["seen"]["mail"] == [] and setup["smtp"]["seen"]["ehlo"] >= 1
    assert not setup["db"].parent.exists()


def test_warnings_alone_exit_0_or_1_with_strict(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    inventory = setup["tmp"] / "certificates.yaml"
    inventory.write_text(
        inventory.read_text().replace(
            str(TODAY - timedelta(days=3)), str(TODAY + timedelta(days=10))
        )
    )
    code, data = preflight_json(setup, capsys)
    assert code == 0 and data["counts"]["fail"] == 0 and data["counts"]["warn"] >= 2
    soon = {c["id"]: c for c in data["checks"]}["certificate:Windows signing 2024"]
    assert soon["status"] == "warn" and "expires on" in soon["detail"]
    code, data = preflight_json(setup, capsys, "--strict")
    assert code == 1 and data["exit_code"] == 1


def test_a_template_that_does_not_render_fails(setup, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    templates = tmp_path / "templates" / "notify"
    write(
        templates / "internal-alert.txt.j2",
        "{% block subject %}x{% endblock %}{{ incident.no_such_field }}\n",
    )
    code = run(
        [
            "preflight",
            RUNBOOK,
            "--config",
            str(setup["config"]),
            "--db",
            str(setup["db"]),
            "--templates",
            str(tmp_path / "templates"),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 2
    failed = [
        c for c in data["checks"] if c["status"] == "fail" and c["id"].startswith("template:")
    ]
    assert [c["id"] for c in failed] == ["template:internal-alert"]
    assert "no_such_field" in failed[0]["detail"]


def test_missing_tools_and_an_unreachable_smtp_server(setup, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", "/nonexistent")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("IRBOOK_SMTP_PORT", str(closed))
    code, data = preflight_json(setup, capsys)
    by_id = {c["id"]: c for c in data["checks"]}
    assert code == 2 and by_id["smtp"]["status"] == "fail"
    tools = [c for c in data["checks"] if c["id"].startswith("tool:")]
    assert {c["id"]: c["status"] for c in tools} == {"tool:gh": "warn", "tool:npm": "warn"}
    assert all("not on PATH" in c["detail"] for c in tools)


def test_a_malformed_inventory_is_invalid_input_with_its_position(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    write(
        setup["tmp"] / "certificates.yaml",
        "- name: x\n  kind: code-signing\n  key_location: usb-stick\n  expires: 2027-01-01\n",
    )
    code = run(["preflight", RUNBOOK, "--config", str(setup["config"]), "--db", str(setup["db"])])
    err = capsys.readouterr().err
    assert code == 2
    assert "certificates.yaml:3:17" in err and "key_location" in err
    assert "Traceback" not in err


def test_an_existing_database_is_inspected_not_written(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["db", "init", "--db", str(setup["db"])]) == 0
    capsys.readouterr()
    before = setup["db"].read_bytes()
    _, data = preflight_json(setup, capsys)
    database = {c["id"]: c for c in data["checks"]}["database"]
    assert database["status"] == "ok" and "schema v" in database["detail"]
    assert setup["db"].read_bytes() == before
