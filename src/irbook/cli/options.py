"""Options shared by several commands, declared once."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from irbook.store import Reader, Store
    from irbook.usecases.incidents import Responder

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
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who you are (default: IRBOOK_ACTOR, else `git config user.name`, else the name "
        "asked once and remembered on this machine).",
        show_default=False,
    ),
]
IncidentArg = Annotated[str, typer.Argument(help="Incident id, e.g. IR-20260511-1A2B.")]
OptionalIncidentArg = Annotated[
    str | None,
    typer.Argument(
        help="Incident id (default: the most recent open incident).", show_default=False
    ),
]

AnswersOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="Answer from this YAML file instead of prompting "
        "(inputs: {...}, steps: {step-id: done | {skip: why} | value}).",
        show_default=False,
    ),
]
RoleOption = Annotated[
    str | None,
    typer.Option(
        "--role",
        help="Walk only the steps of this role (and steps with no role).",
        show_default=False,
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder for rendered notifications (default: the incident's "
        "folder in the user data directory).",
        show_default=False,
    ),
]
RunbookArg = Annotated[str, typer.Argument(help="Runbook name (`irbook runbooks list`) or path.")]
TitleOption = Annotated[
    str | None,
    typer.Option(
        "--title", help="Incident title (default: the runbook's title).", show_default=False
    ),
]
SeverityOption = Annotated[str, typer.Option("--severity", help="SEV1 (worst) to SEV4.")]
NewOption = Annotated[
    bool,
    typer.Option(
        "--new",
        help="Open a new incident even when one of this runbook is still open "
        "(otherwise asked, or refused without a terminal).",
    ),
]


@contextmanager
def opened_store(db: str | None, *, create: bool = False) -> Iterator["Store"]:
    """The database of --db / IRBOOK_DB, closed when the command is done. Only ``create``
    (`irbook start`) makes a new one: every other command works on an existing database."""
    from irbook.store import open_store

    store = open_store(db, create=create)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def opened_reader(db: str | None) -> Iterator["Reader"]:
    """The database of --db / IRBOOK_DB for a command that only reads: on a SQLite file this is
    the stdlib read path (store/reader.py), which starts without SQLAlchemy."""
    from irbook.store import open_reader

    reader = open_reader(db)
    try:
        yield reader
    finally:
        reader.close()


def responder(actor: str | None) -> "Responder":
    """Who is acting (``Responder.resolve``); at a terminal, a name nothing else gives is asked
    once and remembered on this machine, instead of recording the login name (``root``)."""
    import sys

    from irbook.usecases.incidents import Responder

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return Responder.resolve(actor)

    def ask() -> str:
        from irbook.prompts.terminal import QuestionaryPrompter
        from irbook.usecases.actor import remembered_path

        return QuestionaryPrompter().text(
            "Your name, as recorded on every event you write "
            f"(asked once; kept in {remembered_path()}; --as or IRBOOK_ACTOR override it)"
        )

    return Responder.resolve(actor, ask=ask)
