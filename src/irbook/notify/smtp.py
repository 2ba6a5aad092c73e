"""Deliver a message over SMTP. Configuration comes from the environment only.

A password on the command line lands in shell history and in ``ps`` output, so there is no option
for it: IRBOOK_SMTP_HOST, IRBOOK_SMTP_PORT, IRBOOK_SMTP_TLS (starttls | ssl | none),
IRBOOK_SMTP_USER, IRBOOK_SMTP_PASSWORD, IRBOOK_SMTP_FROM.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from irbook.errors import DrillRefusedError, SmtpError, UsageError
from irbook.notify.message import DEFAULT_SENDER, check_address

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_SECONDS = 30.0  # a network timeout, so a dead server cannot hang the responder


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def sender_from_env(environ: Mapping[str, str]) -> str:
    return check_address(
        environ.get("IRBOOK_SMTP_FROM") or DEFAULT_SENDER, "sender (IRBOOK_SMTP_FROM)"
    )


def config_from_env(environ: Mapping[str, str]) -> SmtpConfig:
    host = environ.get("IRBOOK_SMTP_HOST", "").strip()
    if not host:
        raise UsageError(
            "--send needs an SMTP server: set IRBOOK_SMTP_HOST",
            hint="also IRBOOK_SMTP_PORT, IRBOOK_SMTP_TLS (starttls|ssl|none), "
            "IRBOOK_SMTP_USER, IRBOOK_SMTP_PASSWORD, IRBOOK_SMTP_FROM; "
            "see docs/notifications.md",
        )
    tls = environ.get("IRBOOK_SMTP_TLS", "starttls").strip().lower() or "starttls"
    if tls not in TLS_MODES:
        raise UsageError(f"IRBOOK_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not '{tls}'")
    port_text = environ.get("IRBOOK_SMTP_PORT", "").strip()
    try:
        port = int(port_text) if port_text else DEFAULT_PORTS[tls]
    except ValueError:
        raise UsageError(f"IRBOOK_SMTP_PORT must be a number, not '{port_text}'") from None
    user = environ.get("IRBOOK_SMTP_USER") or None
    if user and tls == "none" and not _is_loopback(host):
        raise UsageError(
            f"refusing to send the SMTP password to {host} without TLS",
            hint="set IRBOOK_SMTP_TLS=starttls (or ssl); plain SMTP is only for a local relay",
        )
    return SmtpConfig(
        host, port, tls, sender_from_env(environ), user, environ.get("IRBOOK_SMTP_PASSWORD") or None
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def deliver(
    raw: bytes, *, sender: str, recipients: list[str], config: SmtpConfig
) -> dict[str, str]:
    """Send ``raw`` as is (so its sha256 is what was sent); returns refused recipients."""
    import smtplib
    import ssl

    refuse_a_drill(raw)

    context = ssl.create_default_context()
    refused: dict[str, tuple[int, bytes]] | None = None
    try:
        if config.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            if config.tls == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if config.user:
                client.login(config.user, config.password or "")
            refused = client.sendmail(sender, recipients, raw)
    except smtplib.SMTPAuthenticationError:
        raise SmtpError(
            f"{config.server} refused the login of {config.user}; nothing was sent",
            hint="check IRBOOK_SMTP_USER and IRBOOK_SMTP_PASSWORD",
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmtpError(
            f"{config.server} refused every recipient: "
            f"{', '.join(exc.recipients)}; nothing was sent"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        if refused is not None:  # the server took the message; only closing the session failed
            return _refused(refused)
        raise SmtpError(
            f"could not send through {config.server}: {exc}; nothing was sent",
            hint="the .eml file was written; check the server settings "
            "(IRBOOK_SMTP_*) and try again",
        ) from None
    return _refused(refused)


def refuse_a_drill(raw: bytes) -> None:
    """The last guard before a connection: a drill's message is never sent (notify.service writes
    it to a file instead). Its incident header names the drill; headers end at the first blank
    line."""
    from irbook.domain.drills import is_drill_id

    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"x-irbook-incident" and is_drill_id(
            value.decode(errors="replace")
        ):
            raise DrillRefusedError(
                "a drill sends no mail; nothing was sent",
                hint="its messages are written to the incident's folder",
            )


def _refused(refused: dict[str, tuple[int, bytes]]) -> dict[str, str]:
    return {
        addr: f"{code} {reply.decode(errors='replace')}" for addr, (code, reply) in refused.items()
    }
