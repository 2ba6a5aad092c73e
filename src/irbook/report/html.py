"""The report as ONE self-contained HTML file: inline CSS and SVG, no script, nothing fetched.

Every piece of user text (titles, notes, answers, file names...) goes through ``esc`` so a note
like ``<script>`` stays text. The page prints cleanly (``@media print`` in ``style.CSS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from irbook.domain.describe import show_value
from irbook.domain.drills import BANNER
from irbook.domain.events import attributed
from irbook.report.answers import finding_table
from irbook.report.model import LastRun, Metric, Report, StepOutcome, step_detail
from irbook.report.runs import command_run, earlier_note, last_run_text, output_heading
from irbook.report.style import CSS
from irbook.report.svg import COLORS, timeline_svg

if TYPE_CHECKING:
    from irbook.report.stream import Context, Document, Render

Item = dict[str, Any]  # one entry of a streamed section (report/build.py makes them)

_STATUS_CLASS = {"in progress": "st-open", "completed": "st-done"}
_STEP_CLASS = {
    "done": "s-done",
    "done with exceptions": "s-skipped",
    "skipped": "s-skipped",
    "pending": "s-pending",
    "waiting": "s-pending",
}


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def when(value: datetime | None) -> str:
    if not value:
        return "—"
    if value.year >= 1000:  # isoformat is about three times faster than strftime
        return value.isoformat(" ", "seconds")[:19]
    return value.strftime("%Y-%m-%d %H:%M:%S")


def table(header: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "") -> str:
    """A table from already-escaped cells. Each cell carries its column's name (``data-label``)
    so a narrow screen can show rows as stacked cards, each value under its name."""
    names = list(header)
    head = "".join(f"<th>{h}</th>" for h in names)
    body = "\n".join(
        "<tr>"
        + "".join(f'<td data-label="{h}">{c}</td>' for h, c in zip(names, row, strict=True))
        + "</tr>"
        for row in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def section(title: str, body: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{title}</h2>\n{body}\n</section>'


def none_or(items: list[Any], body: str) -> str:
    return body if items else '<p class="muted">None.</p>'


HEAD = True  # report/stream.py: the document starts with the report's head


def write_document(r: Report | None, doc: Document) -> None:
    assert r is not None  # HEAD: the stream builds the head for this format
    parts = [
        _header(r),
        _metrics(r),
        _deadlines(r),
        _timeline(r, doc.last_at),
        _phases(r),
        _skips(r),
        _decisions(r),
        _corrections(r),
        _people(r),
    ]
    doc.text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{'DRILL: ' if r.drill else ''}{esc(r.incident_id)}: {esc(r.title)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n" + "\n".join(p for p in parts if p) + "\n"
    )
    _streamed(doc, "Notes", "notes", ["notes"])
    _streamed(doc, "Evidence", "evidence", ["evidence"], _EVIDENCE)
    _streamed(doc, "Checks and commands", "checks", ["checks", "commands"])
    _streamed(doc, "Notifications", "notifications", ["notifications"], _NOTIFICATIONS)
    _streamed(doc, "Follow-ups", "followups", ["followups"], _FOLLOWUPS)
    _streamed(doc, "Event log", "events", ["timeline"], _EVENTS, always=True)
    doc.text(_footer(r) + "\n</main>\n</body>\n</html>\n")


def _streamed(
    doc: Document,
    title: str,
    anchor: str,
    names: list[str],
    header: list[str] | None = None,
    *,
    always: bool = False,
) -> None:
    """A section of streamed entries (each formatted with its newline): a table when there is
    a ``header``, "None." when there is no entry (unless ``always``: an empty table)."""
    count = sum(doc.count(n) for n in names)
    if not count and not always:
        doc.text(section(title, none_or([], ""), anchor) + "\n")
        return
    open_, close = section(title, "\0", anchor).split("\0")
    if header is not None:  # the rows go between <tbody> and </tbody>
        top, bottom = table(header, [], cls="").split("\n\n")
        open_, close = f"{open_}{top}\n", f"{'' if count else chr(10)}{bottom}{close}"
    else:  # each entry ends with the newline that comes before </section>
        close = close.removeprefix("\n")
    doc.text(open_)
    for name in names:
        doc.section(name)
    doc.text(close + "\n")


def _header(r: Report) -> str:
    status_cls = _STATUS_CLASS.get(r.status, "st-exc")
    facts = [
        (
            "Runbook",
            f"{esc(r.runbook.title)} <code>{esc(r.runbook.id)} {esc(r.runbook.version)}</code>",
        ),
        ("Runbook sha256", f'<span class="hash">{esc(r.runbook.sha256)}</span>'),
        ("Hash chain", _chain(r)),
        ("Opened", f"{when(r.opened_at)} UTC by {esc(r.opened_by)}"),
        ("Detected", f"{when(r.detected_at)} UTC" if r.detected_at else "—"),
        ("Closed", f"{when(r.closed_at)} UTC" if r.closed_at else "— (in progress)"),
    ]
    facts += [(f"Input: {esc(i.id)}", esc(show_value(i.value))) for i in r.inputs]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    banner = f'<p class="drill-banner">{esc(BANNER)}</p>\n' if r.drill else ""
    return (
        f'<header class="top">\n{banner}<p class="statusline">{esc(r.status_line)}</p>\n'
        f"<h1>{esc(r.title)}</h1>\n"
        f'<div class="badges"><span class="badge {status_cls}">{esc(r.status)}</span>'
        f'<span class="badge sev">{esc(r.severity)}</span>'
        f'<span class="badge tlp tlp-{esc(r.tlp)}">TLP:{esc(r.tlp)}</span>'
        f'<span class="badge">{esc(r.incident_id)}</span></div>\n'
        f'<p class="summary">{esc(r.summary)}</p>\n<dl class="facts">{dl}</dl>\n</header>'
    )


def _chain(r: Report) -> str:
    if r.chain_intact:
        return f'intact, head <span class="hash">{esc(r.head_hash)}</span>'
    return f'<strong class="broken">BROKEN</strong>: {esc(r.chain_problem or "")}'


def _metric_card(x: Metric) -> str:
    """The headline counts from detection when the detection time is known (that is what a
    regulator or a customer asks about); the time from opening is the second figure."""
    if x.from_detection is not None:
        value = x.from_detection.text
        sub = "from detection; " + (
            f"{x.from_open.text} from opening" if x.from_open else "not opened"
        )
    else:
        value = x.from_open.text if x.from_open else "not reached"
        sub = "from opening (detection time not given)" if x.from_open else ""
    reached = f"at {when(x.reached_at)} UTC" if x.reached_at else ""
    return (
        f'<div class="metric"><div class="name">{esc(x.name)}</div>'
        f'<div class="value">{esc(value)}</div><div class="sub">{esc(sub)}</div>'
        f'<div class="sub">{esc(reached)}</div></div>'
    )


def _metrics(r: Report) -> str:
    cards = "".join(_metric_card(x) for x in r.metrics)
    return section("Metrics", f'<div class="metrics">{cards}</div>', "metrics")


def _deadlines(r: Report) -> str:
    if not r.deadlines:
        return ""  # a runbook without deadlines: no section
    rows = [
        [
            esc(d.title),
            f"<strong>{esc(d.status)}</strong>",
            when(d.due) if d.due else "—",
            when(d.met_at) if d.met_at else "—",
            f"<code>{esc(d.met_by)}</code>",
            esc(d.regulation),
        ]
        for d in r.deadlines
    ]
    counts = f"<p>{r.deadlines_met} met, {r.deadlines_missed} missed.</p>"
    body = table(["Deadline", "Status", "Due (UTC)", "Met (UTC)", "Step", "Rule"], rows)
    return section("Deadlines", counts + body, "deadlines")


def _timeline(r: Report, last_at: datetime | None) -> str:
    svg = timeline_svg(r, last_at)
    legend = "".join(
        f'<span><i style="background:{c}"></i>{esc(k)}</span>'
        for k, c in COLORS.items()
        if k != "not applicable"
    )
    steps = _vertical_timeline(r)
    return section("Timeline", f'{svg}\n<div class="legend">{legend}</div>\n{steps}', "timeline")


def _vertical_timeline(r: Report) -> str:
    """The timeline as a list, shown instead of the SVG on a narrow screen (where the drawing's
    text would be a few pixels high): each phase with its outcome and times, then milestones."""
    items = []
    for p in r.phases:
        times = f"started {when(p.started_at)}" if p.started_at else "not started"
        if p.settled_at:
            times += f", settled {when(p.settled_at)}"
        items.append(
            f"<li><strong>{esc(p.title)}</strong> <span>{esc(p.outcome)}</span>"
            f'<div class="muted">{times} UTC</div></li>'
        )
    for x in r.metrics:
        if x.milestone and x.reached_at:
            items.append(
                f'<li class="milestone"><strong>{esc(x.name)}</strong>'
                f'<div class="muted">reached {when(x.reached_at)} UTC</div></li>'
            )
    return f'<ol class="vtimeline">{"".join(items)}</ol>' if items else ""


def _phases(r: Report) -> str:
    out = []
    for n, p in enumerate(r.phases, 1):
        milestone = f" · milestone <em>{esc(p.milestone)}</em>" if p.milestone else ""
        out.append(
            f'<h3>{n}. {esc(p.title)} <span class="outcome">— {esc(p.outcome)}'
            f"{milestone}</span></h3>"
        )
        rows = []
        for s in p.steps:
            crit = ' <span class="crit">critical</span>' if s.critical else ""
            label = f"<br>{esc(s.title)}" if s.title != s.id else ""
            rows.append(
                [
                    f"<code>{esc(s.id)}</code>{crit}{label}",
                    f'<span class="{_STEP_CLASS.get(s.status, "s-na")}">{esc(s.status)}</span>',
                    esc(s.actor or "—"),
                    when(s.at),
                    _step_cell(r, s),
                ]
            )
        out.append(table(["Step", "Status", "By", "At (UTC)", "Answer / reason"], rows, "steps"))
    return section("Phases", "\n".join(out), "phases")


def _step_cell(r: Report, s: StepOutcome) -> str:
    """The answer or reason; for a check, its first findings; for a command, the end of its
    last run's output in a closed ``<details>`` (the print stylesheet opens it)."""
    run = s.last_run
    cell = esc(step_detail(s, show_value) or last_run_text(run) or "—")
    if run is not None and run.findings:
        items = "".join(f"<li>{esc(line)}</li>" for line in run.findings)
        if run.more_findings:
            more = f"… and {run.more_findings} more under Checks and commands"
            items += f'<li class="muted">{more}</li>'
        cell += f'<ul class="found">{items}</ul>'
    if run is not None and run.kind == "command":
        cell += output_block(r.incident_id, run)
    return cell


