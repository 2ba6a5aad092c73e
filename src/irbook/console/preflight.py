"""`irbook preflight` output: one line per check, then what to do; or JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from irbook.console import escape, markup, print_json

if TYPE_CHECKING:
    from irbook.preflight.run import PreflightReport

_MARK = {"ok": "[green]ok  [/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}


def report(result: PreflightReport, *, as_json: bool, exit_code: int) -> None:
    if as_json:
        print_json(
            {
                "runbook": result.runbook,
                "config": result.config,
                "exit_code": exit_code,
                "counts": {s: result.count(s) for s in ("ok", "warn", "fail")},
                "checks": [asdict(c) for c in result.checks],
            }
        )
        return
    markup(f"[bold]Preflight for {escape(result.runbook)}[/]")
    for check in result.checks:
        markup(f"  {_MARK[check.status]}  {escape(check.id)}: {escape(check.detail)}")
        if check.hint and check.status != "ok":
            markup(f"          [dim]→ {escape(check.hint)}[/]")
    counts = ", ".join(f"{result.count(s)} {s}" for s in ("ok", "warn", "fail"))
    markup(f"\n{counts}; exit {exit_code}")
