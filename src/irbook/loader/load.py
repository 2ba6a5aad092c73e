"""YAML in, strict models out, with every problem pinned to ``file:line:col``.

The only home of PyYAML. Files are read with the safe loader only; the node tree is converted by
hand so that each value keeps its source position, duplicate keys and non-plain tags are caught,
and alias bombs are cut off. Pydantic's errors are then mapped back onto those positions (worded by
``irbook.loader.messages``), and the semantic checks of ``irbook.loader.checks`` (duplicate ids,
dangling ``needs``/``when`` references, unknown roles and templates) run on the same tree, so one
pass reports every problem of a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from irbook.domain.models import STEP_TYPES, ChecklistStep, Phase, Runbook, RunbookInput
from irbook.errors import InvalidInputError, Problem, TooManyValues
from irbook.files import limits
from irbook.files.parsing import limit_problem
from irbook.files.read import read_bounded
from irbook.loader.checks import semantic_problems as semantic_problems
from irbook.loader.messages import Loc as Loc
from irbook.loader.messages import did_you_mean as did_you_mean
from irbook.loader.messages import format_loc as format_loc
from irbook.loader.messages import message, type_message, yaml_problem

MAX_BYTES = limits.RUNBOOK_BYTES
MAX_NODES = 200_000
MAX_DEPTH = 100  # runbooks nest ~6 levels; deep nesting would exhaust Python's recursion

_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]  # the C or Python safe loader
    """The safe loader with the position-keeping builder's rule for dates: they stay text (the
    models decide what they mean). Built as dates, 2024-13-45 raised a bare ValueError."""


_Loader.add_constructor(_TIMESTAMP, yaml.constructor.SafeConstructor.construct_yaml_str)


@dataclass
class Document:
    """A parsed YAML document: plain data plus the position of every value and key."""

    path: str
    text: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    nulled: list[Loc] = field(default_factory=list)  # values refused (bad tag) and set to None

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


# --- reading -----------------------------------------------------------------------------------


def read_text(path: Path, *, kind: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file or raise InvalidInputError naming it (missing, too big, binary)."""
    name = str(path)

    def fail(message: str) -> InvalidInputError:
        return InvalidInputError([Problem(name, 1, 1, "", message)])

    try:
        raw = read_bounded(path, kind=kind, max_bytes=max_bytes)  # FIFOs, devices refused
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
        byte = raw[exc.start]
        message = f"{kind} is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"
        raise InvalidInputError([Problem(name, line, column, "", message)]) from None


def parse_yaml(text: str, path: str, *, kind: str = "file") -> Document:
    """Parse one YAML document keeping positions; raise InvalidInputError on any YAML problem."""
    doc, problems = _parse(text, path, kind=kind)
    if problems:
        raise InvalidInputError(problems)
    return doc


