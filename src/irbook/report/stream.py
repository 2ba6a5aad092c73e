"""The report of a log of any length, in one pass and bounded memory (issue 17).

The events are read a batch at a time (``Reader.iter_events``) and each one is folded into the
state, added to the ``Tally`` (people, phase start times, hash chain, corrections) and, when the
format lists it, formatted at once into its section's spill: a temporary file kept in memory up
to ``SPILL_IN_MEMORY`` and on disk (unnamed, 0600) past it. When the log ends, the head of the
report (summary, phases, metrics: everything that needs the whole log) is built and the document
is written: head parts, then each section copied from its spill.

The last secret check (``redact``) runs on everything written: on each event's entry before it is
formatted (its strings, dict keys included: the findings' keys become table headers), on the head
(summary, inputs, step answers...) before it is formatted, and on every part of the document as it
is written. Checking the entries before formatting also catches
a secret that the formatting would have disguised from a check of the output (Markdown escapes
the ``_`` of ``ghp_...``; a reader who copies the text gets the token back). A batch's strings
are checked together (joined by newlines) and only a batch with a finding is redacted string by
string, so the check costs about one pass over the text; the rules' keywords are found in one
hyperscan pass (``audit.keywords``), not one search per keyword, and past ``RULE_FILTER_FROM``
characters a second pass rules out the rules whose keywords are everyday words but whose
patterns do not occur (``audit.keywords.rule_filter``).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Protocol

from irbook.audit.keywords import keyword_finder, rule_filter
from irbook.domain import engine
from irbook.domain.events import Event, Kind
from irbook.domain.models import Runbook
from irbook.domain.redact import RuleFilter, find_secrets, redact
from irbook.report import build
from irbook.report.model import Report

SPILL_IN_MEMORY = 4 << 20  # bytes per section before its spill moves to a temporary file
BATCH = 500  # events formatted (and checked for secrets) together
COPY_CHUNK = 64 << 10  # bytes copied at a time from a spill to the report
# characters checked before the rule prefilter is compiled (about 40 ms: worth it for a big
# report only; a small one runs the rules whose keywords occur, as every other check does)
RULE_FILTER_FROM = 2 << 20

Item = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What a section's entries may name besides themselves (the follow-ups CSV does)."""

    incident_id: str
    title: str
    drill: bool = False  # a rehearsal: every format says so


Render = Callable[[list[Item], Context], str]

# Which event kinds each streamed section lists, and how one event becomes one entry.
_BUILD: dict[str, tuple[frozenset[str], Callable[[Event], Item]]] = {
    "notes": (frozenset({Kind.NOTE_ADDED}), build.note),
    "evidence": (frozenset({Kind.EVIDENCE_ATTACHED}), build.evidence),
    "checks": (frozenset({Kind.CHECK_RAN}), build.check),
    "commands": (frozenset({Kind.COMMAND_RAN}), build.command),
    "notifications": (
        frozenset({Kind.NOTIFICATION_RENDERED, Kind.NOTIFICATION_SENT}),
        build.notification,
    ),
    "followups": (frozenset({Kind.FOLLOWUP_ADDED}), build.followup),
}


class Format(Protocol):
    """An export format: how a batch of each section's entries is written, then the document.

    ``HEAD``: the document has the report's head (summary, phases, people, the hash chain's
    verdict). The CSV formats have none: they are given None, and the pass skips what only the
    head needs (re-hashing every event).
    """

    HEAD: bool
    RENDER: dict[str, Render]

    def write_document(self, r: Report | None, doc: Document) -> None: ...


@dataclass
class _Section:
    render: Render
    file: IO[bytes] = field(
        default_factory=lambda: tempfile.SpooledTemporaryFile(max_size=SPILL_IN_MEMORY)  # noqa: SIM115 (closed by Document.close)
    )
    pending: list[Item] = field(default_factory=list)
    count: int = 0
    # entries formatted elsewhere (another process, report/split.py), written after this spill:
    # (file, offset, length)
    parts: list[tuple[IO[bytes], int, int]] = field(default_factory=list)