def output_block(incident_id: str, run: LastRun) -> str:
    """A command's output, bounded and redacted again (``runs.command_run``), escaped line by
    line: output such as ``</pre></details><script>`` stays text inside the block."""
    heading = f"Output: {output_heading(run)}"
    if not run.output:
        return f'<p class="muted">{esc(heading)}</p>'
    note = earlier_note(run, incident_id)
    before = f'<p class="muted">{esc(note)}</p>' if note else ""
    text = "\n".join(esc(line) for line in run.output)
    return (
        f'<details class="output"><summary>{esc(heading)}</summary>{before}'
        # the newline after <pre> is dropped by every HTML parser: an output's own first blank
        # line survives
        f'<pre class="output">\n{text}</pre></details>'
    )


def _decisions(r: Report) -> str:
    """Only when there are some, so reports without these states read as they always did."""
    if not r.decisions:
        return ""
    rows = [
        [
            f"<code>{esc(d.step_id)}</code>",
            esc(d.phase_id),
            esc(d.status),
            esc(d.reason + (f" (not ticked: {'; '.join(d.unticked)})" if d.unticked else "")),
            esc(d.actor),
            when(d.at),
            str(d.seq),
        ]
        for d in r.decisions
    ]
    body = table(["Step", "Phase", "Decision", "Reason", "By", "At (UTC)", "Event"], rows)
    return section("Not applicable, or done with exceptions", body, "decisions")


