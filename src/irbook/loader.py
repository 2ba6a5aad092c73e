"""YAML in, strict models out, with every problem pinned to ``file:line:col``.

The only home of PyYAML. Files are read with the safe loader only; the node tree is converted by
hand so that each value keeps its source position, duplicate keys and non-plain tags are caught,
and alias bombs are cut off. Pydantic's errors are then mapped back onto those positions, and the
semantic checks (duplicate ids, dangling ``needs``/``when`` references, unknown roles and
templates) run on the same tree, so one pass reports every problem of a file.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from irbook import conditions
from irbook.errors import InvalidInputError, Problem
from irbook.models import STEP_TYPES, ChecklistStep, Phase, Runbook, RunbookInput, ValueType

MAX_BYTES = 1024 * 1024
MAX_NODES = 200_000
Loc = tuple[str | int, ...]

_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """A parsed YAML document: plain data plus the position of every value and key."""

    path: str
    text: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value (or key) at ``loc``, else its nearest parent."""
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            if loc[:end] in table:
                return table[loc[:end]]
            if loc[:end] in self.values:
                return self.values[loc[:end]]
        return (1, 1)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, column = self.position(loc, key=key)
        return Problem(self.path, line, column, format_loc(loc), message)


@dataclass(frozen=True)
class LoadedRunbook:
    runbook: Runbook
    path: str
    sha256: str  # of the exact text used, recorded with every incident started from it
    text: str


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


# --- reading -----------------------------------------------------------------------------------


def read_text(path: Path, *, kind: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file or raise InvalidInputError naming it (missing, too big, binary)."""
    name = str(path)

    def fail(message: str) -> InvalidInputError:
        return InvalidInputError([Problem(name, 1, 1, "", message)])

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise fail(
                f"{kind} is {size / 1_000_000:.1f} MB; the limit is {max_bytes // 1024} KiB"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail(f"{kind} not found") from None
    except IsADirectoryError:
        raise fail(f"{kind} is a directory, not a file") from None
    except OSError as exc:
        raise fail(f"cannot read {kind}: {exc.strerror}") from None
    if b"\x00" in raw:
        raise fail(f"{kind} is binary (it contains NUL bytes), not YAML text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInputError(
            [Problem(name, line, column, "", f"{kind} is not UTF-8 text (binary file?)")]
        ) from None


def parse_yaml(text: str, path: str, *, kind: str = "file") -> Document:
    """Parse one YAML document keeping positions; raise InvalidInputError on any YAML problem."""
    if not text.strip():
        raise InvalidInputError([Problem(path, 1, 1, "", f"{kind} is empty")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InvalidInputError(
            [Problem(path, line, column, "", f"YAML syntax error: {_yaml_message(exc)}")]
        ) from None
    except yaml.YAMLError as exc:  # e.g. more than one document, reader errors
        raise InvalidInputError([Problem(path, 1, 1, "", f"YAML error: {exc}")]) from None
    if node is None:
        raise InvalidInputError([Problem(path, 1, 1, "", f"{kind} is empty")])
    doc = Document(path=path, text=text, data=None)
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    if builder.problems:
        raise InvalidInputError(builder.problems)
    return doc


def read_yaml(path: Path, *, kind: str = "file", max_bytes: int = MAX_BYTES) -> Document:
    return parse_yaml(read_text(path, kind=kind, max_bytes=max_bytes), str(path), kind=kind)


def load_yaml_data(path: Path, *, kind: str = "file", max_bytes: int = 512 * 1024 * 1024) -> Any:
    """Plain data from a YAML file (lockfiles): fast path without positions, same safe rules."""
    text = read_text(path, kind=kind, max_bytes=max_bytes)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506  # _Loader is (C)SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InvalidInputError(
            [Problem(str(path), line, column, "", f"YAML syntax error: {_yaml_message(exc)}")]
        ) from None
    except yaml.YAMLError as exc:
        raise InvalidInputError([Problem(str(path), 1, 1, "", f"YAML error: {exc}")]) from None


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or str(exc)
    if "'\\t'" in problem or "\t" in problem:
        return "tab character; YAML indents with spaces only"
    context = f" {exc.context}" if exc.context and exc.context not in problem else ""
    return f"{problem}{context}".strip()


class _Builder:
    """Node tree -> plain data, recording positions; rejects non-plain tags and duplicate keys."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        pos = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.doc.values.setdefault(loc, pos)
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.problems.append(
                    Problem(self.doc.path, *pos, format_loc(loc), "document has too many values "
                            "(alias expansion?); the limit is 200000")
                )  # fmt: skip
            return None
        if node.tag not in _PLAIN_TAGS and node.tag != _TIMESTAMP:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problems.append(
                Problem(self.doc.path, *pos, format_loc(loc),
                        f"tag '{tag}' is not allowed: runbooks hold plain data only")
            )  # fmt: skip
            return None
        if id(node) in self.active:
            self.problems.append(
                Problem(self.doc.path, *pos, format_loc(loc), "recursive alias is not allowed")
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _TIMESTAMP:
                return node.value  # dates stay text; the models decide what they mean
            return self.constructor.construct_object(node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, loc)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, (*loc, "<key>"))
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, str | int | bool | float) and key is not None:
                self.problems.append(
                    Problem(self.doc.path, *key_pos, format_loc(loc), "keys must be plain scalars")
                )
                continue
            name = key if isinstance(key, str) else str(key)
            if name in out:
                first = self.doc.keys[(*loc, name)][0]
                self.problems.append(
                    Problem(self.doc.path, *key_pos, format_loc((*loc, name)),
                            f"duplicate key '{name}' (first at line {first})")
                )  # fmt: skip
                continue
            self.doc.keys[(*loc, name)] = key_pos
            out[name] = self.build(value_node, (*loc, name))
        self.doc.values.pop((*loc, "<key>"), None)
        return out