def _parse(text: str, path: str, *, kind: str) -> tuple[Document, list[Problem]]:
    """The document and its structural problems (bad tags, duplicate keys), for callers that go
    on checking the rest; syntax errors and alias bombs raise, as nothing sane can follow them."""
    if not text.strip():
        raise InvalidInputError([Problem(path, 1, 1, "", f"{kind} is empty")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InvalidInputError([yaml_error_problem(text, path, exc)]) from None
    if node is None:
        raise InvalidInputError([Problem(path, 1, 1, "", f"{kind} is empty")])
    doc = Document(path=path, text=text, data=None)
    builder = _Builder(doc)
    try:
        doc.data = builder.build(node, ())
    except TooManyValues as exc:
        raise InvalidInputError([*builder.problems, exc.problem]) from None
    except RecursionError as exc:
        problem = limit_problem(exc, path, text, kind)  # always a problem for RecursionError
        raise InvalidInputError([problem or Problem(path, 1, 1, "", str(exc))]) from None
    return doc, builder.problems


def read_yaml(path: Path, *, kind: str = "file", max_bytes: int = MAX_BYTES) -> Document:
    return parse_yaml(read_text(path, kind=kind, max_bytes=max_bytes), str(path), kind=kind)


def load_yaml_data(path: Path, *, kind: str = "file", max_bytes: int = 512 * 1024 * 1024) -> Any:
    """Plain data from a YAML file (lockfiles): fast path without positions, same safe rules."""
    text = read_text(path, kind=kind, max_bytes=max_bytes)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506  # _Loader is (C)SafeLoader
    except yaml.YAMLError as exc:
        raise InvalidInputError([yaml_error_problem(text, str(path), exc)]) from None
    except (RecursionError, ValueError) as exc:
        problem = limit_problem(exc, str(path), text, kind)
        if problem is None:
            raise
        raise InvalidInputError([problem]) from None


def yaml_error_problem(text: str, path: str, exc: yaml.YAMLError) -> Problem:
    """Any PyYAML error as one Problem at its place: the one translation for every YAML reader
    (runbooks and answers files with positions, lockfiles without). Parser limits (depth, long
    numbers) are not YAMLErrors: files.parsing.limit_problem words those."""
    if isinstance(exc, yaml.MarkedYAMLError):
        line, column, msg = yaml_problem(text, exc)
        # A constructor error is about a value (a tag), not the syntax around it.
        what = (
            "YAML error"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        return Problem(path, line, column, "", f"{what}: {msg}")
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_problem(text, path, exc)
    return Problem(path, 1, 1, "", f"YAML error: {exc}")


def _reader_problem(text: str, path: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML refuses (control characters): where it is, and which one."""
    before = text[: exc.position]
    line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(
        path, line, column, "", f"control character U+{code:04X} is not allowed in YAML text"
    )


class _Builder:
    """Node tree -> plain data, recording positions; rejects non-plain tags and duplicate keys.

    Aliases are followed (an anchor reused is a node seen again), so a billion-laughs document
    would expand without end: the count of values built stops it at MAX_NODES, and the problem
    points at the container where the runaway alias was used.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()
        self.seen: set[int] = set()
        self.alias_root: Loc | None = None  # outermost place where an alias is being expanded

    def _reject(self, loc: Loc, pos: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(self.doc.path, *pos, format_loc(loc), message))
        self.doc.nulled.append(loc)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        pos = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.doc.values.setdefault(loc, pos)
        if self.count > MAX_NODES:
            raise TooManyValues(self._too_many(loc, pos))
        if node.tag not in _PLAIN_TAGS and node.tag != _TIMESTAMP:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self._reject(loc, pos, f"tag '{tag}' is not allowed: runbooks hold plain data only")
            return None
        if id(node) in self.active:
            self._reject(loc, pos, "recursive alias is not allowed")
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _TIMESTAMP:
                return node.value  # dates stay text; the models decide what they mean
            try:
                return self.constructor.construct_object(node)
            except ValueError as exc:  # an integer of over 4,300 digits
                problem = limit_problem(exc, self.doc.path, node.value, "value")
                if problem is None:
                    raise
                self._reject(loc, pos, problem.message)
                return None
        if len(loc) > MAX_DEPTH:
            message = f"values nest more than {MAX_DEPTH} levels deep"
            raise TooManyValues(Problem(self.doc.path, *pos, "", message))
        outermost_alias = self.alias_root is None and id(node) in self.seen
        if outermost_alias:
            self.alias_root = loc
        self.seen.add(id(node))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))
            if outermost_alias:
                self.alias_root = None

    def _too_many(self, loc: Loc, pos: tuple[int, int]) -> Problem:
        if self.alias_root is None:
            message = f"document has more than {MAX_NODES} values; a runbook holds far fewer"
            return Problem(self.doc.path, *pos, format_loc(loc), message)
        where = self.alias_root[:-1]  # the container that uses the alias, as written in the file
        line, column = self.doc.values.get(where, (1, 1))
        return Problem(
            self.doc.path,
            line,
            column,
            format_loc(where),
            f"aliases expand to more than {MAX_NODES} values here (an alias bomb?); "
            "write the values out instead",
        )

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
                    Problem(
                        self.doc.path,
                        *key_pos,
                        format_loc((*loc, name)),
                        f"duplicate key '{name}' (first at line {first})",
                    )
                )
                continue
            self.doc.keys[(*loc, name)] = key_pos
            out[name] = self.build(value_node, (*loc, name))
        self.doc.values.pop((*loc, "<key>"), None)
        return out


# --- runbooks ----------------------------------------------------------------------------------


def load_runbook(path: Path, *, known_templates: frozenset[str] | None = None) -> LoadedRunbook:
    """Load and fully validate a runbook file, or raise InvalidInputError with every problem."""
    text = read_text(path, kind="runbook")
    doc, structural = parse_document(text, str(path), kind="runbook")
    problems: list[Problem] = []
    runbook: Runbook | None = None
    if not isinstance(doc.data, dict):
        problems.append(
            doc.problem((), "a runbook is a mapping with apiVersion, id, version, title, phases")
        )
    else:
        try:
            runbook = Runbook.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(pydantic_problems(doc, exc))
        problems.extend(semantic_problems(doc, known_templates))
    problems = all_problems(doc, problems, structural)
    if problems or runbook is None:
        raise InvalidInputError(problems)
    sha = hashlib.sha256(text.encode()).hexdigest()
    return LoadedRunbook(runbook=runbook, path=str(path), sha256=sha, text=text)


def parse_document(text: str, path: str, *, kind: str) -> tuple[Document, list[Problem]]:
    """The document and its structural problems, for a loader that goes on checking the rest
    (runbooks, drill scenarios) and reports everything at once through ``all_problems``."""
    return _parse(text, path, kind=kind)


def all_problems(doc: Document, found: list[Problem], structural: list[Problem]) -> list[Problem]:
    """Every problem of a file once, in file order. A value refused by the builder became None;
    what the schema says about that None is noise, so it is dropped."""
    nulled = [format_loc(loc) for loc in doc.nulled]
    problems = [p for p in found if not any(_under(p.location, n) for n in nulled)]
    problems.extend(structural)
    problems.sort(key=lambda p: (p.line, p.column))
    return _dedupe(problems)


def _under(location: str, root: str) -> bool:
    return not root or location == root or location.startswith((f"{root}.", f"{root}["))


def parse_runbook_text(text: str, path: str) -> Runbook:
    """Rebuild a runbook from the text stored with an incident (already validated once)."""
    doc = parse_yaml(text, path, kind="runbook")
    try:
        return Runbook.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidInputError(list(pydantic_problems(doc, exc))) from None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]  # set.add returns None by design here


