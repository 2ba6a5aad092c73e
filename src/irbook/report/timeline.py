"""One line per event, saying what happened: the report's timeline and the CSV rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irbook.domain.events import Event, Kind

MAX_SUMMARY = 200


def show_value(value: Any) -> str:
    """An answer as text: lists joined, booleans as yes/no, nested data as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def one_line(text: str, limit: int = MAX_SUMMARY) -> str:
    """Newlines folded so a summary stays one line; long text cut (its section has it whole)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _opened(p: dict[str, Any], _: Event) -> str:
    return (
        f"opened '{p.get('title', '')}' ({p.get('severity', '')}, TLP:{p.get('tlp', '')}) "
        f"from runbook {p.get('runbook_id', '')} {p.get('runbook_version', '')}"
    )


def _input(p: dict[str, Any], _: Event) -> str:
    return f"input {p.get('input_id', '')} = {show_value(p.get('value'))}"


def _completed(p: dict[str, Any], e: Event) -> str:
    value = p.get("value")
    shown = "" if value is None or value is True else f": {show_value(value)}"
    return f"completed {e.step_id}{shown}"


def _skipped(p: dict[str, Any], e: Event) -> str:
    return f"skipped {e.step_id}: {p.get('reason', '')}"


def _reopened(p: dict[str, Any], e: Event) -> str:
    reason = p.get("reason") or ""
    return f"reopened {e.step_id}" + (f": {reason}" if reason else "")


def _evidence(p: dict[str, Any], _: Event) -> str:
    return f"evidence {p.get('path', '')} (sha256 {str(p.get('sha256', ''))[:12]}…)"


def _check(p: dict[str, Any], _: Event) -> str:
    verdict = "ok" if p.get("ok") else "findings"
    return f"check {p.get('action', '')}: {verdict}, {p.get('summary', '')}"


def _command(p: dict[str, Any], _: Event) -> str:
    return f"ran `{p.get('command', '')}` (exit {p.get('exit_code', '?')})"


def _rendered(p: dict[str, Any], _: Event) -> str:
    return f"rendered {p.get('template', '')} for {p.get('audience', '')}: {p.get('subject', '')}"


def _sent(p: dict[str, Any], _: Event) -> str:
    count = len(p.get("to") or [])
    return f"sent {p.get('template', '')} to {count} recipient(s): {p.get('subject', '')}"


def _closed(p: dict[str, Any], _: Event) -> str:
    skipped = p.get("skipped") or []
    extra = f" (skipped: {', '.join(skipped)})" if skipped else ""
    return f"closed: {p.get('outcome', '')}{extra}"


def _followup(p: dict[str, Any], _: Event) -> str:
    owner = f" [owner {p['owner']}]" if p.get("owner") else ""
    due = f" [due {p['due']}]" if p.get("due") else ""
    return f"follow-up: {p.get('text', '')}{owner}{due}"


_DESCRIBE: dict[str, Callable[[dict[str, Any], Event], str]] = {
    Kind.INCIDENT_OPENED: _opened,
    Kind.INPUT_RECORDED: _input,
    Kind.STEP_STARTED: lambda _, e: f"started {e.step_id}",
    Kind.STEP_COMPLETED: _completed,
    Kind.STEP_SKIPPED: _skipped,
    Kind.STEP_REOPENED: _reopened,
    Kind.NOTE_ADDED: lambda p, _: f"note: {p.get('text', '')}",
    Kind.EVIDENCE_ATTACHED: _evidence,
    Kind.CHECK_RAN: _check,
    Kind.COMMAND_RAN: _command,
    Kind.NOTIFICATION_RENDERED: _rendered,
    Kind.NOTIFICATION_SENT: _sent,
    Kind.ROLE_ASSIGNED: lambda p, _: f"{p.get('person', '')} is {p.get('role', '')}",
    Kind.SEVERITY_CHANGED: lambda p, _: (
        f"severity {p.get('previous', '')} → {p.get('severity', '')}"
    ),
    Kind.INCIDENT_CLOSED: _closed,
    Kind.FOLLOWUP_ADDED: _followup,
}


def describe(event: Event) -> str:
    """What the event did, in one line (unknown kinds from a newer irbook show their kind)."""
    describer = _DESCRIBE.get(event.kind)
    text = describer(event.payload, event) if describer else event.kind.replace("_", " ")
    return one_line(text)