# --- runbooks ----------------------------------------------------------------------------------


def load_runbook(path: Path, *, known_templates: frozenset[str] | None = None) -> LoadedRunbook:
    """Load and fully validate a runbook file, or raise InvalidInputError with every problem."""
    text = read_text(path, kind="runbook")
    doc = parse_yaml(text, str(path), kind="runbook")
    problems: list[Problem] = []
    runbook: Runbook | None = None
    if not isinstance(doc.data, dict):
        raise InvalidInputError(
            [doc.problem((), "a runbook is a mapping with apiVersion, id, version, title, phases")]
        )
    try:
        runbook = Runbook.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(doc, exc))
    problems.extend(semantic_problems(doc, known_templates))
    if problems or runbook is None:
        problems.sort(key=lambda p: (p.line, p.column))
        raise InvalidInputError(_dedupe(problems))
    sha = hashlib.sha256(text.encode()).hexdigest()
    return LoadedRunbook(runbook=runbook, path=str(path), sha256=sha, text=text)


def parse_runbook_text(text: str, path: str) -> Runbook:
    """Rebuild a runbook from the text stored with an incident (already validated once)."""
    doc = parse_yaml(text, path, kind="runbook")
    try:
        return Runbook.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidInputError(_pydantic_problems(doc, exc)) from None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]  # set.add returns None by design here


def _model_keys(loc: Loc, data: Any) -> list[str]:
    """Allowed keys of the model at ``loc`` (for did-you-mean on unknown keys)."""
    from irbook import models

    step_classes = {
        "confirm": models.ConfirmStep, "input": models.InputStep,
        "checklist": models.ChecklistStep, "check": models.CheckStep,
        "command": models.CommandStep, "notify": models.NotifyStep,
    }  # fmt: skip
    model: Any = models.Runbook
    if len(loc) == 2 and loc[0] == "inputs":
        model = RunbookInput
    elif len(loc) == 2 and loc[0] == "phases":
        model = Phase
    elif len(loc) == 4 and loc[0] == "phases" and loc[2] == "steps":
        step_type = data.get("type") if isinstance(data, dict) else None
        model = step_classes.get(str(step_type), ChecklistStep)
    elif len(loc) != 0:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _strip_tags(doc: Document, loc: tuple[Any, ...]) -> Loc:
    """Drop pydantic's discriminator tags (e.g. 'confirm') from an error location."""
    out: list[str | int] = []
    node = doc.data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node:
            if node.get("type") == part:
                continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _data_at(doc: Document, loc: Loc) -> Any:
    node = doc.data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _pydantic_problems(doc: Document, exc: ValidationError) -> Iterator[Problem]:
    for err in exc.errors():
        loc = _strip_tags(doc, err["loc"])
        kind = err["type"]
        if kind == "missing":
            parent, name = loc[:-1], loc[-1]
            yield doc.problem(parent, f"missing required key '{name}'")
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            hint = did_you_mean(name, _model_keys(loc[:-1], _data_at(doc, loc[:-1])))
            yield doc.problem(loc, f"unknown key '{name}'{hint}", key=True)
        elif kind == "union_tag_invalid":
            tag = str(err.get("ctx", {}).get("tag"))
            yield doc.problem(
                (*loc, "type"),
                f"unknown step type '{tag}'{did_you_mean(tag, STEP_TYPES)}; "
                f"expected one of: {', '.join(STEP_TYPES)}",
            )
        elif kind == "union_tag_not_found":
            yield doc.problem(
                loc, f"missing required key 'type' (one of: {', '.join(STEP_TYPES)})"
            )
        else:
            msg = err["msg"]
            if kind == "literal_error" and isinstance(err.get("input"), str):
                expected = err.get("ctx", {}).get("expected", "")
                options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
                msg += did_you_mean(err["input"], [o for o in options if o])
            elif kind == "string_pattern_mismatch":
                msg = _pattern_message(loc, err.get("input"))
            yield doc.problem(loc, msg[:1].lower() + msg[1:])