def _corrections(r: Report) -> str:
    """Only when there are some: each corrected input with the value it replaced."""
    if not r.corrections:
        return ""
    rows = [
        [
            f"<code>{esc(c.input_id)}</code>",
            esc(show_value(c.value)),
            esc(show_value(c.previous)),
            esc(c.actor),
            when(c.at),
            str(c.seq),
        ]
        for c in r.corrections
    ]
    body = table(["Input", "Corrected to", "Old value", "By", "At (UTC)", "Event"], rows)
    return section("Corrected inputs", body, "corrections")


def _skips(r: Report) -> str:
    rows = [
        [
            f"<code>{esc(s.step_id)}</code>",
            esc(s.phase_id),
            esc(s.reason),
            esc(s.actor),
            when(s.at),
            str(s.seq),
        ]
        for s in r.skips
    ]
    body = table(["Step", "Phase", "Reason", "By", "At (UTC)", "Event"], rows)
    return section("Skipped steps", none_or(r.skips, body), "skips")


def _people(r: Report) -> str:
    rows = [
        [
            esc(p.name),
            esc(", ".join(p.roles) or "—"),
            esc(", ".join(p.hosts) or "—"),
            str(p.events),
            when(p.first_at),
            when(p.last_at),
        ]
        for p in r.people
    ]
    body = table(["Person", "Roles", "Hosts", "Events", "First (UTC)", "Last (UTC)"], rows)
    if r.roles:
        body += table(
            ["Role", "Person"], [[esc(a.role), esc(a.person or "unassigned")] for a in r.roles]
        )
    return section("People and roles", body, "people")


