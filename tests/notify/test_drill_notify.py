"""Drills in messages and advisories, through the real CLI: every message is marked DRILL (subject
and banner, text and HTML), `--send` writes the .eml and never reaches the SMTP server (a real
aiosmtpd on loopback), and an advisory of a drill is refused in every format."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from notify_support import MINI_RUNBOOK, RESPONDER, Mailbox, fill

from irbook.cli import run
from irbook.domain.drills import BANNER, SUBJECT_PREFIX
from irbook.domain.eventlog import Kind
from irbook.errors import DrillRefusedError
from irbook.loader.load import load_runbook
from irbook.notify.smtp import config_from_env, deliver
from irbook.store import open_store
from irbook.usecases import incidents

TEMPLATES = sorted(
    p.name.removesuffix(".txt.j2")
    for p in (Path(__file__).resolve().parents[2] / "templates" / "notify").glob("*.txt.j2")
)


def open_incident(db: Path, *, drill: bool) -> str:
    store = open_store(str(db))
    try:
        state = incidents.start_incident(
            load_runbook(MINI_RUNBOOK),
            store=store,
            responder=RESPONDER,
            title="Malicious @tanstack/* versions installed",
            drill=drill,
        )
        fill(store, state)
        return state.incident_id
    finally:
        store.close()


def kinds(db: Path, incident_id: str) -> list[str]:
    store = open_store(str(db))
    try:
        return [e.kind for e in store.events(incident_id)]
    finally:
        store.close()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def send(capsys: pytest.CaptureFixture[str], incident: str, *argv: str) -> tuple[int, str, str]:
    return cli(
        capsys, "notify", incident, "internal-alert", "--send", "--to", "ops@acme.example", *argv
    )


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_message_of_a_drill_is_marked_in_subject_text_and_html(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, template: str
) -> None:
    db, out = tmp_path / "t.db", tmp_path / "out"
    incident = open_incident(db, drill=True)
    code, _, err = cli(capsys, "notify", incident, template, "--db", str(db), "--out", str(out))
    assert code == 0, err
    (eml,) = out.iterdir()
    message = parse(eml.read_bytes())
    assert str(message["Subject"]).startswith(SUBJECT_PREFIX)
    text, html = bodies(message)
    assert text.splitlines()[0] == BANNER
    after_body = html[html.index(">", html.index("<body")) + 1 :]
    # the body's first element, whatever the template puts there
    assert after_body.lstrip().startswith("<p") and after_body.index(BANNER) < after_body.index(
        "</p>"
    )


def test_a_real_incident_message_carries_no_drill_mark(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, out = tmp_path / "t.db", tmp_path / "out"
    incident = open_incident(db, drill=False)
    code, _, err = cli(
        capsys, "notify", incident, "leadership-brief", "--db", str(db), "--out", str(out)
    )
    assert code == 0, err
    (eml,) = out.iterdir()
    message = parse(eml.read_bytes())
    assert "DRILL" not in str(message["Subject"]) and BANNER not in "".join(bodies(message))


def test_send_on_a_drill_writes_the_eml_and_opens_no_smtp_connection(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    smtp_server: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in smtp_server.env.items():
        monkeypatch.setenv(name, value)
    db, out = tmp_path / "t.db", tmp_path / "out"
    drill = open_incident(db, drill=True)
    code, stdout, err = send(
        capsys,
        drill,
        "--db",
        str(db),
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, err
    result = json.loads(stdout)
    assert result["withheld"] is True and result["sent_to"] == [] and result["server"] is None
    (eml,) = out.iterdir()
    assert result["path"] == str(eml)
    assert parse(eml.read_bytes())["Subject"].startswith(SUBJECT_PREFIX)
    assert smtp_server.messages == [] and smtp_server.greetings == []  # not even an EHLO
    assert Kind.NOTIFICATION_SENT not in kinds(db, drill)
    assert Kind.NOTIFICATION_RENDERED in kinds(db, drill)
    code, _, err = send(
        capsys,
        drill,
        "--db",
        str(db),
        "--out",
        str(out),
    )
    assert code == 0 and "not sent: a drill sends no mail; the message is in" in " ".join(
        err.split()
    )

    # The same command on a real incident does reach this server: the check above can see a send.
    real = open_incident(db, drill=False)
    code, _, err = send(
        capsys,
        real,
        "--db",
        str(db),
        "--out",
        str(tmp_path / "real"),
    )
    assert code == 0, err
    assert len(smtp_server.messages) == 1 and smtp_server.greetings


def test_smtp_delivery_refuses_a_drill_message_before_connecting(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    """The last guard, for any caller that reaches the SMTP layer with a drill's message."""
    raw = b"Subject: [DRILL] x\r\nX-Irbook-Incident: IR-DRILL-20261130-1A2B\r\n\r\nhello\r\n"
    with pytest.raises(DrillRefusedError, match="a drill sends no mail"):
        deliver(
            raw,
            sender="ir@acme.example",
            recipients=["ops@acme.example"],
            config=config_from_env(smtp_server.env),
        )
    assert smtp_server.greetings == [] and smtp_server.messages == []
    # a real incident's message whose body merely mentions a drill id is sent
    raw = b"X-Irbook-Incident: IR-20261130-1A2B\r\n\r\nsee IR-DRILL-20261130-1A2B\r\n"
    deliver(
        raw,
        sender="ir@acme.example",
        recipients=["ops@acme.example"],
        config=config_from_env(smtp_server.env),
    )
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize("fmt", ["osv", "csaf", "md"])
def test_an_advisory_of_a_drill_is_refused_in_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    db, output = tmp_path / "t.db", tmp_path / "advisory.out"
    drill = open_incident(db, drill=True)
    code, out, err = cli(
        capsys, "advisory", drill, "--format", fmt, "--db", str(db), "-o", str(output)
    )
    assert code == 2
    assert f"error: {drill} is a drill: a drill publishes no advisory; nothing was written" in err
    assert out == "" and not output.exists()
    assert Kind.ADVISORY_ISSUED not in kinds(db, drill)
    real = open_incident(db, drill=False)  # the same incident, not a drill: published
    code, _, err = cli(capsys, "advisory", real, "--format", fmt, "--db", str(db))
    assert code == 0, err
