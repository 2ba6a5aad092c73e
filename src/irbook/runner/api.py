"""Start and resume, as Python calls (the CLI is a thin layer over these)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from irbook.domain.drills import is_drill_id, scenario_of
from irbook.domain.engine import IncidentState
from irbook.errors import NoTerminalError, UsageError
from irbook.loader.load import LoadedRunbook, did_you_mean
from irbook.loader.scenario import LoadedScenario
from irbook.prompts import Prompter
from irbook.runner.answers import load_answers
from irbook.runner.decisions import CorrectInput
from irbook.runner.display import Display
from irbook.runner.drill import refuse_overridden_inputs
from irbook.runner.sources import DecisionSource, FileSource, TerminalSource
from irbook.runner.values import ValueContext
from irbook.runner.walk import Walker, WalkOptions, WalkResult
from irbook.store import Store
from irbook.usecases.incidents import Responder, find_incident, load_state, start_incident


def default_resume_hint(incident_id: str) -> str:
    return f"irbook resume {incident_id}"


def terminal_available() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _source(
    state_runbook: LoadedRunbook | IncidentState,
    answers: Path | None,
    prompter: Prompter | None,
    resume_command: str,
    cwd: Path,
    display: Display | None = None,
) -> DecisionSource:
    runbook = state_runbook.runbook
    context = ValueContext(cwd=cwd)
    if answers is not None:
        return FileSource(load_answers(answers, runbook, context), resume_command)
    if prompter is None:
        if not terminal_available():
            raise NoTerminalError(
                "no terminal to ask questions in (stdin or stdout is not a TTY)",
                hint="run it in a terminal, or pass the answers with --answers FILE "
                '(see docs/cli.md, "Answers files")',
            )
        from irbook.prompts.terminal import QuestionaryPrompter

        prompter = QuestionaryPrompter()
    show_help = getattr(display, "help", None)  # a Display written before `?` existed has none
    return TerminalSource(prompter, context, show_help=show_help)


def start(
    loaded: LoadedRunbook,
    *,
    store: Store,
    responder: Responder,
    display: Display,
    title: str | None = None,
    severity: str = "SEV2",
    answers: Path | None = None,
    prompter: Prompter | None = None,
    options: WalkOptions | None = None,
    resume_hint: Callable[[str], str] = default_resume_hint,
    new: bool = False,
    drill: bool = False,
    scenario: LoadedScenario | None = None,
) -> WalkResult:
    """Open an incident of ``loaded`` and walk it. Answers and the terminal are checked first,
    so a bad answers file or a missing terminal opens nothing. When an incident of the same
    runbook is still open, a responder at a terminal is asked whether to open a second one;
    without a terminal that takes ``new`` (`--new`).

    A ``drill`` (`irbook drill start`; a ``scenario`` makes one) is the same walk of an incident
    marked as a rehearsal; the scenario's inputs are recorded first, as an answers file's are."""
    options = options or WalkOptions()
    drill = drill or scenario is not None
    source = _source(loaded, answers, prompter, resume_hint("INCIDENT"), options.cwd, display)
    options.interactive = isinstance(source, TerminalSource)
    if scenario is not None:
        if isinstance(source, FileSource):
            refuse_overridden_inputs(source.answers, scenario)
        options.preset_inputs = dict(scenario.scenario.inputs)
        title = title or scenario.scenario.title
    if not new:
        _refuse_a_silent_duplicate(loaded, store, source, resume_hint, drill=drill)
    state = start_incident(
        loaded,
        store=store,
        responder=responder,
        title=title,
        severity=severity,
        drill=drill,
        scenario=scenario.scenario if scenario is not None else None,
    )
    found = state.events[0].payload.get("redacted") if state.events else None
    if found:
        where = "the title or the scenario" if scenario is not None else "the title"
        display.notice(f"redacted from {where} before storing: {', '.join(found)}; rotate it")
    options.resume_command = resume_hint(state.incident_id)
    if isinstance(source, FileSource):
        source.resume_command = options.resume_command
    walker = Walker(
        store=store, responder=responder, source=source, display=display, options=options
    )
    return walker.run(state.incident_id)


def _refuse_a_silent_duplicate(
    loaded: LoadedRunbook,
    store: Store,
    source: DecisionSource,
    resume_hint: Callable[[str], str],
    *,
    drill: bool = False,
) -> None:
    """A second `irbook start` of the same runbook is more often a responder who forgot the first
    (or a retried script) than a second breach; a bare `resume` would then pick the newer one.
    Drills and real incidents are counted apart: an open drill never holds up a real incident."""
    same = [
        i
        for i in store.incidents(status="open")
        if i.runbook_id == loaded.runbook.id and is_drill_id(i.id) == drill
    ]
    if not same:
        return
    latest = same[0]
    opened = f"{latest.id} ({latest.title}, opened {latest.opened_at:%Y-%m-%d %H:%M} UTC by "
    opened += f"{latest.opened_by})"
    others = f" and {len(same) - 1} more" if len(same) > 1 else ""
    what, command = ("drill", "drill start") if drill else ("incident", "start")
    question = f"{opened}{others} is still open. Open a second {what} of {loaded.runbook.id}?"
    if isinstance(source, TerminalSource) and source.prompter.confirm(question, default=False):
        return
    raise UsageError(
        f"not started: a{'' if drill else 'n'} {what} of {loaded.runbook.id} is still open: "
        f"{opened}{others}",
        hint=f"continue it with `{resume_hint(latest.id)}`, or open another one with "
        f"`irbook {command} {loaded.runbook.id} --new`",
    )


def resume(
    incident_id: str | None,
    *,
    store: Store,
    responder: Responder,
    display: Display,
    answers: Path | None = None,
    prompter: Prompter | None = None,
    options: WalkOptions | None = None,
    resume_hint: Callable[[str], str] = default_resume_hint,
) -> WalkResult:
    """Continue an incident (the most recent open one by default) at its first open step."""
    options = options or WalkOptions()
    incident = find_incident(store, incident_id)
    options.resume_command = resume_hint(incident.id)
    state = load_state(store, incident.id)
    scenario = scenario_of(state)
    if scenario is not None:  # stopped before its inputs were recorded: they still apply
        options.preset_inputs = dict(scenario.inputs)
    roles = state.runbook.roles
    if options.role is not None and options.role not in roles:
        raise UsageError(
            f"runbook {state.runbook.id} has no role '{options.role}'"
            f"{did_you_mean(options.role, roles)}",
            hint=f"its roles: {', '.join(roles) or '(none)'}",
        )
    source = _source(state, answers, prompter, options.resume_command, options.cwd, display)
    options.interactive = isinstance(source, TerminalSource)
    # `inputs:` of an answers file given again: a changed value is a correction (recorded with
    # the old one, its checks reopened), never silently ignored; an unchanged one is nothing.
    corrections = []
    if isinstance(source, FileSource):
        corrections = [
            CorrectInput(name, value)
            for name, value in source.answers.inputs.items()
            if name in state.inputs and state.inputs[name] != value
        ]
    walker = Walker(
        store=store, responder=responder, source=source, display=display, options=options
    )
    return walker.run(incident.id, corrections=corrections, resumed=True)