def _notes(items: list[Item], _: Context) -> str:
    return "".join(
        f'<div class="note"><div class="meta">{when(n["at"])} UTC · {esc(n["actor"])}'
        f"{' · ' + esc(n['step_id']) if n['step_id'] else ''}</div>{esc(n['text'])}</div>\n"
        for n in items
    )


def _row(header: list[str], cells: list[str]) -> str:
    return (
        "<tr>"
        + "".join(f'<td data-label="{h}">{c}</td>' for h, c in zip(header, cells, strict=True))
        + "</tr>\n"
    )


_EVIDENCE = ["File", "sha256", "Bytes", "Description", "By", "At (UTC)"]


def _evidence(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            _EVIDENCE,
            [
                esc(e["path"]),
                f'<span class="hash">{esc(e["sha256"])}</span>',
                str(e["size"]),
                esc(e["description"] or "—"),
                esc(e["actor"]),
                when(e["at"]),
            ],
        )
        for e in items
    )


def path_cell(path: str) -> str:
    """A path that may break after each ``/`` and nowhere else (``<wbr>``), in monospace."""
    return '<span class="path">' + "/<wbr>".join(esc(p) for p in path.split("/")) + "</span>"


def _findings(findings: list[dict[str, Any]]) -> str:
    headers, rows, path = finding_table(findings, show_value)
    cells = [[path_cell(c) if n == path else esc(c) for n, c in enumerate(row)] for row in rows]
    return table([esc(h) for h in headers], cells, "findings")


def _checks(items: list[Item], _: Context) -> str:
    out = []
    for c in items:
        verdict = "ok" if c["ok"] else f"{len(c['findings'])} finding(s)"
        out.append(
            f'<h3>{esc(c["action"])} <span class="outcome">— {esc(verdict)}, '
            f"{when(c['at'])} UTC by {esc(c['actor'])}</span></h3><p>{esc(c['summary'])}</p>\n"
        )
        if c["findings"]:
            out.append(_findings(c["findings"]) + "\n")
    return "".join(out)


def _commands(items: list[Item], incident: Context) -> str:
    return "".join(
        f'<h3>Command <code>{esc(cmd["command"])}</code> <span class="outcome">— exit '
        f"{cmd['exit_code']}, {when(cmd['at'])} UTC by {esc(cmd['actor'])}</span></h3>"
        + output_block(
            incident.incident_id,
            command_run(
                cmd["seq"],
                command=cmd["command"],
                exit_code=cmd["exit_code"],
                output=cmd["output"],
                truncated=cmd["truncated"],
                checked=True,  # the entry was checked before formatting (report/stream.py)
            ),
        )
        + "\n"
        for cmd in items
    )


_NOTIFICATIONS = ["State", "Template", "Audience", "Subject", "To", "At (UTC)", "sha256"]


def _notifications(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            _NOTIFICATIONS,
            [
                esc(n["state"]),
                esc(n["template"]),
                esc(n["audience"] or "—"),
                esc(n["subject"]),
                esc(", ".join(n["to"]) or "—"),
                when(n["at"]),
                f'<span class="hash">{esc(n["sha256"])}</span>',
            ],
        )
        for n in items
    )


_FOLLOWUPS = ["Follow-up", "Owner", "Due", "Added by", "At (UTC)"]


def _followups(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            _FOLLOWUPS,
            [
                esc(f["text"]),
                esc(f["owner"] or "—"),
                esc(f["due"] or "—"),
                esc(f["actor"]),
                when(f["at"]),
            ],
        )
        for f in items
    )


_EVENTS = ["#", "At (UTC)", "By", "Kind", "What"]


def _events(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            _EVENTS,
            [
                str(t["seq"]),
                when(t["at"]),
                esc(attributed(t["actor"], t["login"])),
                esc(t["kind"]),
                esc(t["summary"]),
            ],
        )
        for t in items
    )


RENDER: dict[str, Render] = {
    "notes": _notes,
    "evidence": _evidence,
    "checks": _checks,
    "commands": _commands,
    "notifications": _notifications,
    "followups": _followups,
    "timeline": _events,
}


def _footer(r: Report) -> str:
    return (
        f"<footer>{r.event_count} events. Hash chain {_chain(r)}; check the record with "
        f"<code>irbook verify {esc(r.incident_id)}</code>.</footer>"
    )
