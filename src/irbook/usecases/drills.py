"""Drill injects: the one home of "deliver what is due", shared by the walker (and Python callers).

An inject is delivered when a responder at a prompt is shown it: ``deliver_due_injects`` records
one ``inject_delivered`` event per due inject, exactly once whatever the number of walkers. Like a
step's answer, the events name the seq they expect; when another walker wrote first, the log is
caught up and what is still undelivered is decided again, so an inject another walker recorded
meanwhile is not recorded twice.

``irbook watch`` only shows injects (``inject_lines``); it records nothing: watch is a read
command, and "delivered" in the record means "a responder at a prompt was shown it".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from irbook.domain import engine
from irbook.domain.drills import DueInject, Inject, Scenario, due_injects, scenario_of
from irbook.domain.engine import IncidentState
from irbook.domain.events import Event, InjectDelivered, Kind, NewEvent
from irbook.store import Store
from irbook.usecases.incidents import Responder, catch_up, record_all
from irbook.usecases.retry import retry_on_conflict


@dataclass(frozen=True)
class Delivery:
    """An inject and the event that recorded its delivery."""

    inject: Inject
    event: Event

    @property
    def due_at(self) -> datetime:
        return datetime.fromisoformat(self.event.payload["due_at"])


def delivered_events(state: IncidentState) -> dict[str, Event]:
    """Inject id -> its (first) ``inject_delivered`` event, from the log."""
    out: dict[str, Event] = {}
    for event in state.events_of(Kind.INJECT_DELIVERED):
        out.setdefault(str(event.payload.get("inject_id", "")), event)
    return out


def deliveries(state: IncidentState, *, after_seq: int = 0) -> list[Delivery]:
    """The injects recorded as delivered after ``after_seq``, in log order."""
    scenario = scenario_of(state)
    if scenario is None:
        return []
    by_id = {inject.id: inject for inject in scenario.injects}
    return [
        Delivery(by_id[inject_id], event)
        for inject_id, event in delivered_events(state).items()
        if event.seq > after_seq and inject_id in by_id
    ]


def undelivered(scenario: Scenario, state: IncidentState, now: datetime) -> list[DueInject]:
    """The injects due at ``now`` with no ``inject_delivered`` event yet."""
    delivered = set(delivered_events(state))
    return [d for d in due_injects(scenario, state, now, delivered=delivered) if not d.delivered]


def deliver_due_injects(
    store: Store,
    state: IncidentState,
    responder: Responder,
    now: datetime | None = None,
    *,
    on_conflict: Callable[[], int] | None = None,
) -> list[DueInject]:
    """Record an ``inject_delivered`` event for every inject due at ``now`` (default: the
    responder's clock) that has none yet, in one transaction, and apply them to ``state``.
    Returns the injects this call recorded (none when another walker recorded them first).

    ``on_conflict`` catches the state up after a lost race (the walker passes its own, which also
    tells the responder what the others did); by default ``incidents.catch_up``.
    """
    scenario = scenario_of(state)
    if scenario is None or not scenario.injects:
        return []
    when = now or responder.clock()

    def attempt() -> list[DueInject]:
        # decided afresh after every conflict: the caught-up log may hold another's delivery
        if state.status != engine.OPEN:
            return []
        due = undelivered(scenario, state, when)
        if due:
            record_all(store, state, [_delivered(d) for d in due], responder)
        return due

    catch = on_conflict or (lambda: len(catch_up(store, state)))
    return retry_on_conflict(attempt, catch_up=catch, backoff_s=0.0)


def _delivered(due: DueInject) -> NewEvent:
    payload = InjectDelivered(
        inject_id=due.inject.id, title=due.inject.title, due_at=due.due_at.isoformat()
    )
    return NewEvent(Kind.INJECT_DELIVERED, payload)


@dataclass(frozen=True)
class InjectLine:
    """One inject as ``watch`` shows it: delivered (when, by whom) or due and not yet shown at a
    prompt. Injects not yet due stay hidden: the team must not read them ahead of time."""

    inject_id: str
    title: str
    due_at: datetime
    delivered_at: datetime | None
    delivered_by: str | None


def inject_lines(state: IncidentState, now: datetime) -> list[InjectLine]:
    """The due injects of a drill (delivered or not), in the order they became due."""
    scenario = scenario_of(state)
    if scenario is None:
        return []
    delivered = delivered_events(state)
    due = {d.inject.id: d.due_at for d in due_injects(scenario, state, now, delivered=set())}
    out = []
    for inject in scenario.injects:
        event = delivered.get(inject.id)
        if event is not None:  # delivered stays delivered (its step may have been reopened since)
            when = datetime.fromisoformat(event.payload["due_at"])
            out.append(InjectLine(inject.id, inject.title, when, event.at, event.actor))
        elif inject.id in due:
            out.append(InjectLine(inject.id, inject.title, due[inject.id], None, None))
    return sorted(out, key=lambda line: line.due_at)
