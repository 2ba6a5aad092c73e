"""`irbook audit packages`: the inventory of lockfiles and SBOMs, for a human or a script."""

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.audit import audit_app
from irbook.cli.options import JsonOption
from irbook.errors import ExitCode


@audit_app.command("packages")
def audit_packages(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Lockfiles, SBOMs, or folders to search for them (node_modules is skipped).",
            show_default=False,
        ),
    ],
    json_output: JsonOption = False,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            "-n",
            show_default=False,
            help="Only packages whose name matches this glob (e.g. '@tanstack/*'; any case).",
        ),
    ] = None,
) -> int:
    """List every package version the lockfiles and SBOMs record: file, ecosystem, name,
    version, source (registry, or where local, git and tarball packages come from), direct
    (named by the project itself, where the format says) and groups.

    Exit 0; with --name, exit 1 when no package matches (like grep), 2 for unreadable input.

    Example: irbook audit packages ~/src --name '@tanstack/react-router'
    """
    from irbook.audit.lockfiles.listing import list_packages
    from irbook.console import audit_packages as show

    inventory = list_packages(paths, name=name)
    show.inventory(inventory, as_json=json_output)
    if name is not None and not inventory.packages:
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)
