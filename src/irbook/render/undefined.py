"""``CheckedUndefined``: StrictUndefined that, during the checking pass, records each use instead of
failing, so one render lists *every* missing name (file and line) before anything is written.

This class leans on Jinja internals, on purpose and in one place:

- the private slots of ``jinja2.Undefined`` (``_undefined_obj``, ``_undefined_name``,
  ``_undefined_hint``, ``_undefined_exception``) and its ``_fail_with_undefined_error``, to tell
  a missing name from a sandbox refusal (``SecurityError``) and to report the first unsafe step of
  ``''.__class__.__init__``;
- the list of dunders ``Undefined`` and ``StrictUndefined`` make fail: each is overridden here to
  record and go on, so a dunder Jinja adds later would fail the checking pass instead;
- ``__jinja_template__`` in the globals of compiled template code (Jinja's own traceback rewriting
  uses it) to find the template file and line of a use.

``tests/render/test_undefined_contract.py`` pins each of these against the installed Jinja, so an
upgrade that changes one fails a test that names it, not a customer e-mail.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import ChainableUndefined
from jinja2.exceptions import SecurityError


@dataclass(frozen=True)
class Missing:
    """An undefined name a template used: where, and how the template spelled it."""

    filename: str
    line: int
    name: str
    unsafe: str | None = None  # the sandbox's message when this was a blocked attribute


# The checking pass puts a list here; undefined values then record themselves instead of failing.
RECORDER: ContextVar[list[Missing] | None] = ContextVar("irbook_render_recorder", default=None)


class CheckedUndefined(ChainableUndefined):
    """StrictUndefined, except that during the checking pass each use is recorded.

    Outside a checking pass (``RECORDER`` unset) every use raises ``UndefinedError`` exactly like
    ``StrictUndefined``. Attribute and item access chain (``incident.foo.bar`` is one use).
    """

    __slots__ = ()

    def _use(self) -> bool:
        recorder = RECORDER.get()
        if recorder is None:
            self._fail_with_undefined_error()
        first = self
        while (
            isinstance(first._undefined_obj, CheckedUndefined)
            and first._undefined_obj._undefined_exception is SecurityError
        ):
            first = first._undefined_obj  # `''.__class__.__init__`: report the first step
        unsafe = first._undefined_hint if first._undefined_exception is SecurityError else None
        filename, line = template_position()
        name = self._undefined_name if isinstance(self._undefined_name, str) else "?"
        recorder.append(Missing(filename, line, name, unsafe))
        return True

    def _op(self, *args: Any, **kwargs: Any) -> CheckedUndefined:
        self._use()
        return self

    def __str__(self) -> str:
        self._use()
        return ""

    def __repr__(self) -> str:
        # Jinja's repr is the word "Undefined", and containers print their items with repr:
        # `xs|map(attribute='__class__')|list` put "[Undefined]" into a mail. A use, like str().
        self._use()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._use()
        return iter(())

    def __bool__(self) -> bool:
        return not self._use()

    def __len__(self) -> int:
        self._use()
        return 0

    def __eq__(self, other: object) -> bool:
        return not self._use()

    def __ne__(self, other: object) -> bool:
        return not self._use()

    def __hash__(self) -> int:
        self._use()
        return id(self)

    def __contains__(self, item: object) -> bool:
        return not self._use()

    def __int__(self) -> int:  # type: ignore[override]  # records instead of failing
        self._use()
        return 0

    def __float__(self) -> float:  # type: ignore[override]  # records instead of failing
        self._use()
        return 0.0

    def __complex__(self) -> complex:  # type: ignore[override]  # records instead of failing
        self._use()
        return 0j

    def __html__(self) -> str:
        return str(self)

    # The base class types these as NoReturn (they raise); here they record and go on.
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _op  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _op  # type: ignore[assignment]
    # Python 2 names Jinja still lists; harmless, and they keep the contract test exact.
    __div__ = __rdiv__ = _op  # type: ignore[assignment]
    __mod__ = __rmod__ = __pos__ = __neg__ = __pow__ = __rpow__ = _op  # type: ignore[assignment]
    __call__ = __lt__ = __le__ = __gt__ = __ge__ = _op  # type: ignore[assignment]


def template_position() -> tuple[str, int]:
    """File and line of the innermost template frame running now (Jinja's own debug trick)."""
    frame = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return template.filename or template.name, template.get_corresponding_lineno(
                frame.f_lineno
            )
        frame = frame.f_back  # type: ignore[assignment]  # None ends the loop
    return "<template>", 0
