"""`irbook runbooks ...`: list, show, validate, and the JSON Schema of the format."""

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.app import app
from irbook.cli.options import JsonOption, RunbooksDirOption, TemplatesDirOption
from irbook.errors import ExitCode

runbooks_app = typer.Typer(
    help="Find, read and check runbooks.\n\n"
    "Examples:\n\n"
    "  irbook runbooks list\n\n"
    "  irbook runbooks show supply-chain-compromise\n\n"
    "  irbook runbooks validate runbooks/*.yaml\n\n"
    "  irbook runbooks lint runbooks/*.yaml\n\n"
    "  irbook runbooks schema -o runbook-schema.json",
    no_args_is_help=True,
)
app.add_typer(runbooks_app, name="runbooks")


@runbooks_app.command("list")
def list_runbooks(
    json_output: JsonOption = False,
    runbooks_dir: RunbooksDirOption = None,
    templates_dir: TemplatesDirOption = None,
) -> None:
    """List the runbooks available to `irbook start` (yours first, then the shipped ones).

    Example: irbook runbooks list --json
    """
    from irbook.console import runbooks as show
    from irbook.loader import catalog

    show.catalog(
        catalog.entries(runbooks_dir=runbooks_dir, templates_dir=templates_dir), as_json=json_output
    )


@runbooks_app.command("show")
def show_runbook(
    runbook: Annotated[str, typer.Argument(help="Runbook name (see `runbooks list`) or path.")],
    json_output: JsonOption = False,
    runbooks_dir: RunbooksDirOption = None,
    templates_dir: TemplatesDirOption = None,
) -> None:
    """Show a runbook as an outline: inputs, then each phase with its steps.

    Example: irbook runbooks show supply-chain-compromise
    """
    from irbook.console import runbooks as show
    from irbook.loader import catalog

    loaded = catalog.load(runbook, runbooks_dir=runbooks_dir, templates_dir=templates_dir)
    show.outline(loaded, as_json=json_output)


@runbooks_app.command("validate")
def validate_runbooks(
    paths: Annotated[list[Path], typer.Argument(help="Runbook files to check.")],
    json_output: JsonOption = False,
    templates_dir: TemplatesDirOption = None,
) -> int:
    """Check runbook files: `OK path` for each valid one, one `file:line:col` line per problem.

    Exit 0 when all are valid, 2 otherwise.

    Example: irbook runbooks validate runbooks/*.yaml
    """
    from irbook.console import runbooks as show
    from irbook.loader import catalog

    results = catalog.validate(paths, templates_dir=templates_dir)
    show.validation(results, as_json=json_output)
    return int(ExitCode.OK if all(r.ok for r in results) else ExitCode.INVALID)


@runbooks_app.command("lint")
def lint_runbooks(
    paths: Annotated[list[Path], typer.Argument(help="Runbook files to lint.")],
    json_output: JsonOption = False,
    templates_dir: TemplatesDirOption = None,
) -> int:
    """Check valid runbooks for response hazards (rules L001-L006, see docs/runbook-lint.md).

    One `file:line:col: RULE name: message` line per finding. Exit 0 when clean, 1 on findings,
    2 when a file is not a valid runbook (run `validate` for its problems).

    Example: irbook runbooks lint runbooks/*.yaml
    """
    from irbook.console import runbooks as show
    from irbook.loader.lint import lint_paths

    results = lint_paths(paths, templates_dir=templates_dir)
    show.lint(results, as_json=json_output)
    if not all(r.valid for r in results):
        return int(ExitCode.INVALID)
    return int(ExitCode.FINDINGS if any(r.findings for r in results) else ExitCode.OK)


@runbooks_app.command("schema")
def runbook_schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the runbook format (for editors and CI).

    Example: irbook runbooks schema -o runbook-schema.json
    """
    from irbook.console import runbooks as show
    from irbook.domain.models import runbook_json_schema

    text = show.schema_text(runbook_json_schema())
    if output is not None:
        from irbook.files.private import write_private

        write_private(output, text)
    show.schema(text, output)
