"""Rendering of incident status and the incident list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from irbook.console import escape, markup, print_json, stdout
from irbook.domain.eventlog import attributed

if TYPE_CHECKING:
    from irbook.usecases.status import IncidentList

_STATUS_STYLE = {
    "done": "green",
    "done with exceptions": "yellow",
    "skipped": "yellow",
    "pending": "white",
    "not applicable": "dim",
    "waiting": "magenta",
}
_STATUS_MARK = {
    "done": "✓",
    "done with exceptions": "≈",
    "skipped": "↷",
    "pending": "·",
    "not applicable": "–",
    "waiting": "⧗",
}


def progress_text(p: dict[str, Any]) -> str:
    """ "12/40 steps settled (1 done with exceptions, 2 skipped) · 6 not applicable"."""
    parts = [f"{p['with_exceptions']} done with exceptions"] if p.get("with_exceptions") else []
    parts += [f"{p['skipped']} skipped"] if p.get("skipped") else []
    text = f"{p['settled']}/{p['total']} steps settled" + (
        f" ({', '.join(parts)})" if parts else ""
    )
    text += f" · {p['waiting']} waiting" if p.get("waiting") else ""
    return text + (f" · {p['not_applicable']} not applicable" if p.get("not_applicable") else "")


def waiting_lines(waiting: list[dict[str, Any]]) -> list[str]:
    """Rich markup lines for steps waiting on someone (shared by `status`, `watch`, --overdue)."""
    from irbook.usecases.status import age_text

    out = []
    for w in waiting:
        due = f", due {w['due'][:16].replace('T', ' ')} UTC" if w["due"] else ""
        late = "[bold red]OVERDUE[/] " if w["overdue"] else ""
        crit = " !" if w["critical"] else ""
        out.append(
            f"    {late}{escape(w['step'])}{crit} waiting on {escape(w['on'] or '')}{escape(due)} "
            f"[dim](for {age_text(w['age_seconds'])}, set by {escape(w['by'] or '')})[/]"
        )
    return out


def overdue(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    """`irbook status --overdue`: overdue waiting steps, one a line, with their incident."""
    if as_json:
        print_json(rows)
        return
    if not rows:
        markup("no overdue waiting steps")
        return
    for incident in dict.fromkeys(r["incident"] for r in rows):
        markup(f"[bold]{escape(incident)}[/]:")
        for line in waiting_lines([r for r in rows if r["incident"] == incident]):
            markup(line)


def status(view: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print_json(view)
        return
    p = view["progress"]
    if view.get("drill"):
        drill_banner()
    markup(f"[bold]{escape(view['incident'])}[/]: {escape(view['title'])}")
    markup(
        f"  {escape(view['severity'])} · TLP:{escape(view['tlp'])} · [bold]{escape(view['status'])}"
        f"[/] · {escape(view['runbook'])} {escape(view['runbook_version'])} · opened "
        f"{escape(view['opened_at'] or '')} by {escape(view['opened_by'])}"
    )
    markup(f"  {progress_text(p)} · {view['events']} events · head {view['head_hash'][:16]}")
    if view["roles"]:
        holders = ", ".join(f"{r}: {who}" for r, who in sorted(view["roles"].items()))
        markup(f"  roles: {escape(holders)}")
    reached = [f"{name} {at[:16] if at else '—'}" for name, at in view["milestones"].items()]
    if reached:
        markup(f"  milestones: {escape(' · '.join(reached))}")
    for line in deadline_lines(view.get("deadlines", [])):
        markup(line)
    if view.get("waiting"):
        markup("  waiting:")
        for line in waiting_lines(view["waiting"]):
            markup(line)
    for n, phase in enumerate(view["phases"], 1):
        mark = "[green]✓[/]" if phase["settled"] else " "
        markup(f"\n{mark} [bold cyan]{n}. {escape(phase['title'])}[/]")
        for step in phase["steps"]:
            style = _STATUS_STYLE.get(step["status"], "white")
            by = attributed(step["actor"], step["login"]) if step["actor"] else ""
            who = f"  {by} {step['at'][11:16]}" if by and step["at"] else ""
            why = f"  ({step['reason']})" if step["reason"] else ""
            if step.get("waiting_on"):
                why = f"  (waiting on {step['waiting_on']})"
            if step.get("unticked"):
                why = f"  (not ticked: {'; '.join(step['unticked'])}: {step['reason']})"
            crit = " !" if step["critical"] else ""
            nxt = "  ← next" if step["id"] == view["next_step"] else ""
            stdout().print(
                f"   {_STATUS_MARK.get(step['status'], '?')} {step['id']}{crit}{who}{why}{nxt}",
                markup=False,
                style=style,
            )
    stdout().print()
    stdout().print(legend(), markup=False, style="dim")


def legend() -> str:
    """What the marks of `status` mean (the JSON needs none: it names every status)."""
    marks = " · ".join(f"{mark} {name}" for name, mark in _STATUS_MARK.items())
    return (
        f"legend: {marks} · ✓ before a phase: every step settled · ! critical (cannot be "
        "skipped) · ← next: the next step to answer"
    )


_DEADLINE_STYLE = {"met": "green", "missed": "bold red", "skipped": "yellow", "open": "white"}


def deadline_lines(deadlines: list[dict[str, Any]]) -> list[str]:
    """Rich markup lines for the deadline clocks (shared by `status` and `watch`)."""
    if not deadlines:
        return []
    out = ["  deadlines (from detection):"]
    for d in deadlines:
        style = _DEADLINE_STYLE.get(d["status"], "white")
        due = (d["due"] or "clock not started")[:16].replace("T", " ")
        met = f", done {d['met_at'][:16].replace('T', ' ')}" if d["met_at"] else ""
        out.append(
            f"    [{style}]{escape(d['status'])}[/] {escape(d['title'])}: due "
            f"{escape(due)} UTC{escape(met)} [dim]({escape(d['regulation'])}; "
            f"step {escape(d['met_by'])})[/]"
        )
    return out


def drill_banner() -> None:
    """The line above a drill's screens (status, watch, the walker): it is a rehearsal."""
    from irbook.domain.drills import BANNER

    stdout().print(BANNER, markup=False, style="bold black on yellow")


def incident_list(listed: IncidentList, *, as_json: bool, where: str) -> None:
    if as_json:
        print_json(listed.rows)
        return
    if listed.rows:
        _incident_table(listed.rows)
    else:
        stdout().print(f"no {'drills' if listed.drills else 'incidents'} in {where}", markup=False)
    if listed.drills_left_out:
        n = listed.drills_left_out
        stdout().print(f"{n} drill{'s' if n > 1 else ''}: irbook list --drills", markup=False)


def _incident_table(rows: list[dict[str, Any]]) -> None:
    from irbook.console.layout import table

    # Abandoned incidents (mistakes, duplicates) are kept but listed apart, after the real ones
    kept = [r for r in rows if r["status"] != "abandoned"]
    abandoned = [r for r in rows if r["status"] == "abandoned"]
    for group, title in ((kept, None), (abandoned, "abandoned (mistaken or duplicate)")):
        if not group:
            continue
        if title is not None:
            if kept:
                stdout().print()
            stdout().print(title, markup=False, style="bold")
        table(
            ("id", "status", "sev", "title", "runbook", "opened"),
            [
                [
                    row["id"],
                    row["status"],
                    row["severity"],
                    row["title"],
                    row["runbook"],
                    (row["opened_at"] or "")[:16].replace("T", " "),
                ]
                for row in group
            ],
        )
