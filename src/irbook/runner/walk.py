"""The walk: state -> next step -> ask -> append event -> repeat.

The walker keeps no state of its own: it folds the event log, asks the next step, appends the
answer (committed before the next prompt) and applies it. When another responder appended first
(``AppendConflict``), it reloads, says what the other did, and asks again only if the step is
still open.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any, Literal

from irbook.domain import engine
from irbook.domain.describe import describe_event, show_value, step_path
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.events import (
    CheckRan,
    Event,
    InputRecorded,
    Kind,
    NewEvent,
    NoteAdded,
    StepCompleted,
    StepNotApplicable,
    StepReopened,
    StepSkipped,
    StepWaiting,
    attributed,
)
from irbook.domain.models import ChecklistStep, CheckStep, CommandStep, NotifyStep, Step
from irbook.domain.redact import redact, redact_value
from irbook.errors import (
    CheckFailed,
    CommandFailed,
    Interrupted,
    IrbookError,
    TerminalInputError,
    UsageError,
)
from irbook.notify.message import Notification
from irbook.runner import actions
from irbook.runner.corrections import correct_input
from irbook.runner.decisions import (
    AddNote,
    Again,
    Attach,
    Complete,
    CorrectInput,
    Decision,
    GoBack,
    NotApplicable,
    Override,
    Pause,
    Skip,
    Wait,
)
from irbook.runner.display import Display
from irbook.runner.shown import finding_lines, last_lines
from irbook.runner.sources import UNANSWERED, DecisionSource
from irbook.store import Store
from irbook.usecases.drills import deliver_due_injects, deliveries
from irbook.usecases.incidents import (
    Responder,
    catch_up,
    close_incident,
    evidence_payload,
    load_state,
    record,
    record_all,
)
from irbook.usecases.retry import retry_on_conflict

# Up to this long before each try at settling a step: invisible to a person, and enough to share
# out the races between walkers answering the same steps (tests/team/test_fairness.py).
FAIR_PAUSE_S = 0.005
LOST_STEP = "your answer to this step was not recorded: it was settled by someone else first"


@dataclass
class WalkOptions:
    role: str | None = None
    out_dir: Path | None = None
    templates_dir: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)
    resume_command: str = "irbook resume"
    interactive: bool = True
    # Inputs fixed before the walk (a drill scenario's): recorded as answered, never asked.
    preset_inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class WalkResult:
    state: IncidentState
    outcome: Literal["paused", "settled", "closed", "waiting"]


class Walker:
    def __init__(
        self,
        *,
        store: Store,
        responder: Responder,
        source: DecisionSource,
        display: Display,
        options: WalkOptions,
    ) -> None:
        self.store = store
        self.responder = responder
        self.source = source
        self.display = display
        self.options = options
        self.state: IncidentState | None = None
        self._waited_again: set[str] = set()  # waiting steps waited on again at the walk's end
        self._came_back: set[str] = set()
        self._told_overdue: set[str] = set()
        self._shown_injects: set[str] = set()  # a drill's injects shown in this walk
        self._walk_from_seq = 0  # deliveries before this walk were shown to whoever was there

    # --- the loop ------------------------------------------------------------------------------

    def run(
        self,
        incident_id: str,
        *,
        corrections: list[CorrectInput] | None = None,
        resumed: bool = False,
    ) -> WalkResult:
        """Walk ``incident_id`` from its first open step. ``resumed``: the caller continues an
        incident it did not just open (said on the first line, even when nothing was answered
        yet: "Started" there would read as a second incident)."""
        state = self.state = load_state(self.store, incident_id)
        if state.status != engine.OPEN:
            raise UsageError(
                f"incident {state.incident_id} is closed ({state.status})",
                hint=f"`irbook report {state.incident_id}` exports its report",
            )
        self.display.incident(state, resumed=resumed)
        self._walk_from_seq = state.last_seq
        for path in actions.publish_recorded_drafts(state):
            self.display.notice(f"wrote {path} (recorded before the last run was stopped)")
        try:
            self._injects()
            self._ask_inputs()
            shown_phase = None
            for correction in corrections or []:
                self._correct(correction)  # raises (nothing walked) when it cannot be recorded
            while (step := self._next()) is not None:
                self._tell_overdue()
                self._injects()
                phase = self.current.runbook.phase_of(step.id)
                progress = engine.progress(self.current, role=self.options.role)
                if phase.id != shown_phase:
                    self.display.phase(phase, progress)
                    shown_phase = phase.id
                self.display.step(step, self.current, progress)
                decision = self.source.decide(step, self.current)
                if isinstance(decision, Pause):
                    self.display.notice(f"paused; resume with: {self.options.resume_command}")
                    return WalkResult(self.current, "paused")
                self._carry_out(step, decision)
            self._injects()  # due once the last steps settled: recorded before the walk ends
            still = engine.waiting_steps(self.current)
            if still:  # waited on again when the walk came back to them: open until resumed
                for waiting_step, st in still:
                    self.display.notice(f"still open: {_waiting_line(waiting_step, st)}")
                self.display.notice(f"resume with: {self.options.resume_command}")
                return WalkResult(self.current, "waiting")
            waits = engine.waiting(self.current, role=self.options.role)
            if waits:  # a role walk whose remaining steps need other roles' steps first
                self.display.waiting(self.current, waits)
                return WalkResult(self.current, "waiting")
            self.display.finished(self.current)
            if self.options.role is None and self.source.close_at_end():
                # close_incident folds afresh and applies its close event to what it returns
                self.state = close_incident(
                    self.store, self.current.incident_id, responder=self.responder
                )
                self.display.recorded(f"incident {describe_event(self.current.events[-1])}")
                return WalkResult(self.current, "closed")
            return WalkResult(self.current, "settled")
        except KeyboardInterrupt:
            raise Interrupted(
                "interrupted: everything answered so far is saved",
                hint=f"resume with: {self.options.resume_command}",
            ) from None
        except TerminalInputError as err:
            raise TerminalInputError(
                f"{err.message}: everything answered so far is saved",
                hint=f"resume with: {self.options.resume_command}",
            ) from None

    def _next(self) -> Step | None:
        """The next pending step; once none is left, the waiting steps, each once more (the
        walk comes back to them), until the responder waits on them again in this run."""
        step = engine.next_step(self.current, role=self.options.role, include_waiting=False)
        if step is not None:
            return step
        for candidate in engine.open_steps(self.current, role=self.options.role):
            st = self.current.steps[candidate.id]
            if (
                st.status is StepStatus.WAITING
                and candidate.id not in self._waited_again
                and engine.needs_met(self.current, candidate)
            ):
                if candidate.id not in self._came_back:
                    self._came_back.add(candidate.id)
                    self.display.notice(f"back to a waiting step: {_waiting_line(candidate, st)}")
                return candidate
        return None

    def _tell_overdue(self) -> None:
        """Say once per walk, at the next prompt, that a waiting step's due time has passed."""
        for step, st in engine.overdue_steps(self.current, self.responder.clock()):
            if step.id not in self._told_overdue:
                self._told_overdue.add(step.id)
                self.display.notice(f"OVERDUE: {_waiting_line(step, st)}")

    def _injects(self) -> None:
        """A drill's injects due now, shown before the next question: each recorded as delivered
        once (whichever walker is first), and shown in this walk once, also when another
        responder's walker recorded it meanwhile."""
        if not self.current.drill:
            return
        deliver_due_injects(self.store, self.current, self.responder, on_conflict=self._catch_up)
        for delivery in deliveries(self.current, after_seq=self._walk_from_seq):
            if delivery.inject.id not in self._shown_injects:
                self._shown_injects.add(delivery.inject.id)
                self.display.inject(delivery.inject, delivery.due_at)

    @property
    def current(self) -> IncidentState:
        assert self.state is not None  # set at the start of run()
        return self.state

    def _ask_inputs(self) -> None:
        for spec in engine.missing_inputs(self.current):
            if spec.id in self.current.inputs:
                continue  # another responder recorded it while we asked an earlier one
            if spec.id in self.options.preset_inputs:
                value = self.options.preset_inputs[spec.id]
            else:
                if self.options.interactive and spec.help:
                    self.display.input(spec)  # the runbook's help for it, before the question
                value = self.source.input_value(spec)
            clean, found = redact_value(None if value is UNANSWERED else value)
            self._tell_redacted(found)
            payload = InputRecorded(input_id=spec.id, value=clean, redacted=found)
            self._record_unless(
                [NewEvent(Kind.INPUT_RECORDED, payload)],
                taken=partial(self.current.inputs.__contains__, spec.id),
                lost=f"your answer to input {spec.id} was not recorded: "
                "someone else answered it first",
            )

    # --- decisions -----------------------------------------------------------------------------

    def _carry_out(self, step: Step, decision: Decision) -> None:
        try:
            if isinstance(decision, Complete):
                self._complete(step, decision)
            elif isinstance(decision, Skip):
                self._skip(step, decision.reason)
            elif isinstance(decision, NotApplicable):
                self._not_applicable(step, decision.reason)
            elif isinstance(decision, Wait):
                self._wait(step, decision)
            elif isinstance(decision, Override):
                self._override(step, decision.reason)
            elif isinstance(decision, CorrectInput):
                self._correct(decision)
            elif isinstance(decision, Again):
                return  # nothing recorded: the loop shows the same step again
            elif isinstance(decision, AddNote):
                text, found = redact(decision.text)
                self._tell_redacted(found)
                note = NoteAdded(text=text, redacted=found)
                self._append_fact(NewEvent(Kind.NOTE_ADDED, note, step_id=step.id))
                self.display.recorded("note added")
            elif isinstance(decision, Attach):
                payload = evidence_payload(Path(decision.path).expanduser(), decision.description)
                self._append_fact(NewEvent(Kind.EVIDENCE_ATTACHED, payload, step_id=step.id))
                self.display.recorded(f"evidence attached: sha256 {payload.sha256[:16]}…")
            elif isinstance(decision, GoBack):
                reopen = NewEvent(
                    Kind.STEP_REOPENED, StepReopened(reason="went back"), step_id=decision.step_id
                )
                self._append_fact(reopen)
                self.display.recorded(f"back to step {decision.step_id}")
        except IrbookError as err:
            if not self.options.interactive or isinstance(err, Interrupted):
                raise
            self.display.problem(err.message + (f"\n{err.hint}" if err.hint else ""))

    def _complete(self, step: Step, decision: Complete) -> None:
        if isinstance(step, ChecklistStep):
            self._complete_checklist(step, decision)
            return
        if decision.perform and isinstance(step, CheckStep | NotifyStep | CommandStep):
            self._perform(step)
            return
        clean, found = redact_value(decision.value)
        self._tell_redacted(found)
        completed = StepCompleted(value=clean, redacted=found)
        self._settle(step, [NewEvent(Kind.STEP_COMPLETED, completed, step_id=step.id)])

    def _perform(self, step: CheckStep | NotifyStep | CommandStep) -> None:
        """Run a check, render a notification or run a command, and record its result and the
        step's completion in one transaction: a kill never leaves a result without its
        completion (which a resume would run again), and when several responders perform the
        same step, only the first to record it counts (the others' results are dropped)."""
        self._catch_up()  # settled by someone else meanwhile? then there is nothing to run
        if self.current.steps[step.id].status not in engine.OPEN_STATES:
            self.display.notice(LOST_STEP)
            return
        recorded = engine.recorded_result(self.current, step.id)
        if recorded is not None:
            self.display.notice(
                f"{step.id}: using the result recorded at event {recorded.seq} "
                f"({recorded.kind.replace('_', ' ')}, {recorded.actor} at {recorded.at:%H:%M}) "
                "instead of running it again; go back to this step to run it again"
            )
            value = actions.recorded_value(recorded.kind, recorded.payload)
            self._settle(step, [self._completion(step, value)])
            return
        if isinstance(step, CheckStep):
            check = self._run_check(step)
            result = NewEvent(Kind.CHECK_RAN, check, step_id=step.id)
            if self._settle(step, [result, self._completion(step, result)]):
                self.display.recorded(f"check: {check.summary}")
                if check.findings:  # which ones, not only how many
                    self.display.details(
                        finding_lines(check.findings, incident_id=self.current.incident_id)
                    )
        elif isinstance(step, NotifyStep):
            draft = actions.draft_notify(
                step,
                self.current,
                responder=self.responder,
                out_dir=self.options.out_dir,
                templates_dir=self.options.templates_dir,
            )
            if not self._reviewed(step, draft.notification):
                draft.discard()  # read and not recorded: nothing written, the step stays open
                self.display.notice("not recorded; the step stays open")
                return
            result = NewEvent(Kind.NOTIFICATION_RENDERED, draft.rendered, step_id=step.id)
            # On an error or Ctrl-C the draft stays: whether the commit landed is unknown (a
            # connection lost after COMMIT), and the next resume publishes it only if it did.
            won = self._settle(step, [result, self._completion(step, result)])
            if won:
                self.display.recorded(f"wrote {draft.publish()}")
            else:
                draft.discard()
        else:
            self._run_command(step)

    def _run_check(self, step: CheckStep) -> CheckRan:
        """Run the check. One that cannot run (a path not found) is recorded as failed and the
        step stays open: correct the input and run it again, or override it with a reason."""
        try:
            return actions.run_check(step, self.current, cwd=self.options.cwd)
        except Interrupted:
            raise
        except IrbookError as err:
            failed = CheckRan(
                action=step.uses, ok=False, summary=err.message, failed=True, inputs=[]
            )
            self._append_fact(NewEvent(Kind.CHECK_RAN, failed, step_id=step.id))
            raise CheckFailed(
                f"check {step.id} failed: {err.message}; the step stays open",
                hint="correct the input (`Change an input`, or `irbook set ID NAME=VALUE`) and "
                "run the check again, or override it with a reason",
            ) from None

    def _override(self, step: Step, reason: str) -> None:
        if not isinstance(step, CheckStep) or not engine.check_failed(self.current, step.id):
            raise UsageError(f"step {step.id}: only a check that failed can be overridden")
        if not reason.strip():
            raise UsageError("an override needs a reason")
        clean, found = redact(reason.strip())
        self._tell_redacted(found)
        payload = StepCompleted(
            value={"ok": False, "overridden": True}, redacted=found, reason=clean, overridden=True
        )
        self._settle(step, [NewEvent(Kind.STEP_COMPLETED, payload, step_id=step.id)])

    def _correct(self, decision: CorrectInput) -> None:
        fix = correct_input(
            self.store, self.current, decision.input_id, decision.value, responder=self.responder
        )
        self._tell_redacted(fix.redacted)
        if fix.event is None:
            self.display.recorded(f"{decision.input_id}: unchanged")
            return
        p = fix.event.payload
        self.display.recorded(
            f"input {decision.input_id} = {show_value(p['value'])} (was {show_value(p['previous'])})"
        )
        for check in fix.rerun:
            if self.current.steps[check.id].status in engine.OPEN_STATES:
                self.display.notice(f"check {check.id} ran with the old value: run it again")
            elif decision.rerun:
                reopen = StepReopened(reason=f"input {decision.input_id} corrected: re-run")
                self._append_fact(NewEvent(Kind.STEP_REOPENED, reopen, step_id=check.id))
                self.display.recorded(f"{check.id} reopened to run again")
            else:
                self.display.notice(f"check {check.id} ran with the old value (not re-run)")

    def _wait(self, step: Step, decision: Wait) -> None:
        """Keep the step open, waiting on someone or something; the walk goes on without it."""
        on, found = redact(decision.on.strip())
        if not on:
            raise UsageError("'waiting' needs who or what it waits on")
        self._tell_redacted(found)
        due = decision.due.astimezone(UTC).isoformat() if decision.due is not None else ""
        st = self.current.steps[step.id]
        if step.id in self._came_back:
            self._waited_again.add(step.id)
        same_due = (st.due.isoformat() if st.due else "") == due
        if st.status is StepStatus.WAITING and st.waiting_on == on and same_due:
            self.display.recorded(f"{step.id}: still waiting on {on}")
            return  # nothing new to record (an answers file passed again)
        payload = StepWaiting(on=on, due=due, redacted=found)
        self._append_fact(NewEvent(Kind.STEP_WAITING, payload, step_id=step.id))
        self.display.recorded(f"{step.id}: {_waiting_line(step, self.current.steps[step.id])}")

    def _run_command(self, step: CommandStep) -> None:
        if not self.source.confirm_command(step):
            return
        if self._settled_meanwhile(step):
            return
        ran = actions.run_command(step, cwd=self.options.cwd)
        result = NewEvent(Kind.COMMAND_RAN, ran, step_id=step.id)
        if ran.exit_code == 0:
            self._settle(step, [result, self._completion(step, result)])
            return
        self._append_fact(result)
        message = f"`{step.run}` exited with {ran.exit_code}; the step stays open"
        if not self.options.interactive:
            raise CommandFailed(message)
        self.display.problem(message)
        self.display.details(last_lines(ran.output))  # npm's E403, not only the exit code

    def _settled_meanwhile(self, step: CommandStep) -> bool:
        """Catch up with the log between "Run it?" and running it. The question can stay open
        for minutes while another responder runs the same command and settles the step; running
        it again (a second token revocation, a second deploy) would be an action nobody
        recorded, since only the first result is kept. A run by someone else that failed leaves
        the step open: this responder decides again with that result in view."""
        before = len(self.current.events)  # the walker's state keeps its events
        self._catch_up()
        st = self.current.steps[step.id]
        if st.status not in engine.OPEN_STATES:
            self.display.notice(f"{step.id} was settled by {st.actor} meanwhile: not run again")
            return True
        ran_since = [
            e
            for e in self.current.events[before:]
            if e.kind == Kind.COMMAND_RAN and e.step_id == step.id
        ]
        if ran_since:
            last = ran_since[-1]
            self.display.notice(
                f"{last.actor} ran it meanwhile (exit {last.payload.get('exit_code', '?')}): "
                "not run; choose again with that result in view"
            )
            return True
        return False

    def _reviewed(self, step: NotifyStep, notification: Notification | None) -> bool:
        """At a terminal, show the rendered message (paged), then ask whether to record it: a
        notification is never recorded unread. An answers file, or a Python caller's source
        without the question, records it."""
        if not self.options.interactive or notification is None:
            return True
        header = (
            f"From: {notification.sender}\n"
            f"To: {', '.join(notification.to) or '(draft: no recipients)'}\n"
            f"Subject: {notification.subject}\n\n"
        )
        self.display.message(
            f"{notification.template} → {notification.audience}", header + notification.text
        )
        ask = getattr(self.source, "record_notification", None)
        return True if ask is None else bool(ask(step))

    def _completion(self, step: Step, result: NewEvent | dict[str, Any]) -> NewEvent:
        """The step_completed event for an automated step's result (a new one or a recorded one)."""
        value = (
            actions.recorded_value(result.kind, result.payload_json())
            if isinstance(result, NewEvent)
            else result
        )
        clean, found = redact_value(value)
        self._tell_redacted(found)
        return NewEvent(
            Kind.STEP_COMPLETED, StepCompleted(value=clean, redacted=found), step_id=step.id
        )

    def _complete_checklist(self, step: ChecklistStep, decision: Complete) -> None:
        """Done only when every item is ticked; otherwise open, or, with a reason, "done with
        exceptions" naming the unticked items. Checked here, whatever asked (terminal, answers
        file, a Python caller's DecisionSource)."""
        ticked = checklist_ticked(step, decision.value)
        unticked = [item for item in step.items if item not in ticked]
        reason = decision.reason.strip()
        if unticked and not reason:
            raise UsageError(
                f"{step.id}: {len(unticked)} of {len(step.items)} items not ticked "
                f"({'; '.join(unticked)}); the step stays open",
                hint="tick every item, or give a reason to record it done with exceptions",
            )
        clean_reason, found = redact(reason)
        self._tell_redacted(found)
        payload = StepCompleted(
            value=ticked,
            redacted=found,
            unticked=unticked,
            reason=clean_reason if unticked else "",
        )
        self._settle(step, [NewEvent(Kind.STEP_COMPLETED, payload, step_id=step.id)])

    def _not_applicable(self, step: Step, reason: str) -> None:
        if not step.not_applicable:
            raise UsageError(
                f"step {step.id} always applies: the runbook does not allow marking it "
                "not applicable"
            )
        if not reason.strip():
            raise UsageError("'not applicable' needs a reason")
        clean, found = redact(reason.strip())
        self._tell_redacted(found)
        payload = StepNotApplicable(reason=clean, redacted=found)
        self._settle(step, [NewEvent(Kind.STEP_NOT_APPLICABLE, payload, step_id=step.id)])

    def _skip(self, step: Step, reason: str) -> None:
        if step.critical:
            raise UsageError(f"step {step.id} is critical and cannot be skipped")
        if not reason.strip():
            raise UsageError("a skip needs a reason")
        clean, found = redact(reason)
        self._tell_redacted(found)
        skipped = StepSkipped(reason=clean, redacted=found)
        self._settle(step, [NewEvent(Kind.STEP_SKIPPED, skipped, step_id=step.id)])

    # --- appending, with conflicts -------------------------------------------------------------

    def _append_fact(self, new: NewEvent) -> Event:
        """Append something that stays true whatever others did meanwhile (a note, evidence)."""
        event = retry_on_conflict(
            lambda: record(self.store, self.current, new, self.responder),
            catch_up=self._catch_up,
        )
        self._tell_redacted_on_record([event])
        return event

    def _settle(self, step: Step, news: list[NewEvent]) -> bool:
        """Record ``news`` (ending with the step's completion or skip) in one transaction, unless
        the step is settled in the caught-up log: then nothing is recorded and the responder is
        told. True when ours was recorded."""
        recorded = self._record_unless(
            news,
            taken=lambda: self.current.steps[step.id].status not in engine.OPEN_STATES,
            lost=LOST_STEP,
        )
        if recorded:
            self.display.recorded(f"{step.id}: {self.current.steps[step.id].status}")
        return recorded

    def _record_unless(self, news: list[NewEvent], *, taken: Callable[[], bool], lost: str) -> bool:
        """Append ``news`` atomically after the log's last event, unless ``taken()`` says that
        the caught-up log already holds the answer; asked again after every conflict."""

        def attempt() -> bool:
            if taken():
                self.display.notice(lost)
                return False
            # A random pause before every append, the winner of the last race included (and no
            # extra back-off for the losers): the winner goes straight on to the next step while
            # the losers catch up with the log, and without this the fastest walker won every
            # race after its first (issue 17).
            time.sleep(random.uniform(0, FAIR_PAUSE_S))  # noqa: S311  # jitter, not crypto
            self._tell_redacted_on_record(
                record_all(self.store, self.current, news, self.responder)
            )
            return True

        return retry_on_conflict(attempt, catch_up=self._catch_up, backoff_s=0.0)

    def _tell_redacted_on_record(self, events: list[Event]) -> None:
        for event in events:
            if event.kind in _REDACTED_ON_RECORD:  # masked by record's last guard, not before
                self._tell_redacted(list(event.payload.get("redacted", [])))

    def _catch_up(self) -> int:
        """Apply what others appended since our last event, and say what they did."""
        events = catch_up(self.store, self.current)
        for event in events:
            if event.actor != self.responder.actor or event.host != self.responder.host:
                message = notice_of(self.current, event)
                if message:
                    self.display.notice(message)
        return len(events)

    def _tell_redacted(self, kinds: list[str]) -> None:
        if kinds:
            self.display.notice(
                f"redacted before storing: {', '.join(kinds)} (never paste "
                "secrets; rotate any secret that was typed here)"
            )


