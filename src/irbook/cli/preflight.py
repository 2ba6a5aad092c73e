"""`irbook preflight`: what the runbook will need, checked on this machine before a breach."""

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.app import app
from irbook.cli.options import DbOption, JsonOption, RunbooksDirOption, TemplatesDirOption


@app.command("preflight")
def preflight_command(
    runbook: Annotated[
        str,
        typer.Argument(help="Runbook id or path (default: supply-chain-compromise)."),
    ] = "supply-chain-compromise",
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="IRBOOK_PREFLIGHT",
            help="Preflight config (advisory sources, certificate inventory, contacts per role).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any check warns.")] = False,
    json_output: JsonOption = False,
    db: DbOption = None,
    runbooks_dir: RunbooksDirOption = None,
    templates_dir: TemplatesDirOption = None,
) -> None:
    """Check, without changing anything, what a runbook will need here: templates render, the
    tools its commands call are on PATH, SMTP answers EHLO, the database is writable, advisory
    sources are present and fresh, certificates are valid with keys on hardware, every role has
    a contact. Exit 0 ok, 1 warnings with --strict, 2 failures (docs/preflight.md).

    Example: irbook preflight supply-chain-compromise --config ~/.config/irbook/preflight.yaml
    """
    from irbook.console import preflight as show
    from irbook.preflight.run import preflight

    result = preflight(
        runbook=runbook,
        runbooks_dir=runbooks_dir,
        templates_dir=templates_dir,
        config_path=config,
        db=db,
    )
    code = result.exit_code(strict=strict)
    show.report(result, as_json=json_output, exit_code=code)
    raise typer.Exit(code)
