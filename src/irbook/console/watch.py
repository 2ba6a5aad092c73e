"""`irbook watch`: a live view of an incident several responders are working on.

In a terminal the frame is redrawn in place (rich Live) every interval; when stdout is not a
terminal (piped into a file or a chat bridge) a new frame is printed only when something changed,
so the output stays readable. ``--once`` prints one frame and returns.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from irbook.console import escape, stdout
from irbook.domain.events import attributed

if TYPE_CHECKING:
    from rich.console import RenderableType

    from irbook.usecases.team import PhaseLine, Watcher, WatchFrame

BAR_WIDTH = 20


def _bar(line: PhaseLine) -> str:
    filled = round(BAR_WIDTH * line.settled / line.applicable) if line.applicable else BAR_WIDTH
    colour = "green" if line.settled == line.applicable else "yellow"
    return f"[{colour}]{'█' * filled}[/][dim]{'░' * (BAR_WIDTH - filled)}[/]"


def render(frame: WatchFrame) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from irbook.console.team import roles_table

    header = Text.from_markup(
        f"[bold]{escape(frame.incident_id)}[/]  {escape(frame.title)}  "
        f"[bold]{escape(frame.severity)}[/]  {escape(frame.status)}  "
        f"[dim]{frame.last_seq} events[/]"
    )
    phases = Table(
        "phase", "progress", "", "done", "skipped", "n/a", "milestone", box=None, pad_edge=False
    )
    for line in frame.phases:
        milestone = ""
        if line.milestone:
            reached = line.milestone_at.strftime("%H:%M UTC") if line.milestone_at else "—"
            milestone = f"{escape(line.milestone)} {reached}"
        phases.add_row(
            escape(line.title),
            _bar(line),
            f"{line.settled}/{line.applicable}",
            str(line.done)
            + (f" ({line.with_exceptions} with exceptions)" if line.with_exceptions else ""),
            str(line.skipped),
            str(line.not_applicable),
            milestone,
        )
    latest = Table("#", "time (UTC)", "who", "what", box=None, pad_edge=False)
    for event in frame.latest:
        latest.add_row(
            str(event.seq),
            event.at.strftime("%H:%M:%S"),
            escape(attributed(event.actor, event.login)),
            escape(event.text),
        )
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
    if frame.roles:
        parts += [roles_table(frame.roles), Text()]
    parts += [Text("Latest events", style="bold"), latest]
    if frame.problem:
        parts += [Text(), Text(f"{frame.problem} — retrying", style="bold red")]
    return Group(*parts)


def once(watcher: Watcher) -> None:
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
    shown: tuple[int, str | None, int] | None = None
    while True:
        frame = watcher.frame()
        # a due time passing is a change too, though no event was appended
        if (frame.last_seq, frame.problem, frame.overdue) != shown:
            stdout().print(render(frame))
            stdout().print()
            shown = (frame.last_seq, frame.problem, frame.overdue)
        time.sleep(interval)
        watcher.poll()
