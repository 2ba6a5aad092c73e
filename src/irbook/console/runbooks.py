"""Rendering of the runbook catalog, outlines and validation results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbook.console import escape, markup, print_json, stdout, success

if TYPE_CHECKING:
    from irbook.loader.catalog import CatalogEntry, ScenarioEntry, ValidationResult
    from irbook.loader.lint import LintResult
    from irbook.loader.load import LoadedRunbook


def catalog(entries: Sequence[CatalogEntry], *, as_json: bool) -> None:
    rows: list[dict[str, Any]] = []
    for e in entries:
        row: dict[str, Any] = {"name": e.name, "path": e.path, "valid": e.loaded is not None}
        if e.loaded:
            rb = e.loaded.runbook
            row |= {
                "id": rb.id,
                "version": rb.version,
                "title": rb.title,
                "phases": len(rb.phases),
                "steps": len(rb.steps()),
            }
        else:
            row["problems"] = [str(p) for p in e.problems]
        rows.append(row)
    if as_json:
        print_json(rows)
        return
    from irbook.console.layout import table

    lines = [
        [row["name"], row["version"], row["title"], str(row["phases"]), str(row["steps"])]
        if row["valid"]
        else [row["name"], "-", f"invalid: {len(row['problems'])} problem(s)", "", ""]
        for row in rows
    ]
    table(("name", "version", "title", "phases", "steps"), lines)


def scenarios(entries: Sequence[ScenarioEntry], *, as_json: bool) -> None:
    """`irbook drill scenarios`: one row a scenario, an invalid one with its problems."""
    rows: list[dict[str, Any]] = []
    for e in entries:
        row: dict[str, Any] = {"name": e.name, "path": e.path, "valid": e.loaded is not None}
        if e.loaded:
            sc = e.loaded.scenario
            row |= {
                "id": sc.id,
                "runbook": sc.runbook,
                "title": sc.title,
                "inputs": len(sc.inputs),
                "injects": len(sc.injects),
                "targets": dict(sc.targets),
            }
        else:
            row["problems"] = list(e.problems)
        rows.append(row)
    if as_json:
        print_json(rows)
        return
    if not rows:
        markup("no scenarios found (shipped ones are in runbooks/scenarios/; see docs/drills.md)")
        return
    from irbook.console.layout import table

    lines = [
        [r["name"], r["runbook"], r["title"], str(r["injects"]), str(len(r["targets"]))]
        if r["valid"]
        else [r["name"], "-", f"invalid: {'; '.join(r['problems'])}", "", ""]
        for r in rows
    ]
    table(("name", "runbook", "title", "injects", "targets"), lines)


def outline(loaded: LoadedRunbook, *, as_json: bool) -> None:
    rb = loaded.runbook
    if as_json:
        print_json(rb.model_dump(mode="json", by_alias=True, exclude_none=True))
        return
    markup(f"[bold]{escape(rb.title)}[/]  ({escape(rb.id)} {escape(rb.version)}, TLP:{rb.tlp})")
    if rb.summary:
        stdout().print(rb.summary.strip(), markup=False)
    if rb.inputs:
        markup("\n[bold]Inputs[/]")
        for item in rb.inputs:
            choices = f" [{' | '.join(item.choices)}]" if item.choices else ""
            markup(f"  - {escape(item.id)} ({item.type}{escape(choices)}): {escape(item.prompt)}")
    for n, phase in enumerate(rb.phases, 1):
        milestone = f"  [magenta]milestone: {escape(phase.milestone)}[/]" if phase.milestone else ""
        markup(f"\n[bold cyan]{n}. {escape(phase.title)}[/] ({escape(phase.id)}){milestone}")
        for step in phase.steps:
            flags = []
            if step.critical:
                flags.append("critical")
            if not step.not_applicable:
                flags.append("always applies")
            if step.role:
                flags.append(f"role: {step.role}")
            if step.when:
                flags.append(f"when: {step.when}")
            if step.needs:
                flags.append(f"needs: {', '.join(step.needs)}")
            if step.revokes:
                flags.append(f"revokes: {', '.join(step.revokes)}")
            if step.provides:
                flags.append(f"provides: {', '.join(step.provides)}")
            extra = f"  [dim]{escape('; '.join(flags))}[/]" if flags else ""
            markup(
                f"   - {escape(f'[{step.type}]')} {escape(step.id)}: {escape(step.label)}{extra}"
            )


def validation(results: Sequence[ValidationResult], *, as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {"path": r.path, "ok": r.ok, "problems": [str(p) for p in r.problems]}
                for r in results
            ]
        )
        return
    for r in results:
        if r.ok:
            success(f"OK {r.path}")
        for problem in r.problems:
            stdout().print(str(problem), markup=False, style="red")


def lint(results: Sequence[LintResult], *, as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {
                    "path": r.path,
                    "valid": r.valid,
                    "problems": [str(p) for p in r.problems],
                    "findings": [
                        {
                            "rule": f.rule,
                            "name": f.name,
                            "line": f.line,
                            "column": f.column,
                            "message": f.message,
                        }
                        for f in r.findings
                    ],
                }
                for r in results
            ]
        )
        return
    for r in results:
        for problem in r.problems:
            stdout().print(f"{problem} (invalid runbook: not linted)", markup=False, style="red")
        for finding in r.findings:
            stdout().print(str(finding), markup=False, style="yellow")
        if r.valid and not r.findings:
            success(f"OK {r.path}")


def schema_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def schema(text: str, output: Path | None) -> None:
    """The schema on stdout, or the line saying the caller wrote it to ``output``."""
    if output is None:
        stdout().file.write(text)
    else:
        success(f"wrote {output}")
