"""A notification: rendered from the templates of one name, checked, turned into RFC 5322 bytes.

Header injection is made impossible here rather than trusted to the e-mail library: a CR, LF or
other control character in a subject, display name or address is an error before anything is
written or sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbook.domain.redact import find_secrets
from irbook.errors import InvalidInputError, SecretsInMessageError, UsageError
from irbook.files.private import write_private
from irbook.notify import headers

if TYPE_CHECKING:
    from irbook.domain.facts import IncidentFacts
    from irbook.render.environment import Renderer

DEFAULT_SENDER = "irbook <irbook@localhost>"
NO_RECIPIENTS = "undisclosed-recipients:;"  # RFC 5322 empty group: a draft to be addressed later
_TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: each one either splits a
# header line or makes the e-mail writer fail; refused up front with a clear message.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Notification:
    incident_id: str
    template: str
    audience: str
    subject: str
    text: str
    html: str | None
    to: tuple[str, ...]
    sender: str

    def placeholders(self) -> list[str]:
        """Jinja markers left in the output (a template that printed its own syntax)."""
        body = self.subject + self.text + (self.html or "")
        return [marker for marker in ("{{", "}}", "{%", "%}") if marker in body]


@dataclass(frozen=True)
class Message:
    """The exact bytes of an e-mail, with what identifies them in the timeline."""

    raw: bytes
    message_id: str
    sha256: str
    date: datetime


def check_header_text(value: str, what: str) -> str:
    if _CONTROL.search(value):
        raise UsageError(
            f"{what} contains a line break or control character: {value!r}",
            hint="header injection is refused; nothing was written or sent",
        )
    return value


def check_address(value: str, what: str = "address") -> str:
    """One mailbox (``Name <a@b.example>`` or ``a@b.example``), without any line break."""
    check_header_text(value, what)
    parsed = getaddresses([value])
    if len(parsed) != 1 or "@" not in parsed[0][1] or " " in parsed[0][1].strip():
        raise UsageError(
            f"{what} is not one e-mail address: {value!r}",
            hint="give one address per --to (e.g. --to security@example.com)",
        )
    headers.check_ascii_address(parsed[0][1])
    return value.strip()


def template_name(name: str) -> str:
    if not _TEMPLATE_NAME.match(name):
        raise UsageError(
            f"'{name}' is not a notification template name",
            hint="use a name such as advisory-downstream (`irbook notify --help` lists them)",
        )
    return name


def build_notification(
    facts: IncidentFacts,
    *,
    template: str,
    audience: str,
    renderer: Renderer,
    to: tuple[str, ...] = (),
    sender: str = DEFAULT_SENDER,
    extra: dict[str, Any] | None = None,
) -> Notification:
    """Render ``notify/TEMPLATE.txt.j2`` (with its subject block) and ``.html.j2`` when present.

    Every problem of both parts is reported together, before anything is written or sent.
    """
    template_name(template)
    recipients = tuple(check_address(a, "recipient") for a in to)
    sender = check_address(sender, "sender (IRBOOK_SMTP_FROM)")
    context: dict[str, Any] = {
        "incident": facts,
        "audience": audience,
        "recipients": recipients,
        "tlp": facts.tlp,
        **(extra or {}),
    }
    problems = []
    text = subject = html = None
    try:
        text = renderer.render(f"notify/{template}.txt.j2", context, blocks=("subject",))
        subject = text.blocks["subject"].strip()
    except InvalidInputError as exc:
        problems.extend(exc.problems)
    html_name = f"notify/{template}.html.j2"
    if renderer.exists(html_name):
        try:
            html = renderer.render(html_name, {**context, "subject": subject or ""}).text
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems or text is None or subject is None:
        raise InvalidInputError(
            problems,
            hint="nothing was written or sent; fix the template "
            "or record the missing answers (docs/notifications.md)",
        )
    check_header_text(subject, f"the subject rendered from {text.filename}")
    if facts.id not in subject:
        subject = f"[{facts.id}] {subject}"  # the incident id is how replies find the timeline
    notification = Notification(
        facts.id, template, audience, subject, text.text, html, recipients, sender
    )
    return mark_drill(notification) if facts.drill else notification


_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def mark_drill(notification: Notification) -> Notification:
    """A drill's message, marked whatever the template says: ``[DRILL]`` before the subject and
    the banner as the first line of the text and of the HTML body. A forwarded rehearsal message
    must never read as a real breach notice."""
    from html import escape

    from irbook.domain.drills import BANNER, SUBJECT_PREFIX

    html = notification.html
    if html is not None:
        banner = (
            '<p style="background:#ffeb3b;color:#000;font-weight:bold;padding:8px;'
            f'margin:0 0 12px">{escape(BANNER)}</p>'
        )
        found = _BODY_TAG.search(html)
        at = found.end() if found else 0
        html = html[:at] + banner + html[at:]
    return replace(
        notification,
        subject=SUBJECT_PREFIX + notification.subject,
        text=f"{BANNER}\n\n{notification.text}",
        html=html,
    )


def refuse_secrets(notification: Notification, *, allow: bool) -> list[str]:
    """Kinds of secrets in the message; an error unless ``allow``."""
    body = "\n".join([notification.subject, notification.text, notification.html or ""])
    found = find_secrets(body)
    if found and not allow:
        raise SecretsInMessageError(
            f"the rendered {notification.template} message contains what looks like: "
            f"{', '.join(found)}; nothing was written or sent",
            hint="remove it from the incident answers or the template; if it is intended "
            "(a revoked example), repeat with --allow-secrets",
        )
    return found


def to_message(notification: Notification, *, date: datetime) -> Message:
    """RFC 5322 bytes (CRLF): multipart/alternative text + HTML, Date, Message-ID, From, To."""
    from email import policy

    # refold_source="none": the headers set raw below are already encoded and folded by
    # irbook.notify.headers, and CPython's refolding is what loses spaces (see that module).
    msg = EmailMessage(policy=policy.SMTP.clone(refold_source="none"))
    domain = _domain(notification.sender)
    # Short enough to stay on one header line: folded Message-IDs trip up some mail tools.
    message_id = f"<{notification.incident_id}.{secrets.token_hex(8)}@{domain}>"
    msg.set_raw("Subject", headers.fold_unstructured("Subject", notification.subject))
    msg.set_raw("From", headers.mailbox(notification.sender))
    recipients = [headers.mailbox(a) for a in notification.to]
    msg.set_raw("To", ",\r\n ".join(recipients) if recipients else NO_RECIPIENTS)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["X-Irbook-Incident"] = notification.incident_id
    msg["X-Irbook-Template"] = notification.template
    msg.set_content(notification.text, cte="quoted-printable")
    if notification.html is not None:
        msg.add_alternative(notification.html, subtype="html", cte="quoted-printable")
    raw = msg.as_bytes()
    return Message(raw, message_id, hashlib.sha256(raw).hexdigest(), date)


def envelope_address(mailbox: str) -> str:
    return getaddresses([mailbox])[0][1]


def _domain(mailbox: str) -> str:
    return envelope_address(mailbox).rpartition("@")[2] or "localhost"


def _eml_names(message: Message, out_dir: Path, *, stem: str) -> Iterator[Path]:
    """Create ``out_dir`` (0700), then the names an .eml of ``message`` may take, in order:
    ``STEM-YYYYmmddTHHMMSSZ.eml``, then ``-2``, ``-3``... UsageError once 999 are taken."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None
    base = f"{stem}-{message.date:%Y%m%dT%H%M%SZ}"
    for n in range(1, 1000):
        yield out_dir / (f"{base}.eml" if n == 1 else f"{base}-{n}.eml")
    raise UsageError(f"too many messages named {base}*.eml in {out_dir}")


