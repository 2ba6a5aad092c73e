"""`irbook drill report`: score a drill against its runbook (docs/drills.md, "Scoring a drill")."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.drill import drill_app
from irbook.cli.options import DbOption, IncidentArg


class DrillFormat(StrEnum):  # the values of irbook.report.drill_service.DRILL_FORMATS
    MD = "md"
    JSON = "json"


@drill_app.command("report")
def report(
    incident: IncidentArg,
    fmt: Annotated[
        DrillFormat,
        typer.Option("--format", "-f", help="md (tables) or json (docs/drills.md)."),
    ] = DrillFormat.MD,
    json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (mode 0600) instead of stdout.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Score a drill: time to each milestone against the scenario's targets, the runbook's
    deadlines, skipped and waiting steps, the injects and how the team answered them, a score
    (its formula is printed with it) and earlier drills of the same runbook.

    A real incident is refused (exit 2): `irbook report` is its report.

    Example: irbook drill report IR-DRILL-20261130-1A2B --format json -o drill.json
    """
    from irbook.cli.options import opened_reader
    from irbook.console import report as show
    from irbook.report.drill_service import drill_report

    with opened_reader(db) as store:
        exported = drill_report(store, incident, "json" if json_output else str(fmt))
    if output is not None:
        from irbook.files.private import write_private

        write_private(output, exported.text)
    show.exported(exported, output)
