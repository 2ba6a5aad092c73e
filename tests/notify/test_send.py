"""Real mail through a real SMTP server on 127.0.0.1, and everything that must stop it."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from notify_support import RESPONDER

from irbook.domain.events import Kind
from irbook.errors import InvalidInputError, SecretsInMessageError, SmtpError, UsageError
from irbook.notify import notify
from irbook.notify.smtp import config_from_env
from irbook.usecases import incidents

TEMPLATES = Path(__file__).resolve().parent.parent / "fixtures" / "notify" / "templates"
SHIPPED = [
    "internal-alert",
    "leadership-brief",
    "legal-notice",
    "advisory-downstream",
    "registry-report",
    "status-update",
    "upstream-report",
]
# Written for others to act on publicly (users, registries, maintainers): TLP:CLEAR, nothing internal.
PUBLIC = ("advisory-downstream", "registry-report", "upstream-report")
PLACEHOLDERS = ("{{", "}}", "{%", "%}")


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def events(store: Any, incident_id: str, kind: Kind) -> list[Any]:
    return [e for e in store.events(incident_id) if e.kind == kind]


@pytest.mark.parametrize("template", SHIPPED)
def test_send_each_shipped_template_through_real_smtp(
    store,
    make_incident,
    smtp_server,
    tmp_path: Path,
    template: str,
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    result = notify(
        store=store,
        incident_id=state.incident_id,
        template=template,
        responder=RESPONDER,
        to=["Dana <dana@acme.example>", "ops@acme.example"],
        out_dir=out,
        send=True,
        environ=smtp_server.env,
    )

    (mail_from, rcpt_tos, raw) = smtp_server.messages[0]
    assert len(smtp_server.messages) == 1
    assert mail_from == "ir@acme.example"
    assert rcpt_tos == ["dana@acme.example", "ops@acme.example"]
    message = parse(raw)
    assert state.incident_id in message["Subject"]
    # the downstream advisory is written for publication; every other notice keeps the incident's TLP
    marking = "TLP:CLEAR" if template in PUBLIC else f"TLP:{state.tlp}"
    assert marking in message["Subject"]
    assert message["From"] == "IR Team <ir@acme.example>"
    assert message["To"] == "Dana <dana@acme.example>, ops@acme.example"
    assert message["Date"] and message["Message-ID"] == result.message.message_id
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    for body in (message["Subject"], text, html):
        assert not [p for p in PLACEHOLDERS if p in body], body
    assert marking in text and marking in html
    if template in PUBLIC:
        assert "TLP:AMBER" not in text + html
        assert state.severity not in text + html
    assert html.lstrip().startswith("<!DOCTYPE html>")

    # What arrived is byte for byte the .eml on disk and the hash in the timeline.
    assert result.path is not None and result.path.read_bytes() == raw
    digest = hashlib.sha256(raw).hexdigest()
    (rendered,) = events(store, state.incident_id, Kind.NOTIFICATION_RENDERED)
    (sent,) = events(store, state.incident_id, Kind.NOTIFICATION_SENT)
    assert rendered.payload["sha256"] == sent.payload["sha256"] == digest
    assert rendered.payload["path"] == str(result.path.resolve())
    assert sent.payload["to"] == ["dana@acme.example", "ops@acme.example"]
    assert sent.payload["server"] == f"127.0.0.1:{smtp_server.port}"
    assert sent.payload["message_id"] == message["Message-ID"]


def test_advisory_content_names_packages_safe_versions_actions_and_iocs(
    store,
    make_incident,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    result = notify(
        store=store,
        incident_id=state.incident_id,
        template="advisory-downstream",
        responder=RESPONDER,
        out_dir=tmp_path,
    )
    text, html = parts(parse(result.path.read_bytes()))  # type: ignore[union-attr]
    for body in (text, html):
        for expected in (
            "@tanstack/react-router",
            "1.169.5",
            "1.169.8",
            "1.169.9",
            "@tanstack/history",
            "1.161.13",
            "mistralai",
            "2.4.6",
            "filev2.getsession.org",
            "router_init.js",
            "Acme Corp",
        ):
            assert expected in body, expected
        assert "Update" in body and "Rotate credentials" in body and "logs" in body
    assert "no maintainer password or token had to be stolen" in text  # vector: ci-cd-pipeline


def test_draft_without_recipients_is_valid_and_not_sent(store, make_incident, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    result = notify(
        store=store,
        incident_id=state.incident_id,
        template="internal-alert",
        responder=RESPONDER,
        out_dir=tmp_path,
    )
    message = parse(result.path.read_bytes())  # type: ignore[union-attr]
    assert message["To"] == "undisclosed-recipients:;"
    assert events(store, state.incident_id, Kind.NOTIFICATION_SENT) == []
    assert len(events(store, state.incident_id, Kind.NOTIFICATION_RENDERED)) == 1


def test_preview_writes_nothing_but_is_recorded(store, make_incident, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    result = notify(
        store=store,
        incident_id=state.incident_id,
        template="leadership-brief",
        responder=RESPONDER,
        out_dir=out,
        preview=True,
    )
    assert result.path is None and not out.exists()
    (rendered,) = events(store, state.incident_id, Kind.NOTIFICATION_RENDERED)
    assert rendered.payload["path"] is None


def test_subject_without_incident_id_gets_it(store, make_incident, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    result = notify(
        store=store,
        incident_id=state.incident_id,
        template="no-id-subject",
        responder=RESPONDER,
        out_dir=tmp_path,
        templates_dir=TEMPLATES,
    )
    assert result.notification.subject == f"[{state.incident_id}] Heads-up"
    assert result.notification.html is None
    assert parse(result.path.read_bytes()).get_content_type() == "text/plain"  # type: ignore[union-attr]


def test_two_renders_in_one_second_do_not_overwrite(store, make_incident, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from irbook.usecases.incidents import Responder

    fixed = Responder("alice", "ir-laptop", clock=lambda: datetime(2026, 5, 11, 19, 46, tzinfo=UTC))
    state = make_incident()
    paths = [
        notify(
            store=store,
            incident_id=state.incident_id,
            template="status-update",
            responder=fixed,
            out_dir=tmp_path,
        ).path
        for _ in range(2)
    ]
    assert [p.name for p in paths] == [  # type: ignore[union-attr]
        f"{state.incident_id}-status-update-20260511T194600Z.eml",
        f"{state.incident_id}-status-update-20260511T194600Z-2.eml",
    ]


# --- nothing written, nothing sent ------------------------------------------------------------


def assert_nothing_happened(store: Any, incident_id: str, out: Path, mailbox: Any) -> None:
    assert not out.exists() or list(out.iterdir()) == []
    assert mailbox.messages == []
    assert events(store, incident_id, Kind.NOTIFICATION_RENDERED) == []
    assert events(store, incident_id, Kind.NOTIFICATION_SENT) == []


@pytest.mark.parametrize(
    ("template", "error", "expected"),
    [
        ("missing-vars", InvalidInputError, "'customer_name' is undefined"),
        ("broken-syntax", InvalidInputError, "syntax error"),
        ("escape", InvalidInputError, "tries to reach Python internals"),
        ("newline-subject", UsageError, "contains a line break"),
    ],
)
def test_bad_templates_write_and_send_nothing(
    store,
    make_incident,
    smtp_server,
    tmp_path,
    template,
    error,
    expected,
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    with pytest.raises(error) as info:
        notify(
            store=store,
            incident_id=state.incident_id,
            template=template,
            responder=RESPONDER,
            to=["dana@acme.example"],
            out_dir=out,
            send=True,
            templates_dir=TEMPLATES,
            environ=smtp_server.env,
        )
    assert expected in info.value.message
    assert_nothing_happened(store, state.incident_id, out, smtp_server)


def test_missing_variables_of_both_parts_are_listed_together(
    store, make_incident, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    with pytest.raises(InvalidInputError) as info:
        notify(
            store=store,
            incident_id=state.incident_id,
            template="missing-vars",
            responder=RESPONDER,
            out_dir=tmp_path,
            templates_dir=TEMPLATES,
        )
    messages = [(Path(p.path).name, p.line, p.message) for p in info.value.problems]
    assert messages == [
        ("missing-vars.txt.j2", 2, "'customer_name' is undefined"),
        ("missing-vars.txt.j2", 3, "'incident.contract_id' is undefined"),
        ("missing-vars.txt.j2", 5, "'p.releases' is undefined"),
        ("missing-vars.html.j2", 1, "'customer_name' is undefined"),
        ("missing-vars.html.j2", 1, "'incident.owner' is undefined"),
    ]


@pytest.mark.parametrize(
    "address",
    [
        "dana@acme.example\r\nBcc: everyone@example.com",
        "Dana\n <dana@acme.example>",
        "dana@acme.example\rX-Evil: 1",
        "a@acme.example, b@acme.example",
        "not-an-address",
    ],
)
def test_header_injection_in_recipient_is_refused(
    store,
    make_incident,
    smtp_server,
    tmp_path,
    address,
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    with pytest.raises(UsageError):
        notify(
            store=store,
            incident_id=state.incident_id,
            template="internal-alert",
            responder=RESPONDER,
            to=[address],
            out_dir=out,
            send=True,
            environ=smtp_server.env,
        )
    assert_nothing_happened(store, state.incident_id, out, smtp_server)


def test_header_injection_in_sender_is_refused(store, make_incident, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    env = {**smtp_server.env, "IRBOOK_SMTP_FROM": "IR <ir@acme.example>\nBcc: x@evil.example"}
    with pytest.raises(UsageError, match="line break"):
        notify(
            store=store,
            incident_id=state.incident_id,
            template="internal-alert",
            responder=RESPONDER,
            to=["dana@acme.example"],
            out_dir=out,
            send=True,
            environ=env,
        )
    assert_nothing_happened(store, state.incident_id, out, smtp_server)


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\u2029", "\x85", "\x0b"])
def test_line_break_in_incident_title_is_refused_at_start(store, brk: str) -> None:  # type: ignore[no-untyped-def]
    from notify_support import MINI_RUNBOOK

    from irbook.loader.load import load_runbook

    # A line break in the title would break the Subject of every notification (and U+2028 or
    # U+0085 crashed the e-mail writer): refused before anything is stored.
    with pytest.raises(UsageError, match=r"the incident title must be one line: it contains U\+"):
        incidents.start_incident(
            load_runbook(MINI_RUNBOOK),
            store=store,
            responder=RESPONDER,
            title=f"Malicious versions{brk}Bcc: everyone@example.com",
        )
    assert store.incidents() == []


@pytest.mark.parametrize("brk", ["\n", "\u2028", "\x85"])
def test_line_break_in_a_stored_title_stops_the_subject(
    store, smtp_server, tmp_path, brk: str
) -> None:  # type: ignore[no-untyped-def]
    from notify_support import MINI_RUNBOOK, fill

    from irbook.loader.load import load_runbook

    # A database written before titles were checked may hold one (in its incident_opened event,
    # where the notification takes it from): the subject check still refuses it cleanly (exit 2),
    # nothing is written or sent.
    state = incidents.start_incident(
        load_runbook(MINI_RUNBOOK), store=store, responder=RESPONDER, title="Malicious versions"
    )
    raw = store.engine.raw_connection()
    try:
        raw.execute(
            "update event set payload = json_set(payload, '$.title', ?) where seq = 1",
            (f"Malicious{brk}Bcc: everyone@example.com",),
        )
        raw.commit()
    finally:
        raw.close()
    fill(store, state)
    out = tmp_path / "out"
    with pytest.raises(UsageError, match=r"the subject rendered from .* contains a line break"):
        notify(
            store=store,
            incident_id=state.incident_id,
            template="internal-alert",
            responder=RESPONDER,
            to=["dana@acme.example"],
            out_dir=out,
            send=True,
            environ=smtp_server.env,
        )
    assert not out.exists() or not list(out.iterdir())
    assert smtp_server.messages == []


def test_secrets_stop_the_send_unless_allowed(store, make_incident, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    templates = tmp_path / "templates"
    (templates / "notify").mkdir(parents=True)
    token = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # fake, built so scanners stay quiet
    (templates / "notify" / "with-secret.txt.j2").write_text(
        "{% block subject %}{{ incident.id }}: token rotated{% endblock %}\n"
        f"The old token was {token} (revoked).\n"
    )
    state = make_incident()
    out = tmp_path / "out"
    kwargs = dict(
        store=store,
        incident_id=state.incident_id,
        template="with-secret",
        responder=RESPONDER,
        to=["dana@acme.example"],
        out_dir=out,
        send=True,
        templates_dir=templates,
        environ=smtp_server.env,
    )
    with pytest.raises(SecretsInMessageError, match="npm-access-token"):
        notify(**kwargs)  # type: ignore[arg-type]
    assert_nothing_happened(store, state.incident_id, out, smtp_server)

    result = notify(**kwargs, allow_secrets=True)  # type: ignore[arg-type]
    assert result.secrets == ("npm-access-token",)
    assert len(smtp_server.messages) == 1 and token.encode() in smtp_server.messages[0][2]


def test_send_without_server_or_recipient_fails_before_writing(
    store, make_incident, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="IRBOOK_SMTP_HOST"):
        notify(
            store=store,
            incident_id=state.incident_id,
            template="internal-alert",
            responder=RESPONDER,
            to=["dana@acme.example"],
            out_dir=out,
            send=True,
            environ={},
        )
    with pytest.raises(UsageError, match="--to"):
        notify(
            store=store,
            incident_id=state.incident_id,
            template="internal-alert",
            responder=RESPONDER,
            out_dir=out,
            send=True,
            environ={"IRBOOK_SMTP_HOST": "127.0.0.1", "IRBOOK_SMTP_TLS": "none"},
        )
    assert not out.exists()


def test_unreachable_server_is_reported_and_nothing_recorded_as_sent(
    store, make_incident, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from notify_support import free_port

    state = make_incident()
    env = {
        "IRBOOK_SMTP_HOST": "127.0.0.1",
        "IRBOOK_SMTP_PORT": str(free_port()),
        "IRBOOK_SMTP_TLS": "none",
    }
    with pytest.raises(SmtpError, match="nothing was sent"):
        notify(
            store=store,
            incident_id=state.incident_id,
            template="internal-alert",
            responder=RESPONDER,
            to=["dana@acme.example"],
            out_dir=tmp_path,
            send=True,
            environ=env,
        )
    assert events(store, state.incident_id, Kind.NOTIFICATION_SENT) == []
    assert len(events(store, state.incident_id, Kind.NOTIFICATION_RENDERED)) == 1  # the .eml


def test_smtp_settings_come_from_the_environment() -> None:
    config = config_from_env(
        {
            "IRBOOK_SMTP_HOST": "smtp.acme.example",
            "IRBOOK_SMTP_USER": "ir",
            "IRBOOK_SMTP_PASSWORD": "hunter2",
        }
    )
    assert (config.port, config.tls, config.user) == (587, "starttls", "ir")
    assert "hunter2" not in repr(config)
    assert config_from_env({"IRBOOK_SMTP_HOST": "h", "IRBOOK_SMTP_TLS": "ssl"}).port == 465
    with pytest.raises(UsageError, match="without TLS"):
        config_from_env(
            {
                "IRBOOK_SMTP_HOST": "smtp.acme.example",
                "IRBOOK_SMTP_TLS": "none",
                "IRBOOK_SMTP_USER": "ir",
            }
        )
    with pytest.raises(UsageError, match="IRBOOK_SMTP_TLS"):
        config_from_env({"IRBOOK_SMTP_HOST": "h", "IRBOOK_SMTP_TLS": "tls1.0"})
    with pytest.raises(UsageError, match="IRBOOK_SMTP_PORT"):
        config_from_env({"IRBOOK_SMTP_HOST": "h", "IRBOOK_SMTP_PORT": "smtp"})
