"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
RunbooksDirOption = Annotated[
    Path | None,
    typer.Option(
        "--runbooks",
        envvar="IRBOOK_RUNBOOKS",
        help="Directory searched for runbooks before the shipped ones.",
        show_default=False,
    ),
]
TemplatesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        envvar="IRBOOK_TEMPLATES",
        help="Directory searched for templates before the shipped ones.",
        show_default=False,
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="IRBOOK_DB",
        help="Database URL (sqlite:///path.db or postgresql+psycopg://...). "
        "Default: irbook.db in the user data directory.",
        show_default=False,
    ),
]