class Document:
    """Where a format writes: ``text`` for its own parts, ``section`` for a spilled section.
    Every part is checked for secrets (``found`` names the kinds masked)."""

    def __init__(self, out: IO[bytes], fmt: Format) -> None:
        self._out = out
        self._sections = {name: _Section(render) for name, render in fmt.RENDER.items()}
        self.context = Context("", "", False)
        self.last_at: datetime | None = None  # of the last event (the HTML timeline's edge)
        self.found: list[str] = []
        self._finder = keyword_finder()  # one pass for the rules' keywords (the same answer)
        self._rules: RuleFilter | None = None  # which rules may match (the same answer)
        self._checked = 0  # characters checked so far
        self._rules_asked = False

    def _rule_filter(self, size: int) -> RuleFilter | None:
        self._checked += size
        if not self._rules_asked and self._checked > RULE_FILTER_FROM:
            self._rules_asked = True
            self._rules = rule_filter()
        return self._rules

    def checked(self, text: str) -> str:
        clean, found = redact(text, finder=self._finder, rules=self._rule_filter(len(text)))
        self.found.extend(k for k in found if k not in self.found)
        return clean

    def text(self, text: str) -> None:
        if text:
            self._out.write(self.checked(text).encode())

    def count(self, name: str) -> int:
        return self._sections[name].count

    def section(self, name: str, *, skip: int = 0) -> None:
        """The section's entries as formatted (and already checked); ``skip`` drops that many
        leading bytes (a separator that only goes between entries)."""
        section = self._sections[name]
        spill = section.file
        length = spill.seek(0, io.SEEK_END)
        for file, offset, size in [(spill, 0, length), *section.parts]:
            dropped = min(skip, size)
            skip -= dropped
            file.seek(offset + dropped)
            left = size - dropped
            while left > 0 and (chunk := file.read(min(COPY_CHUNK, left))):
                self._out.write(chunk)
                left -= len(chunk)

    def export_sections(self, out: IO[bytes]) -> dict[str, tuple[int, int, int]]:
        """Every section's entries (flushed) copied to ``out`` one after the other: where each
        went, as (offset, length, count), for ``attach`` in the process that writes the report."""
        self.flush()
        where = {}
        for name, section in self._sections.items():
            start = out.tell()
            section.file.seek(0)
            shutil.copyfileobj(section.file, out, COPY_CHUNK)
            where[name] = (start, out.tell() - start, section.count)
        out.flush()
        return where

    def attach(self, name: str, file: IO[bytes], offset: int, length: int, count: int) -> None:
        """Entries of ``name`` formatted and checked elsewhere, to follow this document's own."""
        section = self._sections[name]
        section.parts.append((file, offset, length))
        section.count += count

    def add(self, name: str, item: Item) -> None:
        section = self._sections[name]
        section.pending.append(item)
        section.count += 1
        if len(section.pending) >= BATCH:
            self._flush(section)

    def flush(self) -> None:
        for section in self._sections.values():
            self._flush(section)

    def _flush(self, section: _Section) -> None:
        if section.pending:
            items = section.pending
            # each distinct string once (names, hosts, kinds and ids repeat in every entry)
            joined = "\n".join(set(_strings(items)))
            rules = self._rule_filter(len(joined))
            if find_secrets(joined, finder=self._finder, rules=rules):  # rare: entry by entry
                items = [self._clean(item) for item in items]
            section.file.write(section.render(items, self.context).encode())
            section.pending = []

    def checked_head(self, head: Report) -> Report:
        """The head with every string redacted when one holds a secret, checked before it is
        formatted like the entries are (Markdown escaping would disguise a token from the check
        of the written text, which still runs)."""
        data = head.model_dump()
        if not find_secrets("\n".join(set(_strings([data]))), finder=self._finder):
            return head
        return Report.model_validate(self._clean(data))

    def _clean(self, value: Any) -> Any:
        """``value`` with every string (dict keys too) redacted; the kinds go to ``found``."""
        if isinstance(value, str):
            return self.checked(value)
        if isinstance(value, list):
            return [self._clean(v) for v in value]
        if isinstance(value, dict):
            return {self._clean(k): self._clean(v) for k, v in value.items()}
        return value

    def close(self) -> None:
        for section in self._sections.values():
            section.file.close()


_PLAIN = frozenset({str, int, float, bool, type(None), datetime})  # no string inside


def _strings(items: list[Item]) -> list[str]:
    """Every string in a batch of entries for the secret check: the values, and the keys of the
    dicts inside them (a check's findings). Comprehensions first: this runs over every event."""
    values = [v for item in items for v in item.values()]
    out = [v for v in values if type(v) is str]
    # lists and dicts, and a str subclass (a Kind member): the exact type test is about twice as
    # fast as isinstance over a 100,000-event report's million values
    nested = [v for v in values if type(v) not in _PLAIN]
    while nested:
        value = nested.pop()
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            nested.extend(value)
        elif isinstance(value, dict):
            out.extend([k for k in value if isinstance(k, str)])
            nested.extend(value.values())
    return out


@dataclass(frozen=True)
class Streamed:
    incident_id: str
    status: str  # the incident's status (open, completed, ...)
    found: tuple[str, ...]  # kinds of secret masked by the last check


