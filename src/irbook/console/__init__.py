"""The only place that prints. Human output goes through rich; ``--json`` output is plain JSON.

Rendering for each feature lives in a small module of this package (``console.runbooks``,
``console.incident``...); this module holds the shared pieces.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from irbook.errors import IrbookError

if TYPE_CHECKING:
    from rich.console import Console


def _console(*, to_stderr: bool) -> Console:
    """A console that wraps text at spaces to the terminal's width (never cropping it) and, when
    its stream is a pipe or a file, does not wrap at all: one line of output stays one line."""
    from rich.console import Console

    class _Console(Console):
        @property
        def soft_wrap(self) -> bool:  # asked at each print: tests and pipes swap sys.stdout
            return not self.is_terminal

        @soft_wrap.setter
        def soft_wrap(self, value: bool) -> None:
            del value  # decided by the stream, not by the caller

    return _Console(stderr=to_stderr, highlight=False)


@cache
def stdout() -> Console:
    return _console(to_stderr=False)


@cache
def stderr() -> Console:
    return _console(to_stderr=True)


def print_json(data: Any) -> None:
    """Machine output: stable, sorted keys, one document on stdout."""
    import json  # here: `irbook --help` and table output never need it

    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False))
    sys.stdout.write("\n")
    sys.stdout.flush()


def line(text: str = "", *, markup: bool = False) -> None:
    stdout().print(text, markup=markup)


def markup(text: str) -> None:
    """Print trusted rich markup (never user text: use ``line`` or ``escape`` for that)."""
    stdout().print(text)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def info(text: str) -> None:
    stderr().print(text, markup=False, style="dim")


def warn(text: str) -> None:
    stderr().print(f"warning: {text}", markup=False, style="yellow")


def success(text: str) -> None:
    stdout().print(text, markup=False, style="green")


def error(err: IrbookError) -> None:
    """One clear message (several lines for several problems), then the hint."""
    console = stderr()
    console.print(f"error: {err.message}", markup=False, style="bold red")
    if err.hint:
        # One logical line, never wrapped by rich: a hint often holds a command to copy (the
        # resume command with its --db and --as), and a line broken in two breaks when pasted.
        # The terminal still folds it on screen.
        console.print(f"hint: {err.hint}", markup=False, style="cyan", soft_wrap=True)


def plain_error(text: str) -> None:
    stderr().print(text, markup=False, style="bold red")


def markdown(text: str) -> None:
    """Markdown laid out on a terminal; piped, the source text itself (already readable, never
    re-wrapped at 80 columns, and commands in it stay on one line)."""
    console = stdout()
    if not console.is_terminal:
        console.file.write(text.rstrip() + "\n")
        return
    from rich.markdown import Markdown

    console.print(Markdown(text))
