"""Run every preflight check for one runbook and say what the result means for the exit code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from irbook.preflight import checks
from irbook.preflight.checks import FAIL, OK, WARN, Check
from irbook.preflight.config import PreflightConfig, load_certificates, load_config

DEFAULT_RUNBOOK = "supply-chain-compromise"


@dataclass(frozen=True)
class PreflightReport:
    runbook: str
    config: str | None
    checks: tuple[Check, ...]

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    def exit_code(self, *, strict: bool) -> int:
        """2 on a failure; 1 on a warning with ``strict``; else 0."""
        if self.count(FAIL):
            return 2
        return 1 if strict and self.count(WARN) else 0


def preflight(
    *,
    runbook: str = DEFAULT_RUNBOOK,
    runbooks_dir: Path | None = None,
    templates_dir: Path | None = None,
    config_path: Path | None = None,
    db: str | None = None,
    environ: Mapping[str, str] | None = None,
    today: date | None = None,
) -> PreflightReport:
    """Look at everything ``runbook`` will need on this machine; change nothing."""
    from irbook.loader import catalog

    env = os.environ if environ is None else environ
    today = today or datetime.now(UTC).date()
    loaded = catalog.load(runbook, runbooks_dir=runbooks_dir, templates_dir=templates_dir)
    found: list[Check] = [
        Check("runbook", OK, f"{loaded.runbook.id} {loaded.runbook.version} ({loaded.path})")
    ]
    config_path = config_path or (
        Path(env["IRBOOK_PREFLIGHT"]) if env.get("IRBOOK_PREFLIGHT") else None
    )
    config = load_config(config_path) if config_path else PreflightConfig()
    found += checks.templates(loaded, templates_dir)
    found += checks.tools(loaded.runbook, env)
    found += checks.smtp(env)
    found += checks.database(db if db is not None else env.get("IRBOOK_DB"))
    found += checks.advisory_sources(config)
    found += _certificates(config, today)
    found += checks.contacts(loaded.runbook, config)
    return PreflightReport(
        loaded.runbook.id, str(config_path) if config_path else None, tuple(found)
    )


def _certificates(config: PreflightConfig, today: date) -> list[Check]:
    if config.certificates is None:
        return [
            Check(
                "certificates",
                WARN,
                "no certificate inventory configured",
                "list your code-signing certificates and where their keys live "
                "(docs/preflight.md), so the rotate phase knows what to replace",
            )
        ]
    # A malformed inventory is invalid input (exit 2, file:line:col), like a malformed runbook.
    inventory = load_certificates(config.certificates)
    return list(checks.certificates(inventory, today=today))
