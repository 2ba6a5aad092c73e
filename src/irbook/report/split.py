"""A long log's report written by two processes, one per core (issue 17).

Decoding, formatting and checking every entry for secrets is CPU work that Python runs on one
core; on a 100,000-event log it is most of the report's time. When the log is long
(``SPLIT_FROM`` events) and the store is a SQLite file or a PostgreSQL server, the report
process forks once before it starts: the child opens its own connection to the database,
formats the entries of the events after the first ``HERE_SHARE`` of the log (each section's
entries, checked for secrets exactly as here) and re-checks their hash chain; the parent formats
the entries of the first part, folds and tallies the whole log for the report's head (decoding
only the payloads the head reads), then writes the document with the child's entries after its
own in every section.

Entries do not depend on each other (report/stream.py formats each alone), so the document is
byte for byte the one a single process writes (tests/report/test_report_split.py). The child
hands its entries over in an unnamed temporary file both processes hold (never named on disk)
and its verdict as one JSON line on a pipe. Both read the same rows: the log is append-only
(store/guards.py refuses an UPDATE or DELETE of an event) and both stop at the last event there
was when the report began. Whenever the child's answer is missing or does not fit (it failed,
was killed, or its chain does not start at the event this process checked last) the parent does
the child's part itself: slower, the same report.

Only on Linux, and where the reader says a child may read beside it (``reads_in_parallel``: the
stdlib SQLite read path, PostgreSQL). A forked child must not use a connection its parent opened:
it opens its own, and leaves the parent's alone (psycopg never closes a connection in a process
that did not open it, and the child ends with ``os._exit``). macOS documents that a fork without
exec may not survive its system libraries; elsewhere a report is written by one process. Nor in
a program with other threads running (the Python API): one of them could hold a lock at the
fork that the child would wait on forever.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any

from irbook.report import build
from irbook.report.stream import Context, Document, entry_maker, format_of, opening_context
from irbook.usecases.verify import ChainCheck, Verification

if TYPE_CHECKING:
    from irbook.domain.eventlog import Event
    from irbook.domain.models import Runbook
    from irbook.store import Reader

SPLIT_FROM = 20_000  # events: a shorter log is reported by one process well under a second
# The share of the log formatted by the report process; the rest goes to the child, which also
# re-checks that part's chain while the parent folds and tallies the whole log.
HERE_SHARE = 0.44
MAX_REPLY = 1 << 20  # bytes of the child's JSON verdict read from the pipe
# How long the report process waits for the child once its own part is done, at least: the
# child's part is about as long as this one, so past twice the time spent so far something is
# wrong (the child is stopped, and its part done here).
MIN_WAIT_S = 30.0


@dataclass(frozen=True)
class Plan:
    after: int  # the last event formatted here; the child formats the ones after it
    last: int  # the last event of the log when the report began


def plan(store: Reader, incident_id: str, fmt: str) -> Plan | None:
    """Whether to split this report, and where; None: one process."""
    # Linux only: elsewhere a fork without exec is not safe to rely on (macOS documents that
    # system libraries may not survive it), and the report is written by one process there.
    if not sys.platform.startswith("linux") or not store.reads_in_parallel:
        return None
    if threading.active_count() > 1:  # a program using the Python API: a thread could hold a
        return None  # lock at the fork that the child would then wait on forever
    if "timeline" not in format_of(fmt).RENDER:  # the follow-ups CSV lists a handful of events
        return None
    last = store.last_seq(incident_id)
    if last < SPLIT_FROM:
        return None
    return Plan(after=int(last * HERE_SHARE), last=last)


class SplitReport:
    """The child's part of a split report: started by ``start``, its entries attached to the
    document by ``attach`` (an ``Elsewhere`` for ``stream_report``), its chain verdict merged by
    ``chain`` (a ``ChainCheckLike``). ``close`` stops a child still running."""

    def __init__(
        self, store: Reader, incident_id: str, runbook: Runbook, fmt: str, split: Plan
    ) -> None:
        self._store = store
        self._incident_id = incident_id
        self._runbook = runbook
        self._fmt = fmt
        self.split = split
        self.after = split.after
        self._checks_chain = format_of(fmt).HEAD  # the CSV formats carry no verdict
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close)
        self._pid = 0
        self._pipe = -1
        self._started = 0.0  # when the child was forked
        self._reply: dict[str, Any] | None = None
        self._context: Context | None = None  # set when the child is started
        self.chain = SplitChain(self)

    def events(self, log: Generator[Event, None, None]) -> Iterator[Event]:
        """The events the report process reads, the child started at the first (whose payload
        gives the entries their context): ``log`` (the whole log, as ``open_events`` gives it)
        up to ``after``, then the rest up to ``last`` with only the payloads the fold and the
        head read (the others come as ``{}``: their entries are the child's)."""
        for event in log:
            if event.seq > self.after:
                break
            if self._context is None:  # the first event
                self.start(opening_context(self._incident_id, self._runbook, event))
            yield event
        log.close()  # its cursor: the rest is read again, with fewer payloads
        rest = self._store.iter_events(
            self._incident_id, after_seq=self.after, payloads=build.HEAD_PAYLOADS
        )
        for event in rest:
            if event.seq > self.split.last:
                break  # appended since the report began
            yield event

    def start(self, context: Context) -> None:
        """Fork the child (or, where that fails, leave its part for ``attach`` to do here)."""
        self._context = context
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: never returns into the caller
            os.close(read_end)
            code = 1
            try:
                from irbook.store import open_reader

                reader = open_reader(self._store.url)  # its own connection, never the parent's
                try:
                    reply = self._format_rest(reader)
                finally:
                    reader.close()
                data = json.dumps(reply).encode()
                while data:
                    data = data[os.write(write_end, data) :]
                code = 0
            except BaseException:  # any failure: the parent does this part itself
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end
        self._started = time.monotonic()

    def attach(self, doc: Document) -> None:
        """The child's entries after this process's own, in every section; its part is done here
        when the child has no answer."""
        reply = self._child_reply()
        if reply is None:
            self._file.seek(0)
            self._file.truncate()
            reply = self._format_rest(self._store)
        self._reply = reply
        for name, (offset, length, count) in reply["sections"].items():
            doc.attach(name, self._file, offset, length, count)
        doc.found.extend(k for k in reply["found"] if k not in doc.found)

    def close(self) -> None:
        self._stop_child()
        self._file.close()

    def _stop_child(self) -> None:
        if self._pid:
            with contextlib.suppress(ProcessLookupError):  # it had already exited
                os.kill(self._pid, signal.SIGKILL)
            self._wait()
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1

    def _child_reply(self) -> dict[str, Any] | None:
        if not self._pid:
            return None
        deadline = time.monotonic() + max(MIN_WAIT_S, 2 * (time.monotonic() - self._started))
        chunks = []
        size = 0
        while size <= MAX_REPLY:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._pipe], [], [], left)[0]:
                self._stop_child()  # stuck: stopped, and its part done here
                return None
            chunk = os.read(self._pipe, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        os.close(self._pipe)
        self._pipe = -1
        if self._wait() != 0:
            return None
        try:
            reply = json.loads(b"".join(chunks))
        except ValueError:
            return None
        return reply if _well_formed(reply) else None

    def _wait(self) -> int:
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return os.waitstatus_to_exitcode(status)

    def _format_rest(self, reader: Reader) -> dict[str, Any]:
        """Format the events after ``after`` up to ``last`` into the shared file, and re-check
        their chain from the event at ``after`` on (the one both processes must agree on)."""
        split = self.split
        writer = format_of(self._fmt)
        doc = Document(self._file, writer)
        doc.context = self._context or Context("", "", False)
        add_entries = entry_maker(writer, self._runbook)
        check: ChainCheck | None = None
        start_hash = None
        try:
            for event in reader.iter_events(self._incident_id, after_seq=split.after - 1):
                if event.seq > split.last:
                    break
                if self._checks_chain:
                    if check is None:
                        check = ChainCheck(
                            self._incident_id, after=(split.after - 1, event.prev_hash)
                        )
                        start_hash = event.hash if event.seq == split.after else None
                    if check.intact:
                        check.add(event)
                if event.seq > split.after:
                    add_entries(doc, event)
            sections = doc.export_sections(self._file)
        finally:
            doc.close()
        chain = None
        if check is not None:
            verdict = check.result()
            chain = {
                "start_hash": start_hash,
                "last_seq": check.count,
                "head": verdict.head_hash,
                "bad_seq": verdict.bad_seq,
                "problem": verdict.problem,
            }
        return {"sections": sections, "found": doc.found, "chain": chain}

    def rest_verdict(self, head_here: str, last: tuple[int, str]) -> dict[str, Any] | None:
        """The chain verdict on the child's part when it starts at ``head_here`` (the hash of the
        event at ``after`` as checked here) and ends at ``last``; None when it does not fit."""
        chain = (self._reply or {}).get("chain")
        if not isinstance(chain, dict) or chain.get("start_hash") != head_here:
            return None
        bad_seq = chain.get("bad_seq")
        if isinstance(bad_seq, int) and self.after < bad_seq <= last[0]:
            return chain
        if bad_seq is None and chain.get("last_seq") == last[0] and chain.get("head") == last[1]:
            return chain
        return None

    def check_rest_here(self, checked: tuple[int, str]) -> Verification:
        """The rest of the chain checked in this process, from the store, after ``checked``:
        the seq and hash of the last event checked here (``after``, or the one before it when
        the event at ``after`` is missing: the gap is then named as one process names it)."""
        check = ChainCheck(self._incident_id, after=checked)
        for event in self._store.iter_events(self._incident_id, after_seq=checked[0]):
            if event.seq > self.split.last or not check.intact:
                break
            check.add(event)
        return check.result()


class SplitChain:
    """The hash chain of a split report: the events up to ``after`` checked here as they go by,
    the rest by the child (``SplitReport.rest_verdict``), or here after all when its verdict does
    not fit."""

    def __init__(self, report: SplitReport) -> None:
        self._report = report
        self._here = ChainCheck(report._incident_id)
        self.count = 0
        self._last: tuple[int, str] | None = None

    def add(self, event: Event) -> None:
        self.count += 1
        self._last = (event.seq, event.hash)
        if event.seq <= self._report.after:
            self._here.add(event)

    def result(self) -> Verification:
        mine = self._here.result()
        if not mine.ok or self._last is None or self._last[0] <= self._report.after:
            return replace(mine, events=self.count)
        rest = self._report.rest_verdict(mine.head_hash, self._last)
        if rest is None:
            checked = (self._here.count, mine.head_hash)  # intact: seqs 1..count, no gap
            return replace(self._report.check_rest_here(checked), events=self.count)
        if rest["bad_seq"] is not None:
            problem = str(rest["problem"])
            return Verification(
                mine.incident_id, False, self.count, rest["head"], rest["bad_seq"], problem
            )
        return Verification(mine.incident_id, True, self.count, self._last[1])


def _well_formed(reply: Any) -> bool:
    if not isinstance(reply, dict) or not isinstance(reply.get("found"), list):
        return False
    sections = reply.get("sections")
    return isinstance(sections, dict) and all(
        isinstance(v, list) and len(v) == 3 and all(type(n) is int and n >= 0 for n in v)
        for v in sections.values()
    )