def _pattern_message(loc: Loc, value: Any) -> str:
    if loc and loc[-1] == "version":
        return f"version '{value}' is not MAJOR.MINOR.PATCH (e.g. 1.0.0)"
    if len(loc) >= 2 and loc[0] == "inputs":
        return (
            f"input id '{value}' must start with a lower-case letter and hold only "
            "lower-case letters, digits and underscores (it is used as a name in `when`)"
        )
    return f"id '{value}' must hold only lower-case letters, digits and hyphens"


# --- semantic checks (run on the raw tree, so they report alongside type errors) ----------------


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def semantic_problems(doc: Document, known_templates: frozenset[str] | None) -> list[Problem]:
    data: dict[str, Any] = doc.data
    problems: list[Problem] = []
    roles = data.get("roles") if isinstance(data.get("roles"), list) else None

    inputs: dict[str, Loc] = {}
    for i, item in _dicts(data.get("inputs")):
        loc: Loc = ("inputs", i, "id")
        if isinstance(item.get("id"), str):
            _unique(doc, problems, inputs, item["id"], loc, "input")
        problems.extend(_choice_problems(doc, ("inputs", i), item, "type"))

    phases: dict[str, Loc] = {}
    steps: dict[str, Loc] = {}
    step_items: list[tuple[Loc, dict[str, Any]]] = []
    for p, phase in _dicts(data.get("phases")):
        if isinstance(phase.get("id"), str):
            _unique(doc, problems, phases, phase["id"], ("phases", p, "id"), "phase")
        for s, step in _dicts(phase.get("steps")):
            sloc: Loc = ("phases", p, "steps", s)
            step_items.append((sloc, step))
            if isinstance(step.get("id"), str):
                _unique(doc, problems, steps, step["id"], (*sloc, "id"), "step")

    for sloc, step in step_items:
        needs = step.get("needs")
        for n, need in enumerate(needs if isinstance(needs, list) else []):
            if isinstance(need, str) and need not in steps:
                problems.append(doc.problem(
                    (*sloc, "needs", n), f"needs unknown step '{need}'{did_you_mean(need, steps)}"
                ))  # fmt: skip
            elif need == step.get("id"):
                problems.append(doc.problem((*sloc, "needs", n), "a step cannot need itself"))
        if isinstance(step.get("when"), str):
            problems.extend(_when_problems(doc, (*sloc, "when"), step["when"], inputs, steps))
        role = step.get("role")
        if isinstance(role, str) and roles is not None and role not in roles:
            problems.append(doc.problem(
                (*sloc, "role"), f"unknown role '{role}'{did_you_mean(role, map(str, roles))}; "
                "declare it under `roles`"
            ))  # fmt: skip
        template = step.get("template")
        if (
            step.get("type") == "notify"
            and isinstance(template, str)
            and known_templates is not None
            and template not in known_templates
        ):
            problems.append(doc.problem(
                (*sloc, "template"),
                f"unknown template '{template}'{did_you_mean(template, known_templates)}",
            ))  # fmt: skip
        if step.get("type") == "input":
            problems.extend(_choice_problems(doc, sloc, step, "value"))
    return problems


def _unique(
    doc: Document, problems: list[Problem], seen: dict[str, Loc], value: str, loc: Loc, what: str
) -> None:
    if value in seen:
        first = doc.position(seen[value])[0]
        problems.append(doc.problem(loc, f"duplicate {what} id '{value}' (first at line {first})"))
    else:
        seen[value] = loc


def _choice_problems(doc: Document, loc: Loc, item: dict[str, Any], type_key: str) -> list[Problem]:
    kind = item.get(type_key)
    choices = item.get("choices")
    if kind in (ValueType.CHOICE, ValueType.MULTICHOICE) and not choices:
        return [doc.problem(loc, f"a {kind} needs a non-empty `choices` list")]
    if choices and kind not in (ValueType.CHOICE, ValueType.MULTICHOICE):
        return [doc.problem((*loc, "choices"), f"`choices` only applies to choice and multichoice, "
                            f"not '{kind or 'text'}'")]  # fmt: skip
    default = item.get("default")
    if kind == ValueType.CHOICE and isinstance(choices, list) and default is not None:
        if default not in choices:
            return [doc.problem((*loc, "default"), f"default '{default}' is not one of the choices"
                                f"{did_you_mean(str(default), map(str, choices))}")]  # fmt: skip
    return []


def _when_problems(
    doc: Document, loc: Loc, expression: str, inputs: dict[str, Loc], steps: dict[str, Loc]
) -> list[Problem]:
    try:
        refs = conditions.references(expression)
    except conditions.ConditionError as exc:
        return [doc.problem(loc, f"invalid condition: {exc}")]
    out = []
    for name in sorted(refs.inputs - inputs.keys()):
        out.append(doc.problem(loc, f"condition names unknown input '{name}'"
                               f"{did_you_mean(name, inputs)}"))  # fmt: skip
    for name in sorted(refs.steps - steps.keys()):
        out.append(doc.problem(loc, f"condition names unknown step '{name}'"
                               f"{did_you_mean(name, steps)}"))  # fmt: skip
    return out
