"""The typer application. Command modules register themselves on import (see the end)."""

from typing import Any

import typer
from typer.core import TyperGroup

from irbook.errors import CommandInterrupted


class _Commands(TyperGroup):
    """irbook's commands: a Ctrl-C inside any of them reaches ``cli.run``, which says
    "interrupted" (typer would return exit code 130 without a word)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise CommandInterrupted from None


app = typer.Typer(
    cls=_Commands,
    name="irbook",
    help=(
        "Incident-response runbooks for software supply-chain compromises.\n\n"
        "Walk a responder through isolate, rotate, audit, notify, harden and monitor; keep every "
        "answer the moment it is given; render notifications and the final report.\n\n"
        "Examples:\n\n"
        "  irbook start supply-chain-compromise --title 'Malicious @acme/ui 2.3.1'\n\n"
        "  irbook resume\n\n"
        "  irbook status --json\n\n"
        "  irbook runbooks validate runbooks/*.yaml"
    ),
    epilog="Exit codes: 0 ok; 1 findings, or an --answers run stopped early; 2 invalid input or "
    "usage; 3 internal error (traceback in a log file); 4 database locked or unreachable; "
    "130 interrupted. Docs: docs/cli.md.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # they print local variables, which can hold secrets
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from irbook import __version__, console

        console.line(f"irbook {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Exit codes: 0 ok, 1 findings or stopped early, 2 invalid input or usage, 3 internal error
    (traceback in a log file), 4 database locked or unreachable, 130 interrupted."""


# Command modules: each adds its commands to `app` (or a sub-app) when imported.
from irbook.cli import (  # noqa: E402, F401
    audit,
    drill,
    drill_report,
    incident,
    notify,
    preflight,
    report,
    runbooks,
    team,
)
