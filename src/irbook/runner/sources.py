"""Where decisions come from: a responder at a terminal, or an answers file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from irbook.domain import engine
from irbook.domain.describe import show_value
from irbook.domain.engine import IncidentState
from irbook.domain.events import Kind
from irbook.domain.models import (
    ChecklistStep,
    CheckStep,
    CommandStep,
    InputStep,
    NotifyStep,
    RunbookInput,
    Step,
    ValueType,
)
from irbook.errors import HelpRequested, StepUnansweredError
from irbook.prompts import Prompter
from irbook.prompts.base import Validator
from irbook.runner.answers import AnswersFile
from irbook.runner.corrections import checks_using
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
from irbook.runner.help import KEYS_GO_BACK, KEYS_MENU, HelpTopic, input_topic, step_topic
from irbook.runner.values import ValueContext, ValueSpec, coerce, parse_datetime, validator

BACK_TO_CURRENT = "\x00current"  # Esc in the go-back list: no step id can be this

UNANSWERED = object()


class DecisionSource(Protocol):
    def input_value(self, spec: RunbookInput) -> Any:
        """The input's value, or UNANSWERED when an optional input is left empty."""
        ...

    def decide(self, step: Step, state: IncidentState) -> Decision: ...

    def confirm_command(self, step: CommandStep) -> bool: ...

    def close_at_end(self) -> bool: ...


class FileSource:
    """Decisions from an answers file; the first step it does not answer stops the run."""

    def __init__(self, answers: AnswersFile, resume_command: str) -> None:
        self.answers = answers
        self.resume_command = resume_command

    def input_value(self, spec: RunbookInput) -> Any:
        if spec.id in self.answers.inputs:
            return self.answers.inputs[spec.id]
        if spec.default is not None:
            return coerce(ValueSpec.of(spec), spec.default, self.answers.context)
        if not spec.required:
            return UNANSWERED
        raise StepUnansweredError(
            f"stopped at input '{spec.id}': the answers file ({self.answers.path}) does not "
            "answer it; everything before it is recorded",
            hint=f"add `inputs: {{{spec.id}: ...}}` and run `{self.resume_command} --answers FILE`",
        )

    def decide(self, step: Step, state: IncidentState) -> Decision:
        if step.id in self.answers.steps:
            return self.answers.steps[step.id]
        current = state.steps[step.id]
        if current.status is engine.StepStatus.WAITING:  # not answered here: it keeps waiting
            return Wait(current.waiting_on or "", current.due)
        phase = state.runbook.phase_of(step.id)
        raise StepUnansweredError(
            f"stopped at step {phase.id}/{step.id} ({step.label}): the answers file "
            f"({self.answers.path}) does not answer it; everything before it is recorded",
            hint=f"answer it interactively with `{self.resume_command}`, or add it to the answers "
            "file and pass it again with --answers",
        )

    def confirm_command(self, step: CommandStep) -> bool:
        return True  # `{run: true}` in the file is the explicit confirmation

    def record_notification(self, step: NotifyStep) -> bool:
        return True  # `done` in the file is the decision; the walker shows nothing to read

    def close_at_end(self) -> bool:
        return False


