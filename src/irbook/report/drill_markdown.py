"""The drill report as Markdown: the DRILL banner first, the score with its formula, the tables."""

from __future__ import annotations

from irbook.report.drill_model import DrillReport, StepLine
from irbook.report.markdown import esc, table, when
from irbook.report.model import Duration


def _d(value: Duration | None) -> str:
    return value.text if value is not None else "—"


def to_markdown(r: DrillReport) -> str:
    scenario = f"{esc(r.scenario)} ({esc(r.scenario_title)})" if r.scenario else "none"
    lines = [
        f"> **{esc(r.banner)}**",
        "",
        f"# Drill report: {esc(r.drill_id)} ({esc(r.status)})",
        "",
        f"## {esc(r.title)}",
        "",
        f"- Runbook: {esc(r.runbook)} {esc(r.runbook_version)}",
        f"- Scenario: {scenario}",
        f"- Started: {when(r.started_at)}; judged at: {when(r.judged_at)}",
        "",
        "## Score",
        "",
    ]
    if r.score.value is None:
        lines.append(
            "No score: the scenario sets no targets and no deadline of the runbook applies."
        )
    else:
        lines.append(f"**{r.score.value}/100** ({r.score.met} of {r.score.scored} met)")
    lines += ["", f"Formula: {esc(r.score.formula)}.", ""]
    lines += _milestones(r) + _deadlines(r) + _injects(r) + _steps(r) + _comparison(r)
    return "\n".join(lines).rstrip() + "\n"


def _milestones(r: DrillReport) -> list[str]:
    if not r.milestones:
        return ["## Milestones", "", "The runbook names no milestones.", ""]
    rows = [
        [
            esc(m.name) + ("" if m.in_runbook else " (not a milestone of this runbook)"),
            when(m.reached_at),
            _d(m.elapsed),
            _d(m.target),
            esc(m.result or "—"),
        ]
        for m in r.milestones
    ]
    header = ["milestone", "reached", "from the start", "target", "result"]
    return ["## Milestones", "", *table(header, rows)]


def _deadlines(r: DrillReport) -> list[str]:
    if not r.deadlines:
        return ["## Deadlines", "", "No deadline of the runbook applies to this drill.", ""]
    rows = [
        [esc(d.title), esc(d.regulation), when(d.due), esc(d.status), when(d.met_at)]
        for d in r.deadlines
    ]
    return ["## Deadlines", "", *table(["deadline", "rule", "due", "status", "met at"], rows)]


def _injects(r: DrillReport) -> list[str]:
    if not r.injects:
        return []
    rows = []
    for i in r.injects:
        answer = f"{esc(i.response.step)} after {i.response.after.text}" if i.response else "—"
        delivered = when(i.delivered_at) + (f" ({esc(i.delivered_by)})" if i.delivered_by else "")
        rows.append([esc(i.title), esc(i.trigger), delivered, answer])
    header = ["inject", "trigger", "delivered", "next settled step"]
    return ["## Injects", "", *table(header, rows)]


def _step_rows(steps: list[StepLine], *, waiting: bool = False) -> list[list[str]]:
    if waiting:
        return [[esc(s.step), esc(s.phase), esc(s.waiting_on or "—"), when(s.due)] for s in steps]
    return [[esc(s.step), esc(s.phase), esc(s.reason or "—"), esc(s.actor or "—")] for s in steps]


def _steps(r: DrillReport) -> list[str]:
    out = ["## Steps left aside", ""]
    groups = (
        ("Skipped", r.skipped, ["step", "phase", "reason", "by"]),
        ("Not applicable", r.not_applicable, ["step", "phase", "reason", "by"]),
        ("Still open", r.open_steps, ["step", "phase", "reason", "by"]),
    )
    for title, steps, header in groups:
        out += [f"### {title}", ""]
        out += table(header, _step_rows(steps)) if steps else ["None.", ""]
    out += ["### Waiting", ""]
    if r.waiting:
        out += table(["step", "phase", "waiting on", "due"], _step_rows(r.waiting, waiting=True))
    else:
        out += ["None.", ""]
    return out


def _comparison(r: DrillReport) -> list[str]:
    out = ["## Earlier drills of this runbook", ""]
    if len(r.comparison) == 1:
        return [*out, "First drill of this runbook in this database.", ""]
    names = list(r.comparison[-1].milestones)
    header = ["drill", "date", "scenario", *names, "score"]
    rows = [
        [
            esc(c.drill_id) + (" (this one)" if c.this else ""),
            c.opened_at.strftime("%Y-%m-%d") if c.opened_at else "—",
            esc(c.scenario or "—"),
            *[_d(c.milestones.get(n)) for n in names],
            "—" if c.score is None else str(c.score),
        ]
        for c in r.comparison
    ]
    if r.earlier_not_shown:
        out += [f"{r.earlier_not_shown} older drills are not shown.", ""]
    return [*out, *table(header, rows)]
