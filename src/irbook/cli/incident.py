"""Incident commands: start, resume, status, list, note, attach, close."""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from irbook.cli.app import app
from irbook.cli.options import (
    AnswersOption,
    AsOption,
    DbOption,
    IncidentArg,
    JsonOption,
    NewOption,
    OptionalIncidentArg,
    OutOption,
    RoleOption,
    RunbookArg,
    RunbooksDirOption,
    SeverityOption,
    TemplatesDirOption,
    TitleOption,
    opened_reader,
    opened_store,
)

if TYPE_CHECKING:
    from irbook.store import Reader


def _resume_hint(db: str | None, role: str | None, actor: str | None) -> Callable[[str], str]:
    """The command that continues an incident, as printed on Ctrl-C or an early stop.

    A password in the database URL (from --db or IRBOOK_DB) is shown as ***: the hint lands on
    screens, in terminal scrollback and in chat pastes.
    """
    import shlex

    from irbook.store.urls import mask_password

    db = mask_password(db) if db else None
    flags = []
    for flag, value in (("--db", db), ("--as", actor), ("--role", role)):
        if value:
            flags += [flag, value]
    tail = "".join(f" {shlex.quote(f)}" for f in flags)
    program = _program()
    return lambda incident_id: f"{program} resume {incident_id}{tail}"


def _program() -> str:
    """How to run this same irbook again from the shell that started it.

    ``irbook`` when that name on PATH is this executable; otherwise (installed in a virtualenv
    that is not activated, run as ``.venv/bin/irbook``) its full path, or ``python -m irbook``
    with this interpreter, so the printed resume command works as pasted.
    """
    import shlex
    import shutil
    import sys

    on_path = shutil.which("irbook")
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "irbook":
        if argv0.parent == Path() and on_path:  # found through PATH by the shell itself
            return "irbook"
        used = argv0.absolute()
        if on_path and Path(on_path).resolve() == used.resolve():
            return "irbook"
        return shlex.quote(str(used))
    if on_path:
        return "irbook"
    return f"{shlex.quote(sys.executable)} -m irbook"


@app.command()
def start(
    runbook: RunbookArg,
    title: TitleOption = None,
    severity: SeverityOption = "SEV2",
    actor: AsOption = None,
    answers: AnswersOption = None,
    db: DbOption = None,
    runbooks_dir: RunbooksDirOption = None,
    templates_dir: TemplatesDirOption = None,
    out: OutOption = None,
    new: NewOption = False,
) -> int:
    """Open an incident from a runbook and walk it, step by step.

    Every answer is saved the moment it is given; Ctrl-C (exit 130) or a dead terminal loses
    nothing, and `irbook resume` continues at the first unanswered step. With --answers the run
    is non-interactive and stops (exit 1) at the first step the file does not answer.

    Example: irbook start supply-chain-compromise --title 'Malicious @acme/ui 2.3.1' --severity SEV1
    """
    return open_and_walk(
        runbook,
        title=title,
        severity=severity,
        actor=actor,
        answers=answers,
        db=db,
        runbooks_dir=runbooks_dir,
        templates_dir=templates_dir,
        out=out,
        new=new,
    )


def open_and_walk(
    runbook: str,
    *,
    title: str | None,
    severity: str,
    actor: str | None,
    answers: Path | None,
    db: str | None,
    runbooks_dir: Path | None,
    templates_dir: Path | None,
    out: Path | None,
    new: bool,
    drill: bool = False,
    scenario: Path | None = None,
) -> int:
    """`irbook start`, and `irbook drill start` (``drill``, with its ``scenario`` file): the
    runbook and the scenario are read before the database is opened, so a bad one opens nothing."""
    from irbook.cli.options import responder as responder_for
    from irbook.console.walker import ConsoleDisplay
    from irbook.loader import catalog
    from irbook.runner import WalkOptions
    from irbook.runner.api import start as start_walk
    from irbook.runner.drill import load_drill_scenario

    loaded = catalog.load(runbook, runbooks_dir=runbooks_dir, templates_dir=templates_dir)
    options = WalkOptions(out_dir=out, templates_dir=templates_dir)
    loaded_scenario = (
        load_drill_scenario(scenario, loaded, cwd=options.cwd) if scenario is not None else None
    )
    responder = responder_for(actor)
    with opened_store(db, create=True) as store:
        start_walk(
            loaded,
            store=store,
            responder=responder,
            display=ConsoleDisplay(),
            title=title,
            severity=severity,
            answers=answers,
            options=options,
            resume_hint=_resume_hint(db, None, actor),
            new=new,
            drill=drill,
            scenario=loaded_scenario,
        )
    return 0


