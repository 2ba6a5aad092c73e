"""Layout shared by every screen: wrap on a terminal, plain columns when piped.

On a terminal, text wraps to the terminal's width at spaces and is never cropped or cut with an
ellipsis, so a long command can still be copied whole. When stdout is a pipe or a file, nothing
wraps: each line stays one line and tables become aligned columns (no colour, no padding at the
end of a line) that ``cut``, ``awk`` and ``column`` can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from irbook.console import stdout

if TYPE_CHECKING:
    from rich.table import Table

# A path column takes at most this share of the terminal; longer paths wrap after a ``/``.
PATH_SHARE = 0.4
GAP = "  "


def plain() -> bool:
    """True when stdout is not a terminal (a pipe or a file): the plain layout."""
    return not stdout().is_terminal


def wrap_path(path: str, width: int) -> str:
    """``path`` on several lines of at most ``width`` characters, broken after a ``/``; a single
    part longer than ``width`` is folded (the only case where a name is split)."""
    if width < 1 or len(path) <= width:
        return path
    lines: list[str] = []
    current = ""
    for part in _parts(path):
        if current and len(current) + len(part) > width:
            lines.append(current)
            current = ""
        while len(part) > width:
            lines.append(part[:width])
            part = part[width:]
        current += part
    if current:
        lines.append(current)
    return "\n".join(lines)


def _parts(path: str) -> list[str]:
    """``a/b/c`` as ``["a/", "b/", "c"]``: each part keeps the slash that ends it."""
    pieces = path.split("/")
    return [p + "/" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    styles: Sequence[str | None] | None = None,
    paths: Sequence[int] = (),
) -> None:
    """A table. Piped: aligned plain columns. On a terminal wide enough for every cell: a rich
    table. On a narrower one: one block per row (the first cell as its title, then ``header
    value`` lines), so no cell is squeezed into a column a few letters wide and folded letter by
    letter. ``paths`` columns wrap after a ``/``; ``styles`` gives one style per row."""
    if plain():
        _plain_table(headers, rows)
        return
    out = stdout()
    natural = sum(max(len(str(r[n])) for r in [headers, *rows]) for n in range(len(headers)))
    if natural + len(GAP) * (len(headers) - 1) <= out.width:
        shown = grid(*headers)
        for i, row in enumerate(rows):
            shown.add_row(*row, style=styles[i] if styles else None)
        out.print(shown, markup=False)
        return
    _blocks(headers, rows, styles, paths)


def grid(*headers: str, show_header: bool = True) -> Table:
    """A borderless rich table for a terminal whose cells wrap and, for a word longer than its
    column, fold: rich's default cuts it with an ellipsis, and names, ids and paths are evidence
    that must be read whole. Piped output does not use it (see ``table`` and ``pairs``)."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", show_header=show_header)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def pairs(rows: Sequence[tuple[str, str]]) -> None:
    """``name  value`` lines (``db info``): piped, aligned columns one pair a line and never
    wrapped; on a terminal, the values wrap in their column."""
    if plain():
        _plain_table(("", ""), rows, header=False)
        return
    shown = grid("", "", show_header=False)
    for name, value in rows:
        shown.add_row(name, value)
    stdout().print(shown, markup=False)


def _blocks(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: Sequence[str | None] | None,
    paths: Sequence[int],
) -> None:
    from rich.text import Text

    out = stdout()
    label = max(len(h) for h in headers[1:]) if len(headers) > 1 else 0
    for i, row in enumerate(rows):
        style = (styles[i] if styles else None) or ""
        title = wrap_path(row[0], out.width) if 0 in paths else row[0]
        out.print(Text(title, style=f"bold {style}".strip()))
        for n in range(1, len(headers)):
            value = wrap_path(row[n], out.width - label - 4) if n in paths else row[n]
            text = Text(f"  {headers[n].ljust(label)}  ", style="dim")
            text.append(value, style=style)
            out.print(text)
        if i < len(rows) - 1:
            out.print()


def _plain_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True
) -> None:
    """Aligned columns, two spaces apart, never wrapped; tabs and newlines in a cell become
    spaces so one row stays one line."""
    lines = [list(headers), *rows] if header else list(rows)
    cells = [[" ".join(str(c).split()) for c in row] for row in lines]
    if not cells:
        return
    widths = [max(len(r[n]) for r in cells) for n in range(len(headers))]
    file = stdout().file
    for row in cells:
        padded = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1], strict=True)] + [row[-1]]
        file.write(GAP.join(padded).rstrip() + "\n")
    file.flush()
