"""Jinja's sandbox plus limits on what one render may cost.

The sandbox stops templates from reaching Python internals, but not from spending the machine:
nested ``range(100000)`` loops ran for ever, ``'a' * 10**10`` asked for 10 GB, a recursive macro
ended in RecursionError. A template is untrusted input (a user directory overrides the shipped
ones), so one render has a budget (numbers in :mod:`irbook.files.limits`):

- **loop iterations**, all ``{% for %}`` loops of the render together: each loop's iterable is
  wrapped, at compile time, in a counting filter;
- **recursion**: nested macro calls (and ``{% call %}`` blocks);
- **value size**: ``*`` and ``**`` on strings, lists and numbers are checked before they run,
  like a ``{% set ns.x %}`` and the arguments of a macro call; format widths (``'{:>99999999}'``,
  ``'%99999999s'``) are refused;
- **output size**: counted while the output is produced (see ``environment``);
- **memory**, as the last line (``memory_guard``): while a template renders, the process may
  grow by at most ``TEMPLATE_MEMORY_BYTES`` (``RLIMIT_AS``), so an expression the checks above
  do not foresee ends in MemoryError, reported as a template limit, not a swapping machine.

Every refusal raises ``TemplateLimitError`` (exit 2), reported at the template line.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

from irbook.errors import TemplateLimitError
from irbook.files import limits

LOOP_FILTER = "irbook_counted_loop"
_WIDE_FORMAT = re.compile(r"\d{7,}")  # a field width of a million or more characters


@dataclass
class Budget:
    """What is left of one render's allowance."""

    iterations: int = limits.TEMPLATE_LOOP_ITERATIONS
    depth: int = 0


BUDGET: ContextVar[Budget | None] = ContextVar("irbook_render_budget", default=None)


def _budget() -> Budget:
    budget = BUDGET.get()
    if budget is None:  # rendering outside Renderer (a test, a one-off): a fresh allowance
        budget = Budget()
        BUDGET.set(budget)
    return budget


def counted_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    """The ``{% for %}`` iterable, charged one iteration per item to the render's budget."""
    budget = _budget()
    for item in iterable:
        budget.iterations -= 1
        if budget.iterations < 0:
            raise TemplateLimitError(
                f"loops ran more than {limits.TEMPLATE_LOOP_ITERATIONS} iterations in one render"
            )
        yield item


def check_size(value: Any, what: str = "a value") -> Any:
    if isinstance(value, str | bytes | list | tuple) and len(value) > limits.TEMPLATE_STRING_CHARS:
        raise TemplateLimitError(
            f"{what} is longer than {limits.TEMPLATE_STRING_CHARS} characters or items"
        )
    return value


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise TemplateLimitError("a format width or precision of a million or more is refused")


class BoundedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the size limit (the only way a loop
    can carry a value from one iteration to the next, so the only way to double it in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, check_size(value, f"namespace value {name!r}"))


class LimitedSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def compile(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if isinstance(source, str):
            source = self.parse(source, name, filename)
            for loop in source.find_all(nodes.For):
                loop.iter = nodes.Filter(
                    loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.lineno
                )
        return super().compile(source, name, filename, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                repeatable = isinstance(seq, str | bytes | list | tuple) and isinstance(times, int)
                if repeatable and len(seq) * max(times, 0) > limits.TEMPLATE_STRING_CHARS:
                    raise TemplateLimitError(
                        f"repeating a value {times} times would exceed "
                        f"{limits.TEMPLATE_STRING_CHARS} characters or items"
                    )
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and right * math.log2(abs(left)) > 4096:
                raise TemplateLimitError(f"{left} ** {right} has more than 4096 bits")
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(
        __self, __context: Any, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:  # Jinja's own signature: the double underscores keep keyword arguments free
        if not isinstance(__obj, Macro):
            return super().call(__context, __obj, *args, **kwargs)
        for value in (*args, *kwargs.values()):
            check_size(value, "a macro argument")
        budget = _budget()
        budget.depth += 1
        try:
            if budget.depth > limits.TEMPLATE_RECURSION:
                raise TemplateLimitError(
                    f"macros nest more than {limits.TEMPLATE_RECURSION} calls deep "
                    "(a recursive macro without an end?)"
                )
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


def install(env: LimitedSandbox) -> None:
    """The filters and globals the limits need."""
    env.filters[LOOP_FILTER] = counted_loop
    env.globals["namespace"] = BoundedNamespace
    plain_format = env.filters["format"]

    def bounded_format(value: Any, *args: Any, **kwargs: Any) -> str:
        _check_format(value)
        return str(plain_format(value, *args, **kwargs))

    env.filters["format"] = bounded_format
    for name in ("center", "indent"):  # width arguments build strings of that many spaces
        env.filters[name] = _width_checked(env.filters[name])


def _width_checked(function: Any) -> Any:
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, int) and argument > limits.TEMPLATE_STRING_CHARS:
                raise TemplateLimitError(f"a width of {argument} characters is refused")
        return function(value, *args, **kwargs)

    return checked


@contextlib.contextmanager
def memory_guard() -> Iterator[None]:
    """Let the process grow by at most TEMPLATE_MEMORY_BYTES while a template renders.

    Linux only (``/proc/self/statm``); elsewhere, and when the limit cannot be set, the checks
    above are the only limits. The previous limit is always restored.
    """
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
        in_use = pages * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = in_use + limits.TEMPLATE_MEMORY_BYTES
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY:
            cap = min(cap, soft)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    except MemoryError:
        raise TemplateLimitError(
            f"rendering needed more than {limits.TEMPLATE_MEMORY_BYTES >> 20} MiB of memory"
        ) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