@app.command()
def resume(
    incident: OptionalIncidentArg = None,
    actor: AsOption = None,
    role: RoleOption = None,
    answers: AnswersOption = None,
    db: DbOption = None,
    templates_dir: TemplatesDirOption = None,
    out: OutOption = None,
) -> int:
    """Continue an incident exactly where it stopped (the most recent open one by default).

    Example: irbook resume IR-20260511-1A2B --as alice --role comms-lead
    """
    from irbook.cli.options import responder as responder_for
    from irbook.console.walker import ConsoleDisplay
    from irbook.runner import WalkOptions
    from irbook.runner.api import resume as resume_walk

    responder = responder_for(actor)
    with opened_store(db) as store:
        resume_walk(
            incident,
            store=store,
            responder=responder,
            display=ConsoleDisplay(),
            answers=answers,
            options=WalkOptions(role=role, out_dir=out, templates_dir=templates_dir),
            resume_hint=_resume_hint(db, role, actor),
        )
    return 0


@app.command()
def status(
    incident: OptionalIncidentArg = None,
    json_output: JsonOption = False,
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue",
            help="List only waiting steps whose due time has passed (of every open incident, "
            "drills left out, unless one is named); exit 1 when there is any, 0 otherwise (for "
            "scripts and cron).",
        ),
    ] = False,
    db: DbOption = None,
) -> int:
    """Show where an incident stands: every step with its state, who settled it and when.

    Example: irbook status IR-20260511-1A2B --json
    """
    from irbook.usecases.lookup import find_incident

    with opened_reader(db) as store:
        if overdue:
            return _overdue(store, incident, as_json=json_output)
        found = find_incident(store, incident)  # an empty database stops here, before the engine
        from irbook.usecases.incidents import load_state, utc_now

        state = load_state(store, found.id)
    from irbook.console import incident as show
    from irbook.usecases.status import status_view

    show.status(status_view(state, now=utc_now()), as_json=json_output)
    return 0


def _overdue(store: "Reader", incident: str | None, *, as_json: bool) -> int:
    """`status --overdue`: the named incident, or every open one; exit 1 when any is overdue."""
    from irbook.console import incident as show
    from irbook.errors import ExitCode
    from irbook.usecases.incidents import load_state, utc_now
    from irbook.usecases.lookup import find_incident
    from irbook.usecases.status import waiting_view

    now = utc_now()
    ids = [find_incident(store, incident).id] if incident else None
    if ids is None:  # a drill left open must not page anyone from cron: real incidents only
        from irbook.domain.drills import is_drill_id

        ids = [i.id for i in store.incidents(status="open") if not is_drill_id(i.id)]
    rows = [
        w
        for incident_id in ids
        for w in waiting_view(load_state(store, incident_id), now=now)
        if w["overdue"]
    ]
    show.overdue(rows, as_json=as_json)
    return int(ExitCode.FINDINGS if rows else ExitCode.OK)


@app.command("list")
def list_incidents(
    json_output: JsonOption = False,
    db: DbOption = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open incidents.")] = False,
    drills: Annotated[
        bool,
        typer.Option("--drills", help="List drills (`irbook drill start`) instead of incidents."),
    ] = False,
) -> None:
    """List incidents, newest first; drills are counted, and listed with --drills.

    Example: irbook list --open --json
    """
    from irbook.console import incident as show
    from irbook.usecases.status import incident_list

    with opened_reader(db) as store:
        listed = incident_list(
            store.incidents(status="open" if open_only else None),
            store.changed_severities(),
            drills=drills,
        )
        where = store.where
    show.incident_list(listed, as_json=json_output, where=where)


