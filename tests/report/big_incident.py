"""A bigger incident for the streaming tests: the scripted incident (left open) grown to a few
thousand events of every kind a report lists, deterministic (seeded, fixed times), so its
reports can be compared byte for byte with digests taken before the report was streamed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from irbook.domain.events import (
    CheckRan,
    CommandRan,
    EvidenceAttached,
    FollowupAdded,
    InputCorrected,
    Kind,
    NewEvent,
    NoteAdded,
    NotificationRendered,
    NotificationSent,
)
from irbook.store import Store

GROWN_EVENTS = (
    3000  # the `grown` fixture (tests/report/conftest.py): digests were taken at this size
)
STEPS = ["affected-devices", "disconnect", "revoke-npm-tokens", "rotate-ci-secrets", None]
PEOPLE = [("alice", "ic-laptop"), ("bob", "ops-01"), ("carol", "sec-02"), ("dave", "comms-03")]
WORDS = [
    "token",
    "rotated",
    "host",
    "<b>checked</b>",
    "lockfile",
    "*proxy*",
    "runner_cache",
    "npm",
    "|",
    "registry",
    "ünï",
    "✓",
]


def _event(rng: random.Random, i: int) -> NewEvent:
    step = rng.choice(STEPS)
    text = " ".join(rng.choices(WORDS, k=rng.randint(3, 14)))
    roll = rng.random()
    if roll < 0.45:
        return NewEvent(Kind.NOTE_ADDED, NoteAdded(text=text), step_id=step)
    if roll < 0.55:
        payload = EvidenceAttached(
            path=f"evidence/file-{i}.log", sha256=f"{i:064x}", size=i, description=text[:30]
        )
        return NewEvent(Kind.EVIDENCE_ATTACHED, payload, step_id=step)
    if roll < 0.65:
        lockfile = rng.random() < 0.5
        findings = [
            {"file": f"repo{j}/package-lock.json", "name": "@acme/ui", "version": "2.3.1"}
            | {"advisory": "GHSA-xxxx-yyyy-zzzz", "match": "exact"}
            if lockfile
            else {"host": f"build-{j}", "seen": text[:20]}
            for j in range(rng.randint(0, 3))
        ]
        payload = CheckRan(
            action="lockfile-audit", ok=not findings, summary=text, findings=findings
        )
        return NewEvent(Kind.CHECK_RAN, payload, step_id=step)
    if roll < 0.72:
        payload = CommandRan(command="npm token list", exit_code=i % 3, output=text * 3)
        return NewEvent(Kind.COMMAND_RAN, payload, step_id=step)
    if roll < 0.78:
        return NewEvent(
            Kind.NOTIFICATION_RENDERED,
            NotificationRendered(
                template="status-update", audience="internal", subject=text, sha256=f"{i:064x}"
            ),
            step_id=step,
        )
    if roll < 0.80:
        payload = NotificationSent(
            template="status-update",
            subject=text,
            to=["a@example.org"],
            sha256=f"{i:064x}",
            message_id=f"<{i}@example.org>",
            server="smtp.example.org",
        )
        return NewEvent(Kind.NOTIFICATION_SENT, payload, step_id=step)
    if roll < 0.82:
        return NewEvent(Kind.FOLLOWUP_ADDED, FollowupAdded(text=text, owner="bob", due=None))
    if roll < 0.83:
        payload = InputCorrected(input_id="vector", value=f"v{i}", previous="stolen-credentials")
        return NewEvent(Kind.INPUT_CORRECTED, payload)
    return NewEvent(Kind.STEP_STARTED, None, step_id=step or "disconnect")


def grow(store: Store, incident_id: str, total: int, *, seed: int = 17) -> None:
    """Append events until the incident has ``total``, 100 per transaction."""
    rng = random.Random(seed)
    at = datetime(2025, 9, 9, 8, 0, tzinfo=UTC)
    have = len(store.events(incident_id))
    while have < total:
        batch = [_event(rng, have + n) for n in range(min(100, total - have))]
        actor, host = rng.choice(PEOPLE)
        store.append_many(incident_id, batch, actor=actor, host=host, at=at)
        have += len(batch)
        at += timedelta(minutes=3)
