"""Notify operations shared by the CLI and the walker: compose, write the .eml, send, record.

Order matters: everything that can fail on bad input (templates, missing variables, addresses,
secrets, SMTP settings) is checked before the first byte is written or sent. Every render and
every send is an event in the incident's timeline, with the message's sha256.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
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
    discard_draft,
    draft_path,
    envelope_address,
    publish_eml,
    refuse_secrets,
    stage_eml,
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
    withheld: bool = False  # --send on a drill: written to ``path``, never sent


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
    """`irbook notify`: render; write the .eml (unless only previewing); send with ``send``.

    A drill never sends: with ``send`` its message is written to the incident's folder (or
    ``out_dir``) instead, no SMTP setting is read and no connection is opened."""
    from irbook.errors import UsageError
    from irbook.notify.smtp import config_from_env, deliver

    env = os.environ if environ is None else environ
    state = incidents.load_state(store, incident_id)
    withheld = send and state.drill
    # bad settings fail before anything is written
    config = config_from_env(env) if send and not withheld else None
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
        return NotifyResult(notification, message, path, secrets=tuple(secrets), withheld=withheld)
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


@dataclass(frozen=True)
class StepDraft:
    """A notify step's message, written to a hidden draft, with the event that records it."""

    rendered: NotificationRendered
    draft: Path
    path: Path  # where the .eml goes once the event is committed
    notification: Notification | None = None  # what the walker shows before recording it

    def publish(self) -> Path:
        publish_eml(self.draft, self.path, self.rendered.sha256)
        return self.path

    def discard(self) -> None:
        discard_draft(self.draft)


def draft_notify_step(
    *,
    state: IncidentState,
    step: NotifyStep,
    responder: Responder,
    out_dir: Path | None = None,
    templates_dir: Path | None = None,
    to: Sequence[str] = (),
) -> StepDraft:
    """Render a runbook `notify` step into a hidden draft in the incident's folder.

    Nothing is recorded here: the walker records ``rendered`` together with the step's completion
    (one transaction), then publishes the draft, or discards it when another responder settled the
    step first. Sending stays a deliberate act (`irbook notify INCIDENT TEMPLATE --send`).
    """
    notification, message, _ = compose(
        state,
        template=step.template,
        audience=step.audience,
        responder=responder,
        to=to,
        templates_dir=templates_dir,
    )
    draft, path = stage_eml(
        message,
        out_dir or incidents.output_dir(state.incident_id),
        stem=f"{state.incident_id}-{step.template}",
    )
    return StepDraft(_rendered(notification, message, path), draft, path, notification)


def publish_recorded_drafts(state: IncidentState) -> list[Path]:
    """Publish the drafts whose notification_rendered event is committed but which a kill left
    unpublished (between the commit and the rename); returns the files published."""
    published = []
    for event in state.events_of(Kind.NOTIFICATION_RENDERED):
        path, sha256 = event.payload.get("path"), event.payload.get("sha256")
        if not isinstance(path, str) or not isinstance(sha256, str):
            continue
        final = Path(path)
        if not final.exists() and publish_eml(draft_path(final, sha256), final, sha256):
            published.append(final)
    return published


def run_notify_step(
    *,
    store: Store,
    state: IncidentState,
    step: NotifyStep,
    responder: Responder,
    out_dir: Path | None = None,
    templates_dir: Path | None = None,
    to: Sequence[str] = (),
) -> list[Path]:
    """Render a notify step's .eml and record it, without settling the step (a preview of what
    the step would send; the walker settles steps itself)."""
    draft = draft_notify_step(
        state=state,
        step=step,
        responder=responder,
        out_dir=out_dir,
        templates_dir=templates_dir,
        to=to,
    )
    new = NewEvent(Kind.NOTIFICATION_RENDERED, draft.rendered, step_id=step.id)
    event = incidents.record_anyway(store, state.incident_id, new, responder)
    if event.seq == state.last_seq + 1:  # keep the caller's state current when nobody wrote between
        engine.apply(state, event)
    return [draft.publish()]


def _rendered(
    notification: Notification, message: Message, path: Path | None, *, preview: bool = False
) -> NotificationRendered:
    return NotificationRendered(
        preview=preview,
        template=notification.template,
        audience=notification.audience,
        subject=notification.subject,
        to=list(notification.to),
        sha256=message.sha256,
        path=str(path.resolve()) if path else None,
    )


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
    payload = _rendered(notification, message, path, preview=preview)
    new = NewEvent(Kind.NOTIFICATION_RENDERED, payload, step_id=step_id)
    return incidents.record_anyway(store, incident_id, new, responder)