@app.command()
def note(
    incident: IncidentArg,
    text: Annotated[str, typer.Argument(help="The note (quote it). Secrets are redacted.")],
    step: Annotated[
        str | None, typer.Option("--step", help="Attach the note to this step.", show_default=False)
    ] = None,
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Add a note to an incident's timeline.

    Example: irbook note IR-20260511-1A2B 'ci-runner-4 reimaged; disk kept for forensics'
    """
    from irbook import console
    from irbook.cli.options import responder as responder_for
    from irbook.usecases.incidents import add_note

    with opened_store(db) as store:
        event, redacted = add_note(
            store, incident, text, responder=responder_for(actor), step_id=step
        )
    if redacted:
        console.warn(f"redacted before storing: {', '.join(redacted)}; rotate that secret")
    console.success(f"note added to {event.incident_id} (event {event.seq})")


@app.command("set")
def set_input(
    incident: IncidentArg,
    assignments: Annotated[
        list[str],
        typer.Argument(
            help="NAME=VALUE for each input to correct; checked like the first answer "
            "(paths relative to the current directory).",
            show_default=False,
        ),
    ],
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Correct an input recorded earlier (a mistyped path); the old value is kept in the log.

    Checks that ran with the old value are listed: re-run them at `irbook resume`.

    Example: irbook set IR-20260511-1A2B repo_paths=./app
    """
    from irbook import console
    from irbook.domain.describe import show_value
    from irbook.runner.corrections import correct_input, parse_assignment, validated
    from irbook.runner.values import ValueContext
    from irbook.usecases.incidents import Responder, find_incident, load_state

    pairs = [parse_assignment(a) for a in assignments]
    responder = Responder.resolve(actor)
    with opened_store(db) as store:
        state = load_state(store, find_incident(store, incident).id)
        context = ValueContext()
        values = [(name, validated(state, name, raw, context)) for name, raw in pairs]
        done = [correct_input(store, state, n, v, responder=responder) for n, v in values]
    for fix in done:
        if fix.redacted:
            console.warn(f"redacted before storing: {', '.join(fix.redacted)}; rotate that secret")
        if fix.event is None:
            console.info(f"{fix.input_id}: unchanged")
            continue
        p = fix.event.payload
        console.success(
            f"{fix.input_id} = {show_value(p['value'])} (was {show_value(p['previous'])}; "
            f"event {fix.event.seq})"
        )
        for step in fix.rerun:
            console.warn(
                f"check {step.id} ran with the old value: re-run it (`irbook resume "
                f"{state.incident_id}`, then re-run the check, or go back to it)"
            )


@app.command()
def attach(
    incident: IncidentArg,
    file: Annotated[Path, typer.Argument(help="The evidence file (stored as path, sha256, size).")],
    description: Annotated[str, typer.Option("--description", "-d", help="What it is.")] = "",
    step: Annotated[
        str | None, typer.Option("--step", help="The step it belongs to.", show_default=False)
    ] = None,
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Attach evidence: the file's path, sha256 and size go into the timeline.

    Example: irbook attach IR-20260511-1A2B ./proxy-2026-05-11.log.gz -d 'proxy log, exfil window'
    """
    from irbook import console
    from irbook.cli.options import responder as responder_for
    from irbook.usecases.incidents import attach_evidence

    with opened_store(db) as store:
        event = attach_evidence(
            store,
            incident,
            file,
            responder=responder_for(actor),
            description=description,
            step_id=step,
        )
    console.success(
        f"attached {event.payload['path']} sha256 {event.payload['sha256']} "
        f"({event.payload['size']} bytes) to {event.incident_id}"
    )
    if event.payload.get("redacted"):
        console.warn(
            f"redacted from the description before storing: {', '.join(event.payload['redacted'])}"
            "; rotate that secret"
        )


ReasonOption = Annotated[
    str | None,
    typer.Option("--reason", help="Why (kept in the log and the report).", show_default=False),
]


@app.command()
def close(
    incident: IncidentArg,
    abandon: Annotated[
        bool,
        typer.Option(
            "--abandon",
            help="End a mistaken or duplicate incident as 'abandoned', open steps and all "
            "(needs --reason; the log is kept and `list` shows it apart).",
        ),
    ] = False,
    reason: ReasonOption = None,
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Close an incident. Refused while critical steps are open; ends "completed", or
    "completed with exceptions" when any step was skipped or left open. With --abandon it ends
    "abandoned" whatever its steps say.

    Example: irbook close IR-20260511-1A2B --abandon --reason 'duplicate of IR-20260511-9F3C'
    """
    from irbook import console
    from irbook.cli.options import responder as responder_for
    from irbook.domain.describe import describe_event
    from irbook.errors import UsageError
    from irbook.usecases.incidents import abandon_incident, close_incident

    if reason is not None and not abandon:
        raise UsageError("--reason goes with --abandon", hint="a normal close takes no reason")
    if abandon and reason is None:
        raise UsageError("--abandon needs --reason", hint="--reason 'duplicate of IR-...'")
    with opened_store(db) as store:
        responder = responder_for(actor)
        if abandon:
            state = abandon_incident(store, incident, reason=reason or "", responder=responder)
        else:
            state = close_incident(store, incident, responder=responder)
    console.success(f"{state.incident_id} {describe_event(state.events[-1])}")


@app.command()
def severity(
    incident: IncidentArg,
    level: Annotated[str, typer.Argument(help="The new severity: SEV1 (worst) to SEV4.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why it changed (kept in the log and the report).")
    ],
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Change an open incident's severity; the change is an event in its timeline.

    Example: irbook severity IR-20260511-1A2B SEV1 --reason 'tokens confirmed exfiltrated'
    """
    from irbook import console
    from irbook.cli.options import responder as responder_for
    from irbook.domain.describe import describe_event
    from irbook.usecases.incidents import change_severity

    with opened_store(db) as store:
        state = change_severity(
            store, incident, level, reason=reason, responder=responder_for(actor)
        )
    console.success(f"{state.incident_id} {describe_event(state.events[-1])}")
