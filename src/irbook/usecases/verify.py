"""Recompute an incident's hash chain: is the event log exactly as it was written?

Pure, over a list of events in the order the store returns them (by seq). Each event's hash covers
its content and the previous hash, so an edited event breaks its own hash, a deleted one leaves a
gap in the seqs, and a reordered one breaks both. What the chain alone cannot see: the last events
cut off the end, or the whole log rewritten with fresh hashes; comparing the head hash with one
recorded elsewhere (a report, ``--expect``) catches both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from irbook.domain.eventlog import GENESIS_HASH, Event, event_hash
from irbook.usecases.incident_row import row_disagreements

if TYPE_CHECKING:
    from irbook.store import Reader
    from irbook.store.decode import DamagedRow


@dataclass(frozen=True)
class Verification:
    incident_id: str
    ok: bool
    events: int  # how many were read
    head_hash: str  # of the last event read ("" for none)
    bad_seq: int | None = None  # the first event that is wrong or missing
    problem: str = ""
    row_ok: bool = True  # the incident row agrees with the log (checked when the chain is intact)
    damaged: tuple[DamagedRow, ...] = ()  # rows that cannot be read as events at all

    def as_dict(self) -> dict[str, object]:
        return {
            "incident_id": self.incident_id,
            "ok": self.ok,
            "events": self.events,
            "head_hash": self.head_hash,
            "bad_seq": self.bad_seq,
            "problem": self.problem or None,
            "row_ok": self.row_ok,
            "damaged": [{"seq": d.seq, "cause": d.cause} for d in self.damaged],
        }


class ChainCheck:
    """``verify_chain`` one event at a time, for a log read as a stream (a report of 100,000
    events holds none of them): ``add`` each event in store order, then ``result``."""

    def __init__(
        self,
        incident_id: str,
        *,
        unreadable: frozenset[int] = frozenset(),
        after: tuple[int, str] | None = None,
    ) -> None:
        """``after``: (seq, hash) of an event already checked; the events given start after it
        (a second process checking the rest of a long log, report/split.py)."""
        self.incident_id = incident_id
        self.unreadable = unreadable
        self.count = 0 if after is None else after[0]
        self.head = "" if after is None else after[1]
        self._prev = GENESIS_HASH if after is None else after[1]
        self._bad: tuple[int, str] | None = None  # the first bad event: the chain stops there

    @property
    def intact(self) -> bool:
        """No bad event so far."""
        return self._bad is None

    def add(self, event: Event) -> None:
        self.count += 1
        if self._bad is not None:
            return
        expected = self.count
        if event.seq != expected:
            if expected in self.unreadable:
                self._bad = (expected, f"event {expected} cannot be read: the chain stops there")
                return
            what = "missing (deleted)" if event.seq > expected else "out of order"
            problem = f"event {expected} is {what}: found seq {event.seq} in its place"
            self._bad = (expected, problem)
        elif event.prev_hash != self._prev:
            self._bad = (
                event.seq,
                f"event {event.seq} does not follow event {event.seq - 1}: its "
                "prev_hash differs (an event before it was changed, removed or "
                "moved)",
            )
        elif event_hash(event) != event.hash:
            self._bad = (
                event.seq,
                f"event {event.seq} ({event.kind}) was edited: its content no "
                "longer matches its hash",
            )
        else:
            self._prev = self.head = event.hash

    def result(self, *, expect: str | None = None) -> Verification:
        incident_id, head, count = self.incident_id, self.head, self.count
        if count == 0:
            problem = "the incident has no events (its log was deleted)"
            return Verification(incident_id, False, 0, head, 1, problem)
        if self._bad is not None:
            return Verification(incident_id, False, count, head, *self._bad)
        if expect is not None and expect.strip().lower() != head:
            problem = (
                f"the chain is intact but ends at {head}, not at the expected "
                f"{expect.strip()} (events cut off the end, or the whole log rewritten)"
            )
            return Verification(incident_id, False, count, head, None, problem)
        return Verification(incident_id, True, count, head)


def verify_chain(
    incident_id: str,
    events: Iterable[Event],
    *,
    expect: str | None = None,
    unreadable: frozenset[int] = frozenset(),
) -> Verification:
    """Check seq continuity, each prev_hash link and each hash; stop at the first bad event.
    ``unreadable``: seqs of rows that exist but cannot be read (so not "deleted")."""
    check = ChainCheck(incident_id, unreadable=unreadable)
    for event in events:
        check.add(event)
    return check.result(expect=expect)


def verify_incident(store: Reader, incident_id: str, *, expect: str | None = None) -> Verification:
    """Read the incident's events straight from the store (no fold: the log may be damaged),
    then check what the incident row claims against an intact log. Rows that cannot be read as
    events at all are each reported, by seq and cause."""
    incident = store.incident(incident_id)
    events, damaged = store.scan(incident.id)
    if damaged:
        unreadable = frozenset(int(d.seq) for d in damaged if d.seq.isdigit())
        result = verify_chain(incident.id, events, expect=expect, unreadable=unreadable)
        if result.ok:  # e.g. a damaged row holding a seq after the last good one
            result = replace(
                result, ok=False, problem=f"{len(damaged)} event row(s) cannot be read"
            )
        return replace(result, damaged=tuple(damaged), events=len(events) + len(damaged))
    result = verify_chain(incident.id, events, expect=expect)
    if result.bad_seq is not None:
        return result  # the log itself is damaged: the row cannot be judged against it
    disagreements = row_disagreements(incident, events)
    if not disagreements:
        return result
    problem = "the incident row disagrees with the log: " + "; ".join(disagreements)
    if result.problem:
        problem = f"{result.problem}; {problem}"
    return replace(result, ok=False, problem=problem, row_ok=False)
