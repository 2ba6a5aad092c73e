"""The report as Markdown (GitHub-flavoured tables). User text is escaped so it stays text."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from irbook.domain.describe import show_value
from irbook.domain.drills import BANNER
from irbook.domain.events import attributed
from irbook.report.answers import finding_table
from irbook.report.model import Metric, Report, StepOutcome, step_detail
from irbook.report.runs import earlier_note, last_run_text, output_heading

if TYPE_CHECKING:
    from irbook.report.stream import Context, Document, Render

Item = dict[str, Any]  # one entry of a streamed section (report/build.py makes them)

# Markdown punctuation, each escaped with a backslash. Most cells have none (times, names,
# kinds): a search finds that, and only the others are translated; several times faster than a
# regex substitution of every cell (a 100,000-event report has 700,000 of them).
_SPECIAL = re.compile(r"[\\`*_\[\]<>|~]")
_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})
_BACKTICKS = re.compile("`+")


def esc(text: object) -> str:
    """Inline-safe text: Markdown punctuation escaped, newlines folded (cells are one line)."""
    folded = str(text)
    # Folding changes nothing in a printable text (every whitespace character but the space is
    # unprintable) without two spaces in a row or one at either end: most cells; skip the split.
    if not (
        folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " "
    ):
        folded = " ".join(folded.split())
    return folded.translate(_ESCAPES) if _SPECIAL.search(folded) else folded


def when(value: datetime | None) -> str:
    if not value:
        return "—"
    if value.year >= 1000:  # isoformat is about three times faster than strftime
        return value.isoformat(" ", "seconds")[:19] + " UTC"
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _metric_cells(x: Metric) -> list[str]:
    return [
        esc(x.name),
        esc(x.milestone or "incident closed"),
        when(x.reached_at),
        x.from_detection.text if x.from_detection else "—",
        x.from_open.text if x.from_open else "—",
    ]


HEAD = True  # report/stream.py: the document starts with the report's head


def write_document(r: Report | None, doc: Document) -> None:
    assert r is not None  # HEAD: the stream builds the head for this format
    head = [f"# {esc(r.status_line)}", "", f"## {esc(r.title)}", "", esc(r.summary), ""]
    if r.drill:  # first, above everything: a rehearsal's report must never pass for a breach's
        head = [f"> **{esc(BANNER)}**", "", *head]
    head += (
        _overview(r)
        + _people(r)
        + _metrics(r)
        + _deadlines(r)
        + _phases(r)
        + _skips(r)
        + _decisions(r)
        + _corrections(r)
    )
    doc.text(_lines(head))
    _listed(doc, "notes", ["## Notes", ""], tail=[""])
    _tabled(doc, "evidence", "## Evidence", ["File", "sha256", "Bytes", "Description", "By", "At"])
    _listed(doc, "checks", ["## Checks", ""], tail=[])
    if doc.count("commands"):
        _tabled(doc, "commands", "## Commands run", ["Command", "Exit", "By", "At"])
    header = ["State", "Template", "Audience", "Subject", "To", "At", "sha256"]
    _tabled(doc, "notifications", "## Notifications", header)
    _tabled(doc, "followups", "## Follow-ups", ["Follow-up", "Owner", "Due", "Added by", "At"])
    doc.text(_lines(["## Timeline", "", *table(["#", "At", "By", "Kind", "What"], [])[:-1]]))
    doc.section("timeline")
    foot = (
        f"\nEvent-log head hash: `{r.head_hash}`; hash chain {_chain(r)} (check it with "
        f"`irbook verify {r.incident_id}`)."
    )
    doc.text(foot.rstrip() + "\n")


def _lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _listed(doc: Document, name: str, head: list[str], *, tail: list[str]) -> None:
    """A section of entries each formatted as lines: "None." when there is none."""
    doc.text(_lines(head))
    if doc.count(name):
        doc.section(name)
        doc.text(_lines(tail))
    else:
        doc.text(_lines(["None.", ""]))


def _tabled(doc: Document, name: str, title: str, header: list[str]) -> None:
    """A section holding one table row per entry: "None." when there is none."""
    if not doc.count(name):
        doc.text(_lines([title, "", "None.", ""]))
        return
    doc.text(_lines([title, "", *table(header, [])[:-1]]))
    doc.section(name)
    doc.text("\n")


def _overview(r: Report) -> list[str]:
    rows = [
        ["Status", esc(r.status)],
        ["Severity", esc(r.severity)],
        ["TLP", esc(r.tlp)],
        ["Runbook", f"{esc(r.runbook.id)} {esc(r.runbook.version)} ({esc(r.runbook.title)})"],
        ["Runbook sha256", f"`{r.runbook.sha256}`"],
        ["Opened", f"{when(r.opened_at)} by {esc(r.opened_by)}"],
        ["Detected", when(r.detected_at)],
        ["Closed", when(r.closed_at)],
        ["Events", str(r.event_count)],
        ["Head hash", f"`{r.head_hash}`"],
        ["Hash chain", _chain(r)],
    ]
    rows += [[f"Input `{i.id}`", esc(show_value(i.value))] for i in r.inputs]
    return ["## Overview", "", *table(["", ""], rows)]


def _chain(r: Report) -> str:
    return "intact" if r.chain_intact else f"**BROKEN**: {esc(r.chain_problem or '')}"


def _people(r: Report) -> list[str]:
    rows = [
        [
            esc(p.name),
            esc(", ".join(p.roles)) or "—",
            esc(", ".join(p.hosts)) or "—",
            str(p.events),
            when(p.first_at),
            when(p.last_at),
        ]
        for p in r.people
    ]
    roles = [[esc(a.role), esc(a.person) if a.person else "unassigned"] for a in r.roles]
    out = ["## People and roles", ""]
    out += table(["Person", "Roles", "Hosts", "Events", "First", "Last"], rows)
    return out + (table(["Role", "Person"], roles) if roles else [])


def _deadlines(r: Report) -> list[str]:
    if not r.deadlines:
        return []  # a runbook without deadlines: no section
    rows = [
        [esc(d.title), esc(d.status), when(d.due), when(d.met_at), esc(d.met_by), esc(d.regulation)]
        for d in r.deadlines
    ]
    header = ["Deadline", "Status", "Due", "Met", "Step", "Rule"]
    counts = f"{r.deadlines_met} met, {r.deadlines_missed} missed."
    return ["## Deadlines", "", counts, "", *table(header, rows)]


def _metrics(r: Report) -> list[str]:
    header = ["Metric", "Milestone", "Reached", "From detection", "From opening"]
    return ["## Metrics", "", *table(header, [_metric_cells(x) for x in r.metrics])]


def _phases(r: Report) -> list[str]:
    out = ["## Phases", ""]
    for n, p in enumerate(r.phases, 1):
        milestone = f" — milestone *{esc(p.milestone)}*" if p.milestone else ""
        out += [f"### {n}. {esc(p.title)}: {esc(p.outcome)}{milestone}", ""]
        rows = [
            [
                f"`{s.id}`" + (" (critical)" if s.critical else ""),
                esc(s.status),
                esc(s.actor or "—"),
                when(s.at),
                esc(step_detail(s, show_value) or last_run_text(s.last_run)) or "—",
            ]
            for s in p.steps
        ]
        out += table(["Step", "Status", "By", "At", "Answer / reason"], rows)
        for s in p.steps:  # under the table: a cell cannot hold a list or a code block
            out += _last_run(r, s)
    return out


def _last_run(r: Report, s: StepOutcome) -> list[str]:
    """A check's first findings as a list; the end of a command's output in a fenced block
    whose fence is longer than any run of backticks in the output, so no line can close it."""
    run = s.last_run
    if run is None:
        return []
    if run.kind == "check":
        if not run.findings:
            return []
        more = [f"- … and {run.more_findings} more under Checks"] if run.more_findings else []
        return [f"`{s.id}` found:", "", *(f"- {esc(f)}" for f in run.findings), *more, ""]
    out = [f"`{s.id}` output: {esc(output_heading(run))}", ""]
    if not run.output:
        return out
    note = earlier_note(run, r.incident_id)
    return out + ([esc(note), ""] if note else []) + fenced(run.output)


def fenced(lines: list[str]) -> list[str]:
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *lines, fence, ""]


def _skips(r: Report) -> list[str]:
    if not r.skips:
        return ["## Skipped steps", "", "None.", ""]
    rows = [
        [f"`{s.step_id}`", esc(s.phase_id), esc(s.reason), esc(s.actor), when(s.at), str(s.seq)]
        for s in r.skips
    ]
    return ["## Skipped steps", "", *table(["Step", "Phase", "Reason", "By", "At", "Event"], rows)]


def _decisions(r: Report) -> list[str]:
    """Only when there are some, so reports without these states read as they always did."""
    if not r.decisions:
        return []
    rows = [
        [
            f"`{d.step_id}`",
            esc(d.phase_id),
            esc(d.status),
            esc(d.reason + (f" (not ticked: {'; '.join(d.unticked)})" if d.unticked else "")),
            esc(d.actor),
            when(d.at),
            str(d.seq),
        ]
        for d in r.decisions
    ]
    header = ["Step", "Phase", "Decision", "Reason", "By", "At", "Event"]
    return ["## Not applicable, or done with exceptions", "", *table(header, rows)]


def _corrections(r: Report) -> list[str]:
    """Only when there are some: each corrected input with the value it replaced."""
    if not r.corrections:
        return []
    rows = [
        [
            f"`{c.input_id}`",
            esc(show_value(c.value)),
            esc(show_value(c.previous)),
            esc(c.actor),
            when(c.at),
            str(c.seq),
        ]
        for c in r.corrections
    ]
    header = ["Input", "Corrected to", "Old value", "By", "At", "Event"]
    return ["## Corrected inputs", "", *table(header, rows)]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _notes(items: list[Item], _: Context) -> str:
    out = []
    for n in items:
        step = f" on `{n['step_id']}`" if n["step_id"] else ""
        out.append(f"- **{when(n['at'])}**, {esc(n['actor'])}{step}: {esc(n['text'])}\n")
    return "".join(out)


def _evidence(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            [
                esc(e["path"]),
                f"`{e['sha256']}`",
                str(e["size"]),
                esc(e["description"]) or "—",
                esc(e["actor"]),
                when(e["at"]),
            ]
        )
        for e in items
    )


def _checks(items: list[Item], _: Context) -> str:
    out = []
    for c in items:
        verdict = "ok" if c["ok"] else "findings"
        lines = [
            f"### {esc(c['action'])} ({verdict}), {when(c['at'])} by {esc(c['actor'])}",
            "",
            esc(c["summary"]),
            "",
        ]
        lines += findings_table(c["findings"]) if c["findings"] else []
        out.append(_lines(lines))
    return "".join(out)


def findings_table(findings: list[dict[str, Any]]) -> list[str]:
    headers, rows, _ = finding_table(findings, show_value)
    return table([esc(h) for h in headers], [[esc(c) for c in row] for row in rows])


def _commands(items: list[Item], _: Context) -> str:
    return "".join(
        _row([esc(c["command"]), str(c["exit_code"]), esc(c["actor"]), when(c["at"])])
        for c in items
    )


def _notifications(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            [
                esc(n["state"]),
                esc(n["template"]),
                esc(n["audience"] or "—"),
                esc(n["subject"]),
                esc(", ".join(n["to"])) or "—",
                when(n["at"]),
                f"`{n['sha256'][:16]}`",
            ]
        )
        for n in items
    )


def _followups(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            [
                esc(f["text"]),
                esc(f["owner"] or "—"),
                esc(f["due"] or "—"),
                esc(f["actor"]),
                when(f["at"]),
            ]
        )
        for f in items
    )


def _timeline(items: list[Item], _: Context) -> str:
    return "".join(
        _row(
            [
                str(t["seq"]),
                when(t["at"]),
                esc(attributed(t["actor"], t["login"])),
                f"`{t['kind']}`",
                esc(t["summary"]),
            ]
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
    "timeline": _timeline,
}
