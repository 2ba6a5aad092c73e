"""The one place templates are rendered: a sandboxed Jinja environment with strict undefined names.

Templates are untrusted input (a user directory overrides the shipped ones), so they run in Jinja's
``SandboxedEnvironment``: no attribute starting with ``_``, no ``str.format`` escapes, no Python
internals. A notification must never leave with a placeholder in it, so rendering is two passes:
a *checking* pass that records every undefined name that is used (with its template file and line)
and then fails listing all of them, and the real pass, under StrictUndefined semantics.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbook.errors import InvalidInputError, NotFoundError, Problem, TemplateLimitError, UsageError
from irbook.files import limits

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

    from irbook.render.undefined import Missing

TEMPLATE_SUFFIXES = (".j2",)


@dataclass(frozen=True)
class Rendered:
    """A rendered template and the named blocks asked for (e.g. the subject)."""

    name: str
    filename: str
    text: str
    blocks: dict[str, str] = field(default_factory=dict)


class Renderer:
    """Templates from ``resources.template_dirs(user_dir)``: the user directory first."""

    def __init__(self, user_dir: Path | None = None) -> None:
        from irbook.loader.resources import template_dirs

        self.dirs = template_dirs(user_dir)
        self.env = _environment(self.dirs)
        self._sources: dict[str, Any] = {}

    def exists(self, name: str) -> bool:
        return any((d / name).is_file() for d in self.dirs)

    def render(
        self, name: str, context: Mapping[str, Any], *, blocks: Sequence[str] = ()
    ) -> Rendered:
        """Render ``name`` (and its ``blocks``); InvalidInputError lists every problem first."""
        from irbook.render.undefined import RECORDER

        template = self._load(name)
        filename = template.filename or name
        missing: list[Missing] = []
        token = RECORDER.set(missing)
        try:
            self._run(template, context, blocks)
        finally:
            RECORDER.reset(token)
        if missing:
            hint = _UNSAFE_HINT if all(m.unsafe for m in missing) else _MISSING_HINT
            raise InvalidInputError(self._missing_problems(missing), hint=hint)
        text, block_texts = self._run(template, context, blocks)
        return Rendered(name, filename, text, block_texts)

    def _load(self, name: str) -> Template:
        from jinja2 import TemplateNotFound, TemplateSyntaxError

        try:
            return self.env.get_template(name)
        except TemplateSyntaxError as exc:
            raise InvalidInputError(
                [Problem(exc.filename or name, exc.lineno, 1, "", f"syntax error: {exc.message}")],
                hint="fix the template; the Jinja syntax is described in docs/notifications.md",
            ) from None
        except TemplateNotFound as exc:
            raise NotFoundError(
                f"template not found: {exc.name} (searched {', '.join(map(str, self.dirs))})"
            ) from None

    def _run(
        self, template: Template, context: Mapping[str, Any], blocks: Sequence[str]
    ) -> tuple[str, dict[str, str]]:
        from jinja2 import TemplateError

        from irbook.render.sandbox import BUDGET, Budget, memory_guard

        token = BUDGET.set(Budget())  # each pass gets the whole allowance
        try:
            with memory_guard():
                text = self._body(template, context, omit=blocks)
                out = {}
                for block in blocks:
                    if block not in template.blocks:
                        raise UsageError(
                            f"{template.filename}: the template defines no {{% block {block} %}}",
                            hint=f"add {{% block {block} %}}...{{% endblock %}} to the template",
                        )
                    ctx = template.new_context(dict(context))
                    out[block] = bounded_join(template.blocks[block](ctx))
        except (
            TemplateError,
            TemplateLimitError,
            ArithmeticError,
            TypeError,
            ValueError,
            LookupError,
            MemoryError,
            RecursionError,
        ) as exc:
            raise _runtime_problem(exc, template) from None
        finally:
            BUDGET.reset(token)
        return text, out

    def _body(self, template: Template, context: Mapping[str, Any], *, omit: Sequence[str]) -> str:
        """The template's output without the named blocks (a subject is not part of the body)."""
        ctx = template.new_context(dict(context))
        for block in omit:
            if block in ctx.blocks:
                ctx.blocks[block] = [_empty_block]
        try:
            return bounded_join(template.root_render_func(ctx))
        except Exception:
            self.env.handle_exception()  # re-raises with the template's file and line in the traceback

    def _missing_problems(self, missing: list[Missing]) -> list[Problem]:
        problems, seen = [], set()
        for m in missing:
            if m.unsafe:
                message = (
                    f"template tries to reach Python internals ({m.unsafe}); "
                    "templates run in a sandbox"
                )
            else:
                message = f"'{self._spelling(m)}' is undefined"
            key = (m.filename, m.line, message)
            if key not in seen:
                seen.add(key)
                problems.append(Problem(m.filename, m.line, 1, "", message))
        return problems

    def _spelling(self, m: Missing) -> str:
        """The dotted path the template wrote at that line (``incident.foo``), else the name."""
        candidates = [
            p for p in self._paths(m.filename).get(m.line, []) if p.split(".")[-1] == m.name
        ]
        return candidates[0] if len(set(candidates)) == 1 else m.name

    def _paths(self, filename: str) -> dict[int, list[str]]:
        if filename not in self._sources:
            self._sources[filename] = _dotted_paths(self.env, filename)
        result: dict[int, list[str]] = self._sources[filename]
        return result


