"""The inline SVG timeline of the HTML report: one bar per phase, a line per milestone.

Drawn by hand (a few rectangles and lines) so the HTML stays one file with no script, font or
library; every label goes through ``html.escape``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from html import escape

from irbook.report.model import PhaseOutcome, Report

WIDTH = 1000
LEFT = 250  # room for phase titles
RIGHT = 30
TOP = 34  # tick labels
ROW = 30
LABEL_ROW = 18
CHAR_WIDTH = 7.0  # of a 12px bold label, a little generous so labels never touch
TITLE_MAX = 36
_INTERVALS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 40320)
COLORS = {
    "done": "#2e7d32",
    "done with exceptions": "#e0a100",
    "in progress": "#1e63c4",
    "not started": "#b0b7c3",
    "not applicable": "#b0b7c3",
}


class Scale:
    """Maps times onto the x axis of the plot."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.end = end if end > start else start + timedelta(minutes=1)
        self.span = (self.end - self.start).total_seconds()

    def x(self, at: datetime) -> float:
        frac = (at - self.start).total_seconds() / self.span
        return round(LEFT + max(0.0, min(1.0, frac)) * (WIDTH - LEFT - RIGHT), 1)


def bounds(r: Report, last_at: datetime | None = None) -> tuple[datetime, datetime] | None:
    """``last_at``: the time of the last event, when ``r.timeline`` is streamed (not held)."""
    times = [t for t in (r.opened_at, r.detected_at, r.closed_at) if t is not None]
    times += [t.at for t in r.timeline[-1:]] if last_at is None else [last_at]
    return (min(times), max(times)) if times else None


def timeline_svg(r: Report, last_at: datetime | None = None) -> str:
    span = bounds(r, last_at)
    if span is None:
        return ""
    scale = Scale(*span)
    bottom = TOP + ROW * len(r.phases)
    multi_day = scale.start.date() != scale.end.date()
    markers, rows = _markers(r, scale, bottom, multi_day)
    height = bottom + 12 + rows * LABEL_ROW
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="Timeline of phases and milestones">'
    ]
    parts += _ticks(scale, bottom, multi_day)
    for i, phase in enumerate(r.phases):
        parts += _phase_row(scale, phase, TOP + i * ROW, r.closed_at or scale.end)
    parts += markers
    parts.append("</svg>")
    return "\n".join(parts)


def tick_times(scale: Scale) -> list[datetime]:
    """Round times (every 1, 2, 5, 10, 15, 30 min, 1 h, ...) across the span, at most 8."""
    minutes = scale.span / 60
    step = next((i for i in _INTERVALS if minutes / i <= 8), _INTERVALS[-1])
    epoch = datetime(2000, 1, 1, tzinfo=scale.start.tzinfo)
    offset = (scale.start - epoch).total_seconds() / 60
    first = epoch + timedelta(minutes=math.ceil(offset / step) * step)
    count = int((scale.end - first).total_seconds() / 60 // step) + 1
    return [first + timedelta(minutes=step * n) for n in range(max(count, 0))]


def _ticks(scale: Scale, bottom: int, multi_day: bool) -> list[str]:
    out = []
    for n, at in enumerate(tick_times(scale)):
        x = scale.x(at)
        label = at.strftime("%m-%d %H:%M" if multi_day else "%H:%M") + (" UTC" if n == 0 else "")
        out.append(f'<line x1="{x}" y1="{TOP - 8}" x2="{x}" y2="{bottom}" class="grid"/>')
        out.append(f'<text x="{x}" y="{TOP - 14}" text-anchor="middle" class="tick">{label}</text>')
    return out


def _phase_row(scale: Scale, phase: PhaseOutcome, y: int, now: datetime) -> list[str]:
    short = phase.title if len(phase.title) <= TITLE_MAX else phase.title[: TITLE_MAX - 1] + "…"
    title = escape(short)
    out = [
        f'<text x="{LEFT - 10}" y="{y + 19}" text-anchor="end" class="phase">{title}'
        f"<title>{escape(phase.title)}: {escape(phase.outcome)}</title></text>"
    ]
    if phase.started_at is None:
        return out
    end = phase.settled_at or now
    x1, x2 = scale.x(phase.started_at), scale.x(end)
    width = max(x2 - x1, 4.0)
    color = COLORS.get(phase.outcome, "#8a94a6")
    dash = ' stroke-dasharray="4 3" fill-opacity="0.35"' if phase.settled_at is None else ""
    out.append(
        f'<rect x="{x1}" y="{y + 6}" width="{round(width, 1)}" height="18" rx="3" '
        f'fill="{color}" stroke="{color}"{dash}><title>{escape(phase.title)}: '
        f"{escape(phase.outcome)}</title></rect>"
    )
    return out


def _marks(r: Report) -> list[tuple[datetime, str, str]]:
    marks: list[tuple[datetime, str, str]] = []
    if r.detected_at:
        marks.append((r.detected_at, "detected", "#c62828"))
    if r.opened_at:
        marks.append((r.opened_at, "opened", "#37474f"))
    marks += [
        (x.reached_at, x.milestone, "#6a1b9a") for x in r.metrics if x.milestone and x.reached_at
    ]
    if r.closed_at:
        marks.append((r.closed_at, "closed", "#37474f"))
    return sorted(marks, key=lambda m: m[0])


def layout_labels(xs: list[tuple[float, int]]) -> list[tuple[int, str]]:
    """(row, anchor) for labels at x with n characters: the first row where it overlaps nothing."""
    row_ends: list[float] = []
    out = []
    for x, chars in xs:
        width = chars * CHAR_WIDTH + 14
        anchor = "start" if x + width < WIDTH - 4 else "end"
        left = x if anchor == "start" else x - width
        row = next((i for i, end in enumerate(row_ends) if left > end + 6), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = left + width
        out.append((row, anchor))
    return out


def _markers(r: Report, scale: Scale, y: int, multi_day: bool) -> tuple[list[str], int]:
    """Milestone lines, diamonds and labels below the phase rows; returns them and the rows used."""
    marks = _marks(r)
    fmt = "%m-%d %H:%M" if multi_day else "%H:%M"
    labels = [f"{name} {at.strftime(fmt)}" for at, name, _ in marks]
    xs = [scale.x(at) for at, _, _ in marks]
    places = layout_labels([(x, len(text)) for x, text in zip(xs, labels, strict=True)])
    out = []
    for (_, _, color), x, text, (row, anchor) in zip(marks, xs, labels, places, strict=True):
        ly = y + 22 + row * LABEL_ROW
        out.append(
            f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{ly - 12}" stroke="{color}" class="mark"/>'
        )
        out.append(f'<path d="M{x} {ly - 16} l5 5 l-5 5 l-5 -5 z" fill="{color}"/>')
        out.append(
            f'<text x="{x + (7 if anchor == "start" else -7)}" y="{ly - 7}" '
            f'text-anchor="{anchor}" class="mlabel" fill="{color}">{escape(text)}</text>'
        )
    return out, max((row for row, _ in places), default=-1) + 1