# Payloads whose secrets are first masked by ``record`` (evidence descriptions, check findings,
# command output): the walker tells the responder from the stored event.
_REDACTED_ON_RECORD = frozenset({Kind.EVIDENCE_ATTACHED, Kind.CHECK_RAN, Kind.COMMAND_RAN})


def _waiting_line(step: Step, st: engine.StepState) -> str:
    due = f", due {st.due:%Y-%m-%d %H:%M} UTC" if st.due is not None else ""
    return f"{step.id} ({step.label}) waiting on {st.waiting_on}{due}"


def checklist_ticked(step: ChecklistStep, value: Any) -> list[str]:
    """The ticked items, in the runbook's order; UsageError for an item the step does not have."""
    if value is True:  # "done" without a list: every item
        return list(step.items)
    items = [str(v) for v in value] if isinstance(value, list | tuple) else None
    if items is None:
        raise UsageError(f"{step.id}: a checklist is answered with the items ticked")
    unknown = [i for i in items if i not in step.items]
    if unknown:
        raise UsageError(f"{step.id}: not an item of this checklist: {'; '.join(unknown)}")
    return [item for item in step.items if item in items]


# What the walker tells a responder about others' events (bookkeeping events stay quiet).
NOTICE_KINDS = frozenset(
    {
        Kind.STEP_COMPLETED,
        Kind.STEP_SKIPPED,
        Kind.STEP_NOT_APPLICABLE,
        Kind.STEP_REOPENED,
        Kind.STEP_WAITING,
        Kind.NOTE_ADDED,
        Kind.EVIDENCE_ATTACHED,
        Kind.INPUT_RECORDED,
        Kind.INPUT_CORRECTED,
        Kind.CHECK_RAN,
        Kind.ROLE_ASSIGNED,
        Kind.INCIDENT_CLOSED,
    }
)


def notice_of(state: IncidentState, event: Event) -> str | None:
    """One line on what another responder did ("bob (14:02): completed isolate/disconnect"),
    or None for bookkeeping events."""
    if event.kind not in NOTICE_KINDS:
        return None
    where = step_path(state.runbook, event.step_id)
    who = attributed(event.actor, event.login)
    return f"{who} ({event.at:%H:%M}): {describe_event(event, where=where)}"