class Elsewhere(Protocol):
    """The entries of the events after ``after`` are formatted by someone else (report/split.py);
    ``attach`` adds them to the document once this process has formatted its own."""

    after: int

    def attach(self, doc: Document) -> None: ...


def entry_maker(writer: Format, runbook: Runbook) -> Callable[[Document, Event], None]:
    """What adds one event's entries to a document: its kind's section, and the timeline."""
    phase_of = build.phases_of(runbook)
    # kind -> the listed sections that show it (one lookup per event, not one per section)
    listed: dict[str, list[tuple[str, Callable[[Event], Item]]]] = {}
    for name, (kinds, make) in _BUILD.items():
        if name in writer.RENDER:
            for kind in kinds:
                listed.setdefault(kind, []).append((name, make))
    with_timeline = "timeline" in writer.RENDER

    def add_entries(doc: Document, event: Event) -> None:
        for name, make in listed.get(event.kind, ()):
            doc.add(name, make(event))
        if with_timeline:
            doc.add("timeline", build.timeline_entry(event, phase_of))

    return add_entries


def stream_report(
    incident_id: str,
    runbook: Runbook,
    events: Iterable[Event],
    fmt: str,
    out: IO[bytes],
    *,
    chain: build.ChainCheckLike | None = None,
    elsewhere: Elsewhere | None = None,
) -> Streamed:
    """Write the report of ``events`` (the whole log, in seq order) to ``out`` in ``fmt``.
    ``chain``: what re-checks the hash chain (by default a ``ChainCheck`` here). ``elsewhere``:
    who formats the entries of the events after ``elsewhere.after`` (they are still folded and
    tallied here, for the head)."""
    writer = format_of(fmt)
    state = engine.new_state(incident_id, runbook, keep_events=False)
    tally = build.Tally(incident_id, runbook, chain=chain) if writer.HEAD else None
    doc = Document(out, writer)
    add_entries = entry_maker(writer, runbook)
    last_here = elsewhere.after if elsewhere is not None else None
    try:
        for event in events:
            engine.apply(state, event)
            if event.kind == Kind.INCIDENT_OPENED:
                doc.context = Context(incident_id, state.title, state.drill)
            if tally is not None:
                tally.add(event)
            if last_here is None or event.seq <= last_here:
                add_entries(doc, event)
        doc.flush()
        if elsewhere is not None:
            elsewhere.attach(doc)
        doc.last_at = state.last.at if state.last is not None else None
        writer.write_document(
            doc.checked_head(build.build_head(state, tally)) if tally else None, doc
        )
    finally:
        doc.close()
    return Streamed(incident_id, state.status, tuple(doc.found))


def opening_context(incident_id: str, runbook: Runbook, first: Event) -> Context:
    """The ``Context`` ``stream_report`` gives the entries once the log's first event is in."""
    if first.kind != Kind.INCIDENT_OPENED:
        return Context("", "", False)
    state = engine.new_state(incident_id, runbook, keep_events=False)
    engine.apply(state, first)
    return Context(incident_id, state.title, state.drill)


def payloads_needed(fmt: str) -> frozenset[str] | None:
    """The kinds whose payload the report in ``fmt`` reads (None: every kind): the fold's, and
    those of the sections it lists; the timeline describes every event."""
    writer = format_of(fmt)
    if "timeline" in writer.RENDER:
        return None
    listed = [kinds for name, (kinds, _) in _BUILD.items() if name in writer.RENDER]
    return engine.PAYLOAD_KINDS.union(*listed)


def format_model(r: Report, fmt: str) -> str:
    """A Report model (``build_report``) in ``fmt``, through the same writers."""
    writer = format_of(fmt)
    out = io.BytesIO()
    doc = Document(out, writer)
    doc.context = Context(r.incident_id, r.title, r.drill)
    doc.last_at = r.timeline[-1].at if r.timeline else None
    try:
        for name in writer.RENDER:
            for entry in getattr(r, name):
                doc.add(name, entry.model_dump())
        doc.flush()
        writer.write_document(r.model_copy(update={name: [] for name in build.STREAMED}), doc)
    finally:
        doc.close()
    return out.getvalue().decode()


def format_of(fmt: str) -> Format:
    """The writer of one of ``report.FORMATS``."""
    if fmt == "md":
        from irbook.report import markdown

        return markdown
    if fmt == "html":
        from irbook.report import html

        return html
    if fmt == "json":
        from irbook.report import jsonout

        return jsonout
    from irbook.report.csvout import FollowupsCsv, TimelineCsv

    if fmt == "csv":
        return TimelineCsv()
    if fmt == "followups-csv":
        return FollowupsCsv()
    from irbook.errors import UsageError
    from irbook.report import FORMATS

    raise UsageError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
