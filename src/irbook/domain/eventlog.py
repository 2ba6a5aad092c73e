"""The event record and its hash chain, without the payload models.

An incident is its append-only event log; ``Event.hash`` chains every event to the one before it,
so an edited, deleted or reordered event is detected by ``irbook verify``. The pydantic models of
each kind's payload live in ``domain/events.py`` (which re-exports everything here): code that only
reads the log (``list``, ``verify``, the SQLite read path) does not build them.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from irbook.domain.events import Payload

GENESIS_HASH = "0" * 64


class Kind(StrEnum):
    INCIDENT_OPENED = "incident_opened"
    INPUT_RECORDED = "input_recorded"
    INPUT_CORRECTED = "input_corrected"  # `irbook set` or the walker: a new value, the old kept
    STEP_STARTED = "step_started"
    STEP_COMPLETED = "step_completed"
    STEP_SKIPPED = "step_skipped"
    STEP_NOT_APPLICABLE = "step_not_applicable"  # the responder decided it does not apply
    STEP_REOPENED = "step_reopened"  # "go back": the step is asked again
    STEP_WAITING = "step_waiting"  # open, waiting on someone or something (with a due time)
    NOTE_ADDED = "note_added"
    EVIDENCE_ATTACHED = "evidence_attached"
    CHECK_RAN = "check_ran"
    COMMAND_RAN = "command_ran"
    NOTIFICATION_RENDERED = "notification_rendered"
    NOTIFICATION_SENT = "notification_sent"
    ROLE_ASSIGNED = "role_assigned"
    SEVERITY_CHANGED = "severity_changed"
    INCIDENT_CLOSED = "incident_closed"
    FOLLOWUP_ADDED = "followup_added"
    ADVISORY_ISSUED = "advisory_issued"  # an OSV/CSAF/Markdown advisory handed out (its revision)
    INJECT_DELIVERED = "inject_delivered"  # a drill's inject shown to the team (domain/drills.py)


@dataclass(frozen=True)
class Event:
    incident_id: str
    seq: int
    at: datetime  # UTC
    actor: str
    host: str
    kind: str
    step_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    # The database login that wrote it, set by the PostgreSQL server from session_user (never
    # sent by the client); None on SQLite, which has no logins, and for events before schema 2.
    login: str | None = None

    def typed(self) -> Payload | None:
        """The payload as its model, for code that wants attributes instead of dict keys."""
        from irbook.domain.events import PAYLOADS  # the pydantic models, built on first use

        model = PAYLOADS.get(Kind(self.kind)) if self.kind in Kind._value2member_map_ else None
        return model.model_validate(self.payload) if model else None


def attributed(actor: str, login: str | None) -> str:
    """Who wrote an event, as shown next to each other: the actor is what ``--as`` claimed, the
    login what the PostgreSQL server authenticated ("carol (login alice)")."""
    return actor if login is None else f"{actor} (login {login})"


def canonical(
    incident_id: str,
    seq: int,
    at: datetime,
    actor: str,
    host: str,
    kind: str,
    step_id: str | None,
    payload: dict[str, Any],
    login: str | None = None,
) -> bytes:
    """The bytes an event's hash covers: everything but the hashes, as canonical JSON.

    ``login`` is covered only when there is one, so events without it (SQLite, logs written
    before logins were recorded) keep the hashes they were written with.
    """
    body: dict[str, Any] = {
        "incident_id": incident_id,
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "host": host,
        "kind": kind,
        "step_id": step_id,
        "payload": payload,
    }
    if login is not None:
        body["login"] = login
    return _CANONICAL.encode(body).encode()


# ``json.dumps`` with these options builds a new encoder on every call; one encoder, kept, gives
# the same text (dumps is ``JSONEncoder(...).encode``) in about half the time of a 100,000-event
# chain check.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_around_seq(
    incident_id: str,
    at: datetime,
    actor: str,
    host: str,
    kind: str,
    step_id: str | None,
    payload: dict[str, Any],
    login: str | None = None,
) -> tuple[bytes, bytes]:
    """``canonical`` split where the seq goes: for every seq, ``canonical(..., seq, ...)`` is
    ``before + str(seq).encode() + after``.

    For a writer that learns the seq only on the database server (team mode on PostgreSQL,
    store/append.py): the server hashes ``prev_hash + before + seq + after``, the same bytes as
    ``chain_hash`` over ``canonical``. The keys are sorted, so the top-level "seq" comes just
    before "step_id", the last key; the check below holds for every payload (a "seq" inside the
    payload is earlier and nested, and a string cannot end the object).
    """
    body = canonical(incident_id, 0, at, actor, host, kind, step_id, payload, login)
    after = b',"step_id":' + json.dumps(step_id, ensure_ascii=False).encode() + b"}"
    end = b',"seq":0' + after
    if not body.endswith(end):  # canonical's layout changed: split it some other way
        raise ValueError("canonical JSON no longer ends with the seq and the step id")
    return body[: -len(end)] + b',"seq":', after


def chain_hash(prev_hash: str, body: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


def event_hash(event: Event) -> str:
    """Recompute an event's hash from its content and the hash it claims to follow."""
    return chain_hash(event.prev_hash, _body_of(event))


_encode_string = json.encoder.encode_basestring  # what _CANONICAL writes for a str (C)


def _body_of(e: Event) -> bytes:
    """``canonical`` of the event, written field by field: only the payload goes through the
    encoder (about a fifth less time over a 100,000-event chain check, issue 17). The same bytes
    for every event (tests/report/test_verify.py compares the two); a field of another type than
    the record says (a row written by hand) takes ``canonical`` itself."""
    if not (
        type(e.seq) is int
        and type(e.incident_id) is str
        and type(e.actor) is str
        and type(e.host) is str
        and isinstance(e.kind, str)  # a Kind member on the write path
        and isinstance(e.at, datetime)
        and (e.step_id is None or type(e.step_id) is str)
        and (e.login is None or type(e.login) is str)
    ):
        return canonical(*_hashed(e))
    payload = e.payload
    # keys in sorted order: actor, at, host, incident_id, kind, login, payload, seq, step_id
    return "".join(
        (
            '{"actor":',
            _encode_string(e.actor),
            ',"at":"',
            e.at.isoformat(timespec="microseconds"),
            '","host":',
            _encode_string(e.host),
            ',"incident_id":',
            _encode_string(e.incident_id),
            ',"kind":',
            _encode_string(e.kind),
            "" if e.login is None else ',"login":' + _encode_string(e.login),
            ',"payload":',
            "{}" if type(payload) is dict and not payload else _CANONICAL.encode(payload),
            ',"seq":',
            str(e.seq),
            ',"step_id":',
            "null" if e.step_id is None else _encode_string(e.step_id),
            "}",
        )
    ).encode()


def _hashed(e: Event) -> tuple[Any, ...]:
    """``canonical``'s arguments for an event."""
    return (e.incident_id, e.seq, e.at, e.actor, e.host, e.kind, e.step_id, e.payload, e.login)
