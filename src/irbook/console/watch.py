"""`irbook watch`: a live view of an incident several responders are working on.

In a terminal the frame is redrawn in place (rich Live) every interval, its tables wrapping to
the terminal and never cropping; when stdout is not a terminal (piped into a file or a chat
bridge) a new frame is printed only when something changed, in the plain layout (aligned
columns, one row a line, never wrapped), so the output stays readable. ``--once`` prints one
frame and returns.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from irbook.console import escape, markup, stdout
from irbook.domain.events import attributed

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from irbook.usecases.team import PhaseLine, Watcher, WatchFrame

BAR_WIDTH = 20


def _bar(line: PhaseLine) -> str:
    # Narrower on a narrow terminal: a bar folded onto two lines reads as two bars (and rich's
    # min_width, the other way to keep it whole, crops the cells beside it).
    width = max(5, min(BAR_WIDTH, stdout().width // 6))
    filled = round(width * line.settled / line.applicable) if line.applicable else width
    colour = "green" if line.settled == line.applicable else "yellow"
    return f"[{colour}]{'█' * filled}[/][dim]{'░' * (width - filled)}[/]"


def render(frame: WatchFrame) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    from irbook.console.layout import grid
    from irbook.console.team import roles_table

    header = Text.from_markup(
        f"[bold]{escape(frame.incident_id)}[/]  {escape(frame.title)}  "
        f"[bold]{escape(frame.severity)}[/]  {escape(frame.status)}  "
        f"[dim]{frame.last_seq} events[/]"
    )
    phases = grid("phase", "progress", "", "done", "skipped", "n/a", "milestone")
    for line, cells in zip(frame.phases, _phase_cells(frame), strict=True):
        phases.add_row(escape(cells[0]), _bar(line), *map(escape, cells[1:]))
    latest = grid(*LATEST)
    for cells in _latest_cells(frame):
        latest.add_row(*map(escape, cells))
    parts: list[RenderableType] = [header, Text(), phases, Text()]
    if frame.drill:
        from irbook.domain.drills import BANNER

        parts.insert(0, Text(BANNER, style="bold black on yellow"))
    if frame.deadlines:
        from irbook.console.incident import deadline_lines

        parts += [Text.from_markup(line) for line in deadline_lines(frame.deadlines)]
        parts.append(Text())
    if frame.waiting:
        from irbook.console.incident import waiting_lines

        parts.append(Text("Waiting", style="bold"))
        parts += [Text.from_markup(line) for line in waiting_lines(frame.waiting)]
        parts.append(Text())
    if frame.injects:
        parts += [*inject_texts(frame), Text()]
    if frame.roles:
        parts += [roles_table(frame.roles), Text()]
    parts += [Text("Latest events", style="bold"), latest]
    if frame.problem:
        parts += [Text(), Text(f"{frame.problem} — retrying", style="bold red")]
    return Group(*parts)


def _phase_cells(frame: WatchFrame) -> list[list[str]]:
    """Each phase as plain text cells: title, settled/applicable, done, skipped, n/a, milestone."""
    rows = []
    for line in frame.phases:
        milestone = ""
        if line.milestone:
            reached = line.milestone_at.strftime("%H:%M UTC") if line.milestone_at else "—"
            milestone = f"{line.milestone} {reached}"
        exceptions = f" ({line.with_exceptions} with exceptions)" if line.with_exceptions else ""
        rows.append(
            [
                line.title,
                f"{line.settled}/{line.applicable}",
                f"{line.done}{exceptions}",
                str(line.skipped),
                str(line.not_applicable),
                milestone,
            ]
        )
    return rows


LATEST = ("#", "time (UTC)", "who", "what")


def _latest_cells(frame: WatchFrame) -> list[list[str]]:
    return [
        [str(e.seq), e.at.strftime("%H:%M:%S"), attributed(e.actor, e.login), e.text]
        for e in frame.latest
    ]


def plain_frame(frame: WatchFrame) -> None:
    """The frame piped (a file, a chat bridge): the same parts as ``render``, tables as aligned
    columns one row a line, nothing wrapped at 80 columns, no colour, no progress bar."""
    from irbook.console import line
    from irbook.console.incident import deadline_lines, waiting_lines
    from irbook.console.layout import table

    if frame.drill:
        from irbook.domain.drills import BANNER

        line(BANNER)
    line(
        f"{frame.incident_id}  {frame.title}  {frame.severity}  {frame.status}  "
        f"{frame.last_seq} events"
    )
    line()
    table(("phase", "settled", "done", "skipped", "n/a", "milestone"), _phase_cells(frame))
    line()
    if frame.deadlines:
        for text in deadline_lines(frame.deadlines):
            markup(text)
        line()
    if frame.waiting:
        line("Waiting")
        for text in waiting_lines(frame.waiting):
            markup(text)
        line()
    if frame.injects:
        for inject in inject_texts(frame):
            stdout().print(inject)
        line()
    if frame.roles:
        rows = [[r.role, r.person or "unassigned", str(r.open_steps)] for r in frame.roles]
        table(("role", "held by", "open steps"), rows)
        line()
    line("Latest events")
    table(LATEST, _latest_cells(frame))
    if frame.problem:
        line()
        line(f"{frame.problem} — retrying")


def inject_texts(frame: WatchFrame) -> list[Text]:
    """A drill's due injects: delivered (when, to whom), or due and not yet shown at a prompt
    (watch shows them and records nothing: the next walker prompt delivers them)."""
    from rich.text import Text

    out = [Text("Drill injects (exercise only)", style="bold magenta")]
    for line in frame.injects:
        if line.delivered_at is not None:
            when = f"delivered {line.delivered_at:%H:%M} UTC to {line.delivered_by}"
            out.append(Text(f"  {when}: {line.title}"))
        else:
            due = f"due since {line.due_at:%H:%M} UTC, not yet shown at a prompt"
            out.append(Text(f"  {due}: {line.title}", style="bold"))
    return out


def once(watcher: Watcher) -> None:
    from irbook.console.layout import plain

    if plain():
        plain_frame(watcher.frame())
        return
    stdout().print(render(watcher.frame()))


def live(watcher: Watcher, *, interval: float) -> None:
    """Refresh until Ctrl-C (KeyboardInterrupt reaches the CLI, which exits 130)."""
    console = stdout()
    if not console.is_terminal:
        _changes(watcher, interval=interval)
        return
    from rich.live import Live

    with Live(render(watcher.frame()), console=console, auto_refresh=False) as view:
        while True:
            time.sleep(interval)
            watcher.poll()
            view.update(render(watcher.frame()), refresh=True)


def _changes(watcher: Watcher, *, interval: float) -> None:
    shown: tuple[int, str | None, int, int] | None = None
    while True:
        frame = watcher.frame()
        # a due time passing is a change too, though no event was appended
        key = (frame.last_seq, frame.problem, frame.overdue, frame.due_injects)
        if key != shown:
            plain_frame(frame)
            stdout().print()
            shown = key
        time.sleep(interval)
        watcher.poll()