def write_eml(message: Message, out_dir: Path, *, stem: str) -> Path:
    """Write ``STEM-YYYYmmddTHHMMSSZ.eml`` (0600, never overwriting an earlier message)."""
    names = _eml_names(message, out_dir, stem=stem)
    while True:
        path = next(names)
        try:
            write_private(path, message.raw, exclusive=True)
        except FileExistsError:
            continue
        return path


# --- drafts: a notify step's .eml appears only once its event is committed ---------------------
#
# A notify step writes its message to a hidden draft, records notification_rendered (naming the
# final path and the sha256) together with the step's completion, and only then publishes the
# draft under its final name. A responder who loses the race to record discards the draft, and a
# kill between the commit and the publish is finished on the next resume (the draft's name is
# derived from the event), so each notify step leaves exactly one .eml, the one its event names.


def draft_path(final: Path, sha256: str) -> Path:
    """The hidden draft of ``final`` whose bytes hash to ``sha256``."""
    return final.with_name(f".{final.name}.{sha256[:16]}.draft")


def stage_eml(message: Message, out_dir: Path, *, stem: str) -> tuple[Path, Path]:
    """Write ``message`` to a hidden draft (0600); return the draft and the final path, the first
    free ``STEM-YYYYmmddTHHMMSSZ[-N].eml`` (chosen now, so the event can name it)."""
    final = next(p for p in _eml_names(message, out_dir, stem=stem) if not p.exists())
    draft = draft_path(final, message.sha256)
    # FileExistsError: the same bytes were staged before (the draft's name carries their hash)
    with contextlib.suppress(FileExistsError):
        write_private(draft, message.raw, exclusive=True)
    return draft, final


def publish_eml(draft: Path, final: Path, sha256: str) -> bool:
    """Give the recorded draft its final name (never replacing another file). False when there
    is nothing to publish: the draft is gone and ``final`` already holds these bytes."""
    if not draft.exists():
        return False
    try:
        os.link(draft, final)  # fails if final exists: another message is never overwritten
    except FileExistsError:  # a resume finishing what a killed run published already
        if hashlib.sha256(final.read_bytes()).hexdigest() != sha256:
            raise UsageError(
                f"{final} exists with other content; the recorded message is kept in {draft}",
                hint="move the other file away and run `irbook resume` again to publish it",
            ) from None
    draft.unlink()
    return True


def discard_draft(draft: Path) -> None:
    draft.unlink(missing_ok=True)