def _model_keys(loc: Loc, data: Any) -> list[str]:
    """Allowed keys of the model at ``loc`` (for did-you-mean on unknown keys)."""
    from irbook.domain import models

    step_classes = {
        "confirm": models.ConfirmStep,
        "input": models.InputStep,
        "checklist": models.ChecklistStep,
        "check": models.CheckStep,
        "command": models.CommandStep,
        "notify": models.NotifyStep,
    }
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


def _keys_of(model: type[BaseModel], loc: Loc) -> list[str]:
    """Keys of the model nested at ``loc`` in ``model`` (a field, or items of a tuple field)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: its model is the list's item type, found below
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        annotation = fields[part].annotation
        nested = [a for a in (annotation, *get_args(annotation)) if _is_model(a)]
        current = nested[0] if nested else None
    return [f.alias or name for name, f in getattr(current, "model_fields", {}).items()]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _strip_tags(doc: Document, loc: tuple[Any, ...], kind: str) -> tuple[Loc, bool]:
    """Drop pydantic's union tags from an error location: the step type of the discriminated
    union ('confirm') and the member names of plain unions ('str', 'list[str]'). Also says
    whether a plain-union member was dropped (its errors are then merged into one message)."""
    out: list[str | int] = []
    node = doc.data
    union = False
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, str):
            if isinstance(node, dict) and node.get("type") == part and not last:
                continue  # discriminator tag
            if not (isinstance(node, dict) and (part in node or (last and kind == "missing"))):
                union = True
                continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out), union


def _data_at(doc: Document, loc: Loc) -> Any:
    node = doc.data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def pydantic_problems(
    doc: Document, exc: ValidationError, *, prefix: Loc = (), model: type[BaseModel] | None = None
) -> Iterator[Problem]:
    """Problems of a model validated from ``doc`` (from the value at ``prefix``), each at its line
    and column: runbooks, and any other YAML file validated into a model (preflight config, drill
    scenarios). ``model`` (other than a runbook) gives the keys an unknown key is matched to."""
    grouped: dict[Loc, list[Any]] = {}
    unions: set[Loc] = set()
    for raw in exc.errors():
        err: Any = {**raw, "loc": (*prefix, *raw["loc"])}
        if err["type"] == "too_short" and _long_enough(err):
            continue  # pydantic counts only the items that validated: noise beside their errors
        loc, union = _strip_tags(doc, err["loc"], err["type"])
        grouped.setdefault(loc, []).append(err)
        if union:
            unions.add(loc)
    for loc, errs in grouped.items():
        merged = type_message([e["type"] for e in errs], errs[0].get("input"))
        if loc in unions and len(errs) > 1 and merged:
            yield doc.problem(loc, merged)
        else:
            for err in errs:
                yield _problem(doc, loc, err, model)


def _long_enough(err: Any) -> bool:
    value = err.get("input")
    minimum = (err.get("ctx") or {}).get("min_length", 1)
    return isinstance(value, list | tuple) and len(value) >= minimum


def _problem(doc: Document, loc: Loc, err: Any, model: type[BaseModel] | None) -> Problem:
    kind = err["type"]
    if kind == "missing":
        return doc.problem(loc[:-1], f"missing required key '{loc[-1]}'")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        keys = (
            _model_keys(loc[:-1], _data_at(doc, loc[:-1]))
            if model is None
            else _keys_of(model, loc[:-1])
        )
        hint = did_you_mean(name, keys)
        return doc.problem(loc, f"unknown key '{name}'{hint}", key=True)
    if kind == "union_tag_invalid":
        tag = str((err.get("ctx") or {}).get("tag"))
        return doc.problem(
            (*loc, "type"),
            f"unknown step type '{tag}'{did_you_mean(tag, STEP_TYPES)}; "
            f"expected one of: {', '.join(STEP_TYPES)}",
        )
    if kind == "union_tag_not_found":
        return doc.problem(loc, f"missing required key 'type' (one of: {', '.join(STEP_TYPES)})")
    return doc.problem(loc, message(loc, err))