def _empty_block(context: Any) -> Iterator[str]:
    return iter(())


_MISSING_HINT = (
    "nothing was written or sent. Record the missing answer in the incident, or fix the "
    "template (`{{ name | default('...') }}` or `{% if name is defined %}` for optional values); "
    "docs/notifications.md lists the variables"
)
_UNSAFE_HINT = (
    "nothing was written or sent. Remove the expression: templates can use only the variables "
    "listed in docs/notifications.md"
)


def _environment(dirs: list[Path]) -> SandboxedEnvironment:
    from jinja2 import select_autoescape

    from irbook.render.loader import BoundedFileSystemLoader
    from irbook.render.sandbox import LimitedSandbox, install
    from irbook.render.undefined import CheckedUndefined

    env = LimitedSandbox(
        loader=BoundedFileSystemLoader([str(d) for d in dirs]),
        undefined=CheckedUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html.j2", "html"), default=False, default_for_string=False
        ),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["utc"] = utc_text
    install(env)
    return env


def utc_text(value: Any) -> str:
    """The ``utc`` filter: a datetime as ``2026-05-11 19:46 UTC``; other values unchanged."""
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    return str(value)


def _dotted_paths(env: SandboxedEnvironment, filename: str) -> dict[int, list[str]]:
    """Line -> dotted names written there (``incident.foo``, ``p.name``) from the template AST."""
    from jinja2 import nodes

    try:
        from irbook.render.loader import read_template

        source = read_template(Path(filename))
        tree = env.parse(source)
    except Exception:  # best effort: the plain name is shown instead
        return {}
    out: dict[int, list[str]] = {}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        path = _dotted(node)
        if path:
            out.setdefault(node.lineno, []).append(path)
    return out


def _dotted(node: Any) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _dotted(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


def bounded_join(pieces: Iterable[str]) -> str:
    """The output, counted as it is produced: stops at TEMPLATE_OUTPUT_CHARS."""
    out: list[str] = []
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > limits.TEMPLATE_OUTPUT_CHARS:
            raise TemplateLimitError(
                f"the output is longer than {limits.TEMPLATE_OUTPUT_CHARS} characters"
            )
        out.append(piece)
    return "".join(out)


def _runtime_problem(exc: BaseException, template: Template) -> InvalidInputError:
    """An error raised while rendering, pinned to the template line Jinja's traceback names."""
    from jinja2.exceptions import SecurityError

    filename, line = template.filename or template.name or "<template>", 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIXES):
            filename, line = frame.filename, frame.lineno or 0
    if isinstance(exc, SecurityError):
        message = f"template tries to reach Python internals ({exc}); templates run in a sandbox"
    elif isinstance(exc, TemplateLimitError):
        message = f"template limit: {exc.message}"
    elif isinstance(exc, MemoryError):
        message = f"template limit: rendering needed more than {limits.TEMPLATE_MEMORY_BYTES >> 20} MiB of memory"
    elif isinstance(exc, RecursionError):
        message = "template limit: calls nest too deeply (a recursive macro or include?)"
    else:
        message = f"{type(exc).__name__}: {exc}"
    return InvalidInputError(
        [Problem(filename, line, 1, "", message)],
        hint="nothing was written or sent; fix the template",
    )
