"""Rendering of `irbook audit logs`: a progress bar while scanning, then the hits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from irbook.console import escape, info, markup, print_json, stderr, stdout, warn

if TYPE_CHECKING:
    from irbook.audit.logs.scan import LogScanResult

# Below this much input a scan takes well under a second here: a bar would only flicker.
LARGE_INPUT = 64 << 20


@contextmanager
def progress(threshold: int = LARGE_INPUT) -> Iterator[Callable[[int, int], None]]:
    """A (done, total) callback that draws a bar on stderr for large inputs on a terminal."""
    bar: Any = None
    task: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < threshold or not stderr().is_terminal:
                return
            from rich import progress as bars

            columns = (
                bars.TextColumn("scanning"),
                bars.BarColumn(),
                bars.DownloadColumn(),
                bars.TransferSpeedColumn(),
                bars.TimeRemainingColumn(),
            )
            bar = bars.Progress(*columns, console=stderr(), transient=True)
            bar.start()
            task = bar.add_task("scan", total=total)
        bar.update(task, completed=done)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def hits(result: LogScanResult, *, as_json: bool) -> None:
    from irbook.audit.logs.scan import summary

    if as_json:
        print_json([hit.to_json() for hit in result.hits])
        if result.left_out:  # the list is cut: say so where a script's log will show it
            warn(summary(result))
        return
    if result.ok:
        markup(f"[green]{escape(summary(result))}[/]")
        return
    from rich.text import Text

    out = stdout()
    for hit in result.hits:
        # Text, not markup: a log line is untrusted and may contain "[...]" that rich would parse.
        out.print(
            Text.assemble(
                (f"{hit.file}:{hit.line}", "bold"),
                "  ",
                (hit.ioc.kind, "cyan"),
                " ",
                (hit.ioc.value, "red"),
            )
        )
        out.print(Text("    " + hit.text, style="dim"))
    markup(f"[bold red]{escape(summary(result))}[/]")
    sources = sorted({s for hit in result.hits for s in hit.ioc.sources})
    if sources:
        info("indicators from: " + ", ".join(sources))
    masked = sorted({kind for hit in result.hits for kind in hit.redacted})
    if masked:  # the lines held credentials: they are masked above, but they were in the logs
        warn(f"secrets masked in the matched lines: {', '.join(masked)}; rotate them")
