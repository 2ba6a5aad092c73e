"""Performing the automated step types: check (built-in action), command, notify."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbook.domain.engine import IncidentState
from irbook.domain.events import CheckRan, CommandRan, Kind
from irbook.domain.models import (
    ANSWER_REFERENCE,
    INPUT_REFERENCE,
    CheckStep,
    CommandStep,
    NotifyStep,
)
from irbook.domain.redact import redact
from irbook.errors import ActionUnavailable
from irbook.usecases.incidents import Responder

if TYPE_CHECKING:
    from irbook.notify.service import StepDraft

MAX_OUTPUT = 64 * 1024
COMMAND_TIMEOUT_S = 900


def render_args(
    args: dict[str, str | list[str]],
    inputs: dict[str, Any],
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Substitute ``{{ inputs.NAME }}`` and ``{{ answers.STEP }}``: a whole-string reference
    keeps lists as lists."""
    sources = ((INPUT_REFERENCE, inputs), (ANSWER_REFERENCE, answers or {}))
    out: dict[str, Any] = {}
    for key, value in args.items():
        values = value if isinstance(value, list) else [value]
        rendered: list[Any] = []
        for item in values:
            whole = [
                (m, known) for pattern, known in sources if (m := pattern.fullmatch(item.strip()))
            ]
            if whole:
                found = whole[0][1].get(whole[0][0].group(1))
                rendered.extend(found if isinstance(found, list) else [found] if found else [])
                continue
            for pattern, known in sources:
                item = pattern.sub(_value_of(known), item)
            rendered.append(item)
        out[key] = rendered if isinstance(value, list) or len(rendered) != 1 else rendered[0]
    return out


def _value_of(known: dict[str, Any]) -> Callable[[re.Match[str]], str]:
    return lambda match: str(known.get(match.group(1)) or "")


def run_check(step: CheckStep, state: IncidentState, *, cwd: Path) -> CheckRan:
    """Run the check; its findings become a check_ran event (the walker appends it)."""
    from irbook.audit.actions import run_action

    args = render_args(step.with_, state.inputs, state.answers)
    try:
        result = run_action(step.uses, args, cwd=cwd)
    except ImportError as exc:  # e.g. no hyperscan wheel for this platform: the step can be skipped
        raise ActionUnavailable(f"the '{step.uses}' check is not available: {exc}") from None
    # A finding that had secrets masked (a log line) says which: the responder is told.
    masked = {kind for finding in result.findings for kind in finding.get("redacted", [])}
    return CheckRan(
        action=result.action,
        ok=result.ok,
        summary=result.summary,
        findings=result.findings,
        inputs=result.inputs,
        redacted=sorted(masked),
    )


def run_command(step: CommandStep, *, cwd: Path) -> CommandRan:
    """Run the step's command (the responder confirmed first); output captured and redacted."""
    try:
        proc = subprocess.run(
            ["/bin/sh", "-c", step.run],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        partial = [
            p.decode(errors="replace") if isinstance(p, bytes) else p
            for p in (exc.stdout, exc.stderr)
            if p
        ]
        code, output = 124, "".join(partial) + "\n(timed out)"
    except OSError as exc:
        code, output = 127, f"cannot run the command: {exc.strerror}"
    output, found = redact(output)
    truncated = len(output) > MAX_OUTPUT
    return CommandRan(
        command=step.run,
        exit_code=code,
        output=output[-MAX_OUTPUT:],
        truncated=truncated,
        redacted=found,
    )


def draft_notify(
    step: NotifyStep,
    state: IncidentState,
    *,
    responder: Responder,
    out_dir: Path | None,
    templates_dir: Path | None,
) -> StepDraft:
    """Render the step's notification into a hidden draft in the incident's output folder; the
    walker records it with the step's completion, then publishes or discards the draft."""
    from irbook.notify.service import draft_notify_step
    from irbook.usecases.incidents import output_dir

    return draft_notify_step(
        state=state,
        step=step,
        responder=responder,
        out_dir=out_dir or output_dir(state.incident_id),
        templates_dir=templates_dir,
    )


def publish_recorded_drafts(state: IncidentState) -> list[Path]:
    """Finish notify steps whose event was committed but whose .eml a kill left as a draft."""
    from irbook.notify.service import publish_recorded_drafts

    return publish_recorded_drafts(state)


def recorded_value(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The step answer a result event (its kind and payload) stands for, as the completion
    that rests on it records it."""
    if kind == Kind.CHECK_RAN:
        findings = payload.get("findings", [])
        return {"ok": payload["ok"], "summary": payload["summary"], "findings": len(findings)}
    if kind == Kind.NOTIFICATION_RENDERED:
        return {"files": [payload["path"]]}
    return {"exit_code": payload["exit_code"]}
