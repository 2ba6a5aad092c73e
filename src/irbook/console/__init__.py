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


@cache
def stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@cache
def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


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
        console.print(f"hint: {err.hint}", markup=False, style="cyan")


def plain_error(text: str) -> None:
    stderr().print(text, markup=False, style="bold red")


def markdown(text: str) -> None:
    from rich.markdown import Markdown

    stdout().print(Markdown(text))
