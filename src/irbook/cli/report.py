"""`irbook report`, `irbook followup`, `irbook verify`: the record after (and during) an incident."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.app import app
from irbook.cli.options import (
    AsOption,
    DbOption,
    IncidentArg,
    JsonOption,
    opened_reader,
    opened_store,
)


class ReportFormat(StrEnum):  # the values of irbook.report.FORMATS (a test keeps them equal)
    MD = "md"
    HTML = "html"
    JSON = "json"
    CSV = "csv"
    FOLLOWUPS_CSV = "followups-csv"


@app.command("report")
def report(
    incident: IncidentArg,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="md, html (one self-contained file), json, csv "
            "(the timeline) or followups-csv (for issue-tracker import).",
        ),
    ] = ReportFormat.MD,
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
    """Export the incident report: summary, metrics, phases, skips, evidence, timeline.

    An open incident can be reported too; the first line then says "in progress".

    Example: irbook report IR-20260511-1A2B --format html -o report.html
    """
    from irbook.console import report as show
    from irbook.report.service import report_incident

    with opened_reader(db) as store:
        exported = report_incident(store, incident, str(fmt))
    try:
        if output is not None:
            from irbook.files.private import write_private_from

            write_private_from(output, exported.copy_to)  # 0600: reports carry TLP-marked detail
        show.exported(exported, output)
    finally:
        exported.close()


@app.command("followup")
def followup(
    incident: IncidentArg,
    text: Annotated[str, typer.Argument(help="What has to be done after the incident.")],
    owner: Annotated[
        str | None, typer.Option("--owner", help="Who will do it.", show_default=False)
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Due date, YYYY-MM-DD.", show_default=False)
    ] = None,
    actor: AsOption = None,
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Record a follow-up action (also after the incident is closed); secrets are redacted.

    Follow-ups appear in the report and in `irbook report INCIDENT -f followups-csv`.

    Example: irbook followup IR-20260511-1A2B "Move publishing to trusted publishing" --owner dana --due 2026-06-30
    """
    from irbook.cli.options import responder as responder_for
    from irbook.console import report as show
    from irbook.usecases.followups import add_followup

    responder = responder_for(actor)
    with opened_store(db) as store:
        result = add_followup(store, incident, text, responder=responder, owner=owner, due=due)
    show.followup_added(result, as_json=json_output)


@app.command("verify")
def verify(
    incident: IncidentArg,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="Head hash recorded earlier (e.g. from a report): also "
            "catches events cut off the end.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
    db: DbOption = None,
) -> int:
    """Recompute the incident's hash chain: exit 0 and print the head hash when intact, exit 1
    naming the first edited, deleted or reordered event.

    Example: irbook verify IR-20260511-1A2B
    """
    from irbook.console import report as show
    from irbook.errors import ExitCode
    from irbook.usecases.verify import verify_incident

    with opened_reader(db) as store:
        result = verify_incident(store, incident, expect=expect)
    show.verification(result, as_json=json_output)
    return int(ExitCode.OK if result.ok else ExitCode.FINDINGS)
