"""Notify operations shared by the CLI and the walker: compose, write the .eml, send, record.

Order matters: everything that can fail on bad input (templates, missing variables, addresses,
secrets, SMTP settings) is checked before the first byte is written or sent. Every render and
every send is an event in the incident's timeline, with the message's sha256.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from irbook.domain import engine
from irbook.domain.events import Event, Kind, NewEvent, NotificationRendered, NotificationSent
from irbook.domain.facts import build_facts
from irbook.domain.models import NotifyStep
from irbook.notify.message import (
    Message,
    Notification,
    build_notification,
    envelope_address,
    refuse_secrets,
    to_message,
    write_eml,
)
from irbook.usecases import incidents

if TYPE_CHECKING:
    from irbook.domain.engine import IncidentState
    from irbook.store import Store
    from irbook.usecases.incidents import Responder


@dataclass(frozen=True)
class NotifyResult:
    notification: Notification
    message: Message
    path: Path | None  # None for a preview
    sent_to: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    server: str | None = None
    secrets: tuple[str, ...] = ()  # kinds found and allowed with --allow-secrets


def audience_of(state: IncidentState, template: str) -> str:
    """The audience the runbook gives this template, else the template name itself."""
    for _, step in state.runbook.steps():
        if isinstance(step, NotifyStep) and step.template == template:
            return step.audience
    return template


def compose(
    state: IncidentState,
    *,
    template: str,
    audience: str,
    responder: Responder,
    to: Sequence[str] = (),
    templates_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    allow_secrets: bool = False,
) -> tuple[Notification, Message, list[str]]:
    from irbook.notify.smtp import sender_from_env
    from irbook.render.environment import Renderer

    env = os.environ if environ is None else environ
    facts = build_facts(state, actor=responder.actor, now=responder.clock())
    notification = build_notification(
        facts,
        template=template,
        audience=audience,
        renderer=Renderer(templates_dir),
        to=tuple(to),
        sender=sender_from_env(env),
    )
    secrets = refuse_secrets(notification, allow=allow_secrets)
    return notification, to_message(notification, date=responder.clock()), secrets


def notify(
    *,
    store: Store,
    incident_id: str,
    template: str,
    responder: Responder,
    to: Sequence[str] = (),
    out_dir: Path | None = None,
    send: bool = False,
    preview: bool = False,
    allow_secrets: bool = False,
    templates_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> NotifyResult:
    """`irbook notify`: render; write the .eml (unless only previewing); send with ``send``."""
    from irbook.errors import UsageError
    from irbook.notify.smtp import config_from_env, deliver

    env = os.environ if environ is None else environ
    state = incidents.load_state(store, incident_id)
    config = config_from_env(env) if send else None  # bad settings fail before anything is written
    if send and not to:
        raise UsageError(
            "--send needs at least one --to address", hint="nothing was written or sent"
        )
    notification, message, secrets = compose(
        state,
        template=template,
        audience=audience_of(state, template),
        responder=responder,
        to=to,
        templates_dir=templates_dir,
        environ=env,
        allow_secrets=allow_secrets,
    )
    path = None
    if not preview or send:
        path = write_eml(
            message,
            out_dir or incidents.output_dir(state.incident_id),
            stem=f"{state.incident_id}-{template}",
        )
    _record_rendered(
        store, state.incident_id, notification, message, path, responder, None, preview=path is None
    )
    if config is None:
        return NotifyResult(notification, message, path, secrets=tuple(secrets))
    recipients = [envelope_address(a) for a in notification.to]
    refused = deliver(
        message.raw,
        sender=envelope_address(notification.sender),
        recipients=recipients,
        config=config,
    )
    accepted = tuple(a for a in recipients if a not in refused)
    sent = NotificationSent(
        template=template,
        subject=notification.subject,
        to=list(accepted),
        sha256=message.sha256,
        message_id=message.message_id,
        server=config.server,
    )
    incidents.record_anyway(
        store, state.incident_id, NewEvent(Kind.NOTIFICATION_SENT, sent), responder
    )
    return NotifyResult(
        notification, message, path, accepted, refused, config.server, tuple(secrets)
    )


def run_notify_step(
    *,
    store: Store,
    state: IncidentState,
    step: NotifyStep,
    responder: Responder,
    out_dir: Path | None = None,
    templates_dir: Path | None = None,
    to: Sequence[str] = (),
    review: Callable[[Notification], bool] | None = None,
) -> list[Path]:
    """A runbook `notify` step: write the step's .eml into the incident's folder and record it.

    With ``review`` (the walker at a terminal) the rendered message is shown first and written
    and recorded only when it returns True; otherwise nothing is written ([] is returned).
    Sending stays a deliberate act (`irbook notify INCIDENT TEMPLATE --send`); the walker drafts.
    """
    notification, message, _ = compose(
        state,
        template=step.template,
        audience=step.audience,
        responder=responder,
        to=to,
        templates_dir=templates_dir,
    )
    if review is not None and not review(notification):
        return []
    path = write_eml(
        message,
        out_dir or incidents.output_dir(state.incident_id),
        stem=f"{state.incident_id}-{step.template}",
    )
    event = _record_rendered(
        store, state.incident_id, notification, message, path, responder, step.id
    )
    if event.seq == state.last_seq + 1:  # keep the walker's state current when nobody wrote between
        engine.apply(state, event)
    return [path]


def _record_rendered(
    store: Store,
    incident_id: str,
    notification: Notification,
    message: Message,
    path: Path | None,
    responder: Responder,
    step_id: str | None,
    *,
    preview: bool = False,
) -> Event:
    payload = NotificationRendered(
        template=notification.template,
        audience=notification.audience,
        subject=notification.subject,
        to=list(notification.to),
        sha256=message.sha256,
        path=str(path.resolve()) if path else None,
        preview=preview,
    )
    new = NewEvent(Kind.NOTIFICATION_RENDERED, payload, step_id=step_id)
    return incidents.record_anyway(store, incident_id, new, responder)