class _Helping:
    """A Prompter that answers ``?`` (HelpRequested) by showing the current topic and asking the
    same question again, so every prompt of a step or input has help without each caller
    handling it."""

    def __init__(self, prompter: Prompter, show: Callable[[HelpTopic], None] | None) -> None:
        self.prompter = prompter
        self.show = show
        self.topic: HelpTopic | None = None

    def _again(self, ask: Callable[[], Any]) -> Any:
        while True:
            try:
                return ask()
            except HelpRequested:
                if self.show is not None and self.topic is not None:
                    self.show(self.topic)

    def select(
        self,
        message: str,
        choices: Sequence[tuple[str, str]],
        *,
        default: str | None = None,
        escape: str | None = None,
    ) -> str:
        # escape only when asked for: a Prompter written before it existed still works
        extra = {"escape": escape} if escape is not None else {}
        return str(
            self._again(lambda: self.prompter.select(message, choices, default=default, **extra))
        )

    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        validate: Validator | None = None,
    ) -> str:
        return str(
            self._again(
                lambda: self.prompter.text(
                    message, default=default, multiline=multiline, validate=validate
                )
            )
        )

    def confirm(self, message: str, *, default: bool = False) -> bool:
        return bool(self._again(lambda: self.prompter.confirm(message, default=default)))

    def checkbox(
        self, message: str, choices: Sequence[str], *, default: Sequence[str] = ()
    ) -> list[str]:
        extra = {"default": default} if default else {}
        return list(self._again(lambda: self.prompter.checkbox(message, choices, **extra)))

    def path(self, message: str, *, validate: Validator | None = None) -> str:
        return str(self._again(lambda: self.prompter.path(message, validate=validate)))


def earlier_answer(state: IncidentState, step_id: str) -> Any:
    """The answer a reopened step had before "go back" (its last step_completed), or None."""
    for event in reversed(state.events):
        if event.step_id == step_id and event.kind == Kind.STEP_COMPLETED:
            return event.payload.get("value")
    return None


