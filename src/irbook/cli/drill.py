"""`irbook drill ...`: rehearsal incidents of a real runbook (docs/drills.md)."""

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.app import app
from irbook.cli.incident import open_and_walk
from irbook.cli.options import (
    AnswersOption,
    AsOption,
    DbOption,
    JsonOption,
    NewOption,
    OutOption,
    RunbookArg,
    RunbooksDirOption,
    SeverityOption,
    TemplatesDirOption,
    TitleOption,
)

drill_app = typer.Typer(
    help="Rehearse a runbook: drill incidents, marked DRILL everywhere, that never send mail.\n\n"
    "Example: irbook drill start supply-chain-compromise --scenario drill.yaml",
    no_args_is_help=True,
)
app.add_typer(drill_app, name="drill")

ScenarioOption = Annotated[
    Path | None,
    typer.Option(
        "--scenario",
        help="The facilitator's scenario (YAML): fixed inputs, injects and milestone targets "
        "(docs/drills.md); a file, or the name of a shipped one (runbooks/scenarios/). Without "
        "it, a bare drill of the runbook.",
        show_default=False,
    ),
]


@drill_app.command("start")
def start(
    runbook: RunbookArg,
    scenario: ScenarioOption = None,
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
    """Open a drill incident (id IR-DRILL-...) from a runbook and walk it, as `irbook start` does.

    The scenario's inputs are recorded at the start; an answers file may repeat them but not
    change them. A drill is marked DRILL on every screen, message and report; it sends no mail
    (messages are written to files) and publishes no advisory. `irbook resume` continues it.

    Example: irbook drill start supply-chain-compromise --scenario drill.yaml --answers team.yaml
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
        drill=True,
        scenario=_scenario_path(scenario, runbooks_dir),
    )


@drill_app.command("scenarios")
def list_scenarios(
    json_output: JsonOption = False,
    runbooks_dir: RunbooksDirOption = None,
    templates_dir: TemplatesDirOption = None,
) -> int:
    """List the drill scenarios `drill start --scenario NAME` takes (yours in --runbooks
    DIR/scenarios/ first, then the shipped ones), each checked against its runbook; exit 1 when
    one is invalid.

    Example: irbook drill scenarios --json
    """
    from irbook.console import runbooks as show
    from irbook.errors import ExitCode
    from irbook.loader import catalog

    entries = catalog.scenario_entries(runbooks_dir=runbooks_dir, templates_dir=templates_dir)
    show.scenarios(entries, as_json=json_output)
    return int(ExitCode.FINDINGS if any(e.loaded is None for e in entries) else ExitCode.OK)


def _scenario_path(scenario: Path | None, runbooks_dir: Path | None) -> Path | None:
    """A shipped (or --runbooks DIR/scenarios/) scenario by name, or the path given."""
    from irbook.loader.resources import find_scenario

    return find_scenario(str(scenario), runbooks_dir) if scenario is not None else None
