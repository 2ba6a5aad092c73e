"""Runbook `check` steps (``uses: lockfile-audit``, ``uses: log-ioc-scan``) as one entry point.

The runner calls ``run_action(uses, args)`` with the step's ``with:`` arguments (templates already
rendered against the incident's inputs) and stores the result as an evidence event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from irbook.errors import UsageError


@dataclass(frozen=True)
class CheckResult:
    """What a check found: a one-line summary, findings as JSON-ready dicts, inputs it read."""

    action: str
    ok: bool  # True when nothing was found
    summary: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # files read, for the record

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "ok": self.ok,
            "summary": self.summary,
            "findings": self.findings,
            "inputs": self.inputs,
        }


# uses -> "module:function"; imported lazily so a runbook with no checks pays nothing.
ACTIONS: dict[str, str] = {
    "lockfile-audit": "irbook.audit.lockfiles.audit:run_action",
    "log-ioc-scan": "irbook.audit.logs.scan:run_action",
}


def run_action(uses: str, args: Mapping[str, str | list[str]], *, cwd: Path) -> CheckResult:
    if uses not in ACTIONS:
        raise UsageError(f"unknown check action '{uses}'")
    module_name, function_name = ACTIONS[uses].split(":")
    action: Callable[..., CheckResult] = getattr(import_module(module_name), function_name)
    return action(args, cwd=cwd)