class TerminalSource:
    """Decisions asked through a Prompter (questionary in a terminal; scripted in tests).

    ``show_help`` shows a HelpTopic when the responder presses ``?`` (the walker passes its
    display's); every question is then asked again.
    """

    def __init__(
        self,
        prompter: Prompter,
        context: ValueContext | None = None,
        show_help: Callable[[HelpTopic], None] | None = None,
    ) -> None:
        self.helping = _Helping(prompter, show_help)
        self.prompter: Prompter = self.helping
        self.context = context or ValueContext()

    def input_value(self, spec: RunbookInput) -> Any:
        self.helping.topic = input_topic(spec)
        value = ValueSpec.of(spec)
        raw = self._ask_value(spec.prompt, value, required=spec.required, default=spec.default)
        if raw == "" and not spec.required:
            return UNANSWERED
        return coerce(value, raw, self._now())

    def _now(self) -> ValueContext:
        """The context at the moment of answering ("not in the future" is judged now)."""
        return ValueContext(cwd=self.context.cwd)

    def decide(self, step: Step, state: IncidentState) -> Decision:
        self.helping.topic = step_topic(step)
        choices = []
        if step.critical:
            # No pre-selected "Done" on a critical step: a stray Enter only shows it again.
            choices.append(("Read the step again", "again"))
        failed = isinstance(step, CheckStep) and engine.check_failed(state, step.id)
        choices.append(("Run the check again" if failed else self._done_label(step), "done"))
        if failed:
            choices.append(("Override the failed check (asks why; an exception)", "override"))
        if not step.critical:
            choices.append(("Skip (asks why)", "skip"))
        choices.append(("Waiting on someone or something (asks who, and by when)", "wait"))
        if step.not_applicable:
            choices.append(("Does not apply to this incident (asks why)", "n/a"))
        choices += [("Add a note", "note"), ("Attach evidence (a file)", "attach")]
        if any(s.seq is not None for s in state.steps.values()):
            choices.append(("Go back to a previous step", "back"))
        if state.inputs:
            choices.append(("Change an input (a typo, a moved folder)", "input"))
        choices.append(("Pause (resume later)", "pause"))
        action = self.prompter.select("What now?", choices, default=choices[0][1])
        if action == "again":
            return Again()
        if action == "skip":
            reason = self.prompter.text("Why is this step skipped?", validate=_required)
            return Skip(reason.strip())
        if action == "n/a":
            reason = self.prompter.text("Why does it not apply?", validate=_required)
            return NotApplicable(reason.strip())
        if action == "wait":
            return self._wait()
        if action == "override":
            reason = self.prompter.text("Why is the failed check accepted?", validate=_required)
            return Override(reason.strip())
        if action == "input":
            return self._change_input(state)
        if action == "note":
            return AddNote(self.prompter.text("Note:", validate=_required).strip())
        if action == "attach":
            path = self.prompter.path("File to attach:", validate=_required)
            description = self.prompter.text("What is it? (optional)")
            return Attach(path.strip(), description.strip())
        if action == "back":
            return self._go_back(step, state)
        if action == "pause":
            return Pause()
        return self._complete(step, earlier_answer(state, step.id))

    def confirm_command(self, step: CommandStep) -> bool:
        return self.prompter.confirm(f"Run `{step.run}` on this machine now?", default=False)

    def record_notification(self, step: NotifyStep) -> bool:
        """Asked after the rendered message was shown: record it (write the .eml) or not."""
        return self.prompter.confirm(
            "Record this notification (write the .eml into the incident's folder)? "
            "No leaves the step open",
            default=True,
        )

    def close_at_end(self) -> bool:
        return self.prompter.confirm("Every step is settled. Close the incident now?", default=True)

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _done_label(step: Step) -> str:
        if isinstance(step, InputStep):
            return "Answer"
        if isinstance(step, ChecklistStep):
            return "Tick the items"
        if isinstance(step, CheckStep):
            return "Run the check now"
        if isinstance(step, NotifyStep):
            return "Render the notification"
        if isinstance(step, CommandStep):
            return "Run the command, or mark it done"
        return "Done"

    def _complete(self, step: Step, earlier: Any = None) -> Decision:
        """Ask for the step's answer; a step reopened by "go back" offers its ``earlier`` one."""
        if isinstance(step, InputStep):
            value = ValueSpec.of(step)
            raw = self._ask_value(step.prompt, value, required=True, default=earlier)
            return Complete(coerce(value, raw, self._now()))
        if isinstance(step, ChecklistStep):
            return self._tick(step, earlier if isinstance(earlier, list) else [])
        if isinstance(step, CommandStep):
            how = self.prompter.select(
                "How?",
                [("Run it here now", "run"), ("I ran it myself: mark done", "manual")],
            )
            return Complete(True, perform=how == "run")
        return Complete(True, perform=isinstance(step, CheckStep | NotifyStep))

    def _tick(self, step: ChecklistStep, earlier: list[Any]) -> Decision:
        """Every item ticked: done. Otherwise the responder chooses: leave it open (the default:
        nothing is recorded) or record it done with exceptions, with a reason."""
        ticked = self.prompter.checkbox(
            "Tick what is done:", list(step.items), default=[str(i) for i in earlier]
        )
        unticked = [item for item in step.items if item not in ticked]
        if not unticked:
            return Complete(ticked)
        how = self.prompter.select(
            f"{len(unticked)} of {len(step.items)} items not ticked. Then?",
            [
                ("Leave the step open (tick the rest later)", "open"),
                ("Record it done with exceptions (asks why)", "exceptions"),
            ],
            default="open",
        )
        if how == "open":
            return Again()
        reason = self.prompter.text("Why are the unticked items not done?", validate=_required)
        return Complete(ticked, reason=reason.strip())

    def _change_input(self, state: IncidentState) -> Decision:
        """Which input, its new value (checked like the first answer, prefilled with the old
        one), and whether the settled checks that read it run again."""
        recorded = [i for i in state.runbook.inputs if i.id in state.inputs]
        name = self.prompter.select(
            "Change which input?",
            [(f"{i.id}: {show_value(state.inputs[i.id])}", i.id) for i in recorded],
        )
        spec = next(i for i in recorded if i.id == name)
        old = state.inputs[name]
        shown = " ".join(old) if isinstance(old, list) else ("" if old is None else str(old))
        value = ValueSpec.of(spec)
        raw = self._ask_value(spec.prompt, value, required=spec.required, default=shown)
        new = coerce(value, raw, self._now())
        settled = [
            c.id
            for c in checks_using(state, name)
            if state.steps[c.id].status not in engine.OPEN_STATES
        ]
        rerun = bool(settled) and self.prompter.confirm(
            f"Checks that ran with the old value: {', '.join(settled)}. Run them again?",
            default=True,
        )
        return CorrectInput(name, new, rerun=rerun)

    def _wait(self) -> Decision:
        on = self.prompter.text(
            "Waiting on whom or what? (a CA, npm support, a team)", validate=_required
        )
        due = self.prompter.text(
            "Due by? (with a zone, e.g. 2026-05-12T10:00:00Z; optional: Enter for none)",
            validate=lambda text: None if not text.strip() else _due_problem(text),
        )
        return Wait(on.strip(), parse_datetime(due.strip()) if due.strip() else None)

    def _go_back(self, current: Step, state: IncidentState) -> Decision:
        """The settled steps, the cursor on the latest one of the current phase (the list of a
        long runbook no longer starts at step 1); Esc returns to the current step."""
        here = state.runbook.phase_of(current.id).id
        settled = [
            (f"{phase.id}/{s.label} ({state.steps[s.id].status})", s.id, phase.id)
            for phase, s in state.runbook.steps()
            if state.steps[s.id].seq is not None  # settled by an event (not by its `when`)
        ]
        in_phase = [step_id for _, step_id, phase_id in settled if phase_id == here]
        start = (in_phase or [settled[-1][1]])[-1] if settled else None
        self.helping.topic = step_topic(current, keys=KEYS_MENU + KEYS_GO_BACK)
        chosen = self.prompter.select(
            "Go back to which step? (Esc: back to the current step)",
            [(label, step_id) for label, step_id, _ in settled],
            default=start,
            escape=BACK_TO_CURRENT,
        )
        return Again() if chosen == BACK_TO_CURRENT else GoBack(chosen)

    def _ask_value(
        self,
        message: str,
        spec: ValueSpec,
        *,
        required: bool,
        default: Any = None,
    ) -> Any:
        kind, choices = spec.kind, spec.choices
        if kind is ValueType.CHOICE and choices:
            picked = str(default) if default is not None and str(default) in choices else None
            return self.prompter.select(message, [(c, c) for c in choices], default=picked)
        if kind is ValueType.MULTICHOICE and choices:
            ticked = [str(d) for d in default] if isinstance(default, list) else []
            return self.prompter.checkbox(message, list(choices), default=ticked)
        if isinstance(default, list):  # an earlier list answer, as it would be typed
            default = ", ".join(str(d) for d in default)
        if kind is ValueType.BOOL:
            # Typed, then Enter, with no default for a step: a "y" alone answers nothing, and a
            # stray Enter cannot record "no" (questionary's confirm takes "y" at once).
            if default is not None:
                default = "yes" if default is True or str(default).lower() in _YES else "no"
            hint = " (yes/no, then Enter)"
        else:
            hint = ""
        hint += {
            ValueType.LIST: " (separate items with commas or spaces)",
            ValueType.PATHS: " (separate paths with commas or spaces)",
            ValueType.PACKAGE: " (ECOSYSTEM:NAME@VERSION, e.g. npm:@tanstack/react-router@1.169.5)",
            ValueType.PACKAGES: " (ECOSYSTEM:NAME@VERSION, separated by commas or spaces)",
            ValueType.DATETIME: " (with a zone, e.g. 2026-05-11T19:46:00Z)",
        }.get(kind, "")
        if not required:
            hint += " (optional: Enter to leave empty)"
        check = validator(spec, self._now(), required=required)
        if kind is ValueType.PATH:
            return self.prompter.path(message + hint, validate=check)
        return self.prompter.text(
            message + hint,
            default=str(default or ""),
            multiline=kind is ValueType.MULTILINE,
            validate=check,
        )


_YES = ("y", "yes", "true", "1", "on")


def _due_problem(text: str) -> str | None:
    try:
        parse_datetime(text.strip())
    except ValueError as exc:
        return str(exc)
    return None


def _required(text: str) -> str | None:
    return None if text.strip() else "an answer is required"
