"""One line per event, saying what happened: the one event-to-text table.

The report's timeline and CSV, the live ``watch`` view and the walker's notices about other
responders all read events through ``describe_event``, so an event is never told two ways.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from irbook.domain.events import Event, Kind
from irbook.domain.models import Runbook

MAX_SUMMARY = 200


def show_value(value: Any) -> str:
    """An answer as text: lists joined, booleans as yes/no, nested data as compact JSON."""
    if type(value) is str:  # most values: the report shows hundreds of thousands of them
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def one_line(text: str, limit: int = MAX_SUMMARY) -> str:
    """Newlines folded so a summary stays one line; long text cut (its section has it whole)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def step_path(runbook: Runbook, step_id: str | None) -> str:
    """``phase/step`` as responders say it ("rotate/npm-tokens")."""
    if not step_id:
        return ""
    try:
        return f"{runbook.phase_of(step_id).id}/{step_id}"
    except KeyError:
        return step_id


Describer = Callable[[dict[str, Any], str], str]  # (payload, where the step is) -> text


def _opened(p: dict[str, Any], _: str) -> str:
    what = "opened DRILL" if p.get("drill") else "opened"
    scenario = p.get("scenario") or {}
    return (
        f"{what} '{p.get('title', '')}' ({p.get('severity', '')}, TLP:{p.get('tlp', '')}) "
        f"from runbook {p.get('runbook_id', '')} {p.get('runbook_version', '')}"
        + (f", scenario {scenario.get('id', '')}" if scenario else "")
    )


def _completed(p: dict[str, Any], where: str) -> str:
    value = p.get("value")
    shown = "" if value is None or value is True else f": {show_value(value)}"
    unticked = p.get("unticked") or []
    if unticked:  # a checklist done with exceptions
        return (
            f"completed {where} with exceptions{shown}; not ticked: {show_value(unticked)} "
            f"({p.get('reason', '')})"
        )
    if p.get("overridden"):
        return f"completed {where} with exceptions: failed check overridden ({p.get('reason', '')})"
    return f"completed {where}{shown}"


def _reopened(p: dict[str, Any], where: str) -> str:
    reason = p.get("reason") or ""
    return f"reopened {where}" + (f": {reason}" if reason else "")


def _check(p: dict[str, Any], _: str) -> str:
    if p.get("failed"):
        return f"check {p.get('action', '')} failed: {p.get('summary', '')}"
    verdict = "ok" if p.get("ok") else "findings"
    return f"check {p.get('action', '')}: {verdict}, {p.get('summary', '')}"


def _sent(p: dict[str, Any], _: str) -> str:
    count = len(p.get("to") or [])
    return f"sent {p.get('template', '')} to {count} recipient(s): {p.get('subject', '')}"


def _closed(p: dict[str, Any], _: str) -> str:
    named = [
        (label, p.get(key) or [])
        for key, label in (
            ("skipped", "skipped"),
            ("exceptions", "done with exceptions"),
            ("open_steps", "left open"),
            ("not_applicable", "not applicable"),
        )
    ]
    parts = [f"{label}: {', '.join(ids)}" for label, ids in named if ids]
    if p.get("reason"):
        parts.insert(0, f"reason: {p['reason']}")
    return f"closed: {p.get('outcome', '')}" + (f" ({'; '.join(parts)})" if parts else "")


def _followup(p: dict[str, Any], _: str) -> str:
    owner = f" [owner {p['owner']}]" if p.get("owner") else ""
    due = f" [due {p['due']}]" if p.get("due") else ""
    return f"follow-up: {p.get('text', '')}{owner}{due}"


def _note(p: dict[str, Any], _: str) -> str:
    return f"note: {p.get('text', '')}"


_DESCRIBE: dict[str, Describer] = {
    Kind.INCIDENT_OPENED: _opened,
    Kind.INPUT_RECORDED: lambda p, _: (
        f"input {p.get('input_id', '')} = {show_value(p.get('value'))}"
    ),
    Kind.INPUT_CORRECTED: lambda p, _: (
        f"input {p.get('input_id', '')} corrected to {show_value(p.get('value'))} "
        f"(was {show_value(p.get('previous'))})"
    ),
    Kind.STEP_STARTED: lambda _, w: f"started {w}",
    Kind.STEP_COMPLETED: _completed,
    Kind.STEP_SKIPPED: lambda p, w: f"skipped {w}: {p.get('reason', '')}",
    Kind.STEP_NOT_APPLICABLE: lambda p, w: f"marked {w} not applicable: {p.get('reason', '')}",
    Kind.STEP_REOPENED: _reopened,
    Kind.STEP_WAITING: lambda p, w: (
        f"{w} waiting on {p.get('on', '')}" + (f" (due {p['due']})" if p.get("due") else "")
    ),
    Kind.NOTE_ADDED: _note,
    Kind.EVIDENCE_ATTACHED: lambda p, _: (
        f"evidence {p.get('path', '')} (sha256 {str(p.get('sha256', ''))[:12]}…)"
    ),
    Kind.CHECK_RAN: _check,
    Kind.COMMAND_RAN: lambda p, _: f"ran `{p.get('command', '')}` (exit {p.get('exit_code', '?')})",
    Kind.NOTIFICATION_RENDERED: lambda p, _: (
        f"{'previewed (not written or sent)' if p.get('preview') else 'rendered'} "
        f"{p.get('template', '')} for {p.get('audience', '')}: {p.get('subject', '')}"
    ),
    Kind.NOTIFICATION_SENT: _sent,
    Kind.ROLE_ASSIGNED: lambda p, _: f"{p.get('person', '')} is {p.get('role', '')}",
    Kind.SEVERITY_CHANGED: lambda p, _: (
        f"severity {p.get('previous', '')} → {p.get('severity', '')}"
        + (f": {p['reason']}" if p.get("reason") else "")
    ),
    Kind.INCIDENT_CLOSED: _closed,
    Kind.FOLLOWUP_ADDED: _followup,
    Kind.INJECT_DELIVERED: lambda p, _: f"drill inject delivered: {p.get('title', '')}",
    Kind.ADVISORY_ISSUED: lambda p, _: (
        f"issued the {p.get('format', '')} advisory, revision {p.get('revision', '?')}"
    ),
}


def describe_event(event: Event, *, where: str | None = None) -> str:
    """What the event did, in one line. ``where`` names its step as the reader knows it (the
    report says the step id, the live views ``phase/step``); unknown kinds, from a newer irbook,
    show their kind."""
    place = where if where is not None else (event.step_id or "")
    describer = _DESCRIBE.get(event.kind)
    if describer is None:
        text = event.kind.replace("_", " ") + (f" {place}" if place else "")
    else:
        text = describer(event.payload, place)
    return one_line(text)
