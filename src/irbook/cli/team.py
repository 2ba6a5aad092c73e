"""Team mode commands: `irbook db init|info`, `irbook assign`, `irbook watch`."""

from typing import Annotated

import typer

from irbook.cli.app import app
from irbook.cli.options import AsOption, DbOption, JsonOption, opened_store
from irbook.errors import ExitCode

db_app = typer.Typer(
    help="Set up and inspect the database (a SQLite file, or a PostgreSQL server a team "
    "shares; see docs/team-mode.md).\n\nExamples:\n\n"
    "  irbook db init --db 'postgresql://irbook@db.internal/irbook?sslmode=verify-full'\n\n"
    "  irbook db info --json",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


@db_app.command("init")
def db_init(
    db: DbOption = None,
    json_output: JsonOption = False,
    enforce_actor: Annotated[
        bool | None,
        typer.Option(
            "--enforce-actor/--no-enforce-actor",
            help="PostgreSQL: refuse any event whose actor (--as) is not the database login "
            "that writes it (default: leave the setting as it is; off in a new database).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create the irbook tables, their server-side guards and the schema version, or upgrade a
    database from an older irbook (safe to run again: it changes nothing then).

    On PostgreSQL run it as the role that should own the tables.

    Example: irbook db init --db postgresql://irbook_owner@db.internal/irbook --enforce-actor
    """
    from irbook.console import team as show
    from irbook.store.admin import init_database

    show.db_init(init_database(db, enforce_actor=enforce_actor), as_json=json_output)


@db_app.command("info")
def db_info(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Show the database in use (URL without password), its schema version and how many
    incidents and events it holds. Creates nothing.

    Example: irbook db info --json
    """
    from irbook.console import team as show
    from irbook.store.admin import database_info

    show.db_info(database_info(db), as_json=json_output)


@app.command("assign")
def assign(
    incident: Annotated[str, typer.Argument(help="Incident id (see `irbook list`).")],
    role: Annotated[str, typer.Argument(help="A role of the incident's runbook.")],
    person: Annotated[str, typer.Argument(help="Who holds it from now on.")],
    db: DbOption = None,
    actor: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Give a role of the runbook to a person; `irbook status` and `irbook watch` show it.

    That person then walks their steps with `irbook resume INCIDENT --as NAME --role ROLE`.

    Example: irbook assign IR-20260511-7F3A ops-lead alice
    """
    from irbook.cli.options import responder as responder_for
    from irbook.console import team as show
    from irbook.usecases.team import assign_role

    with opened_store(db) as store:
        event = assign_role(store, incident, role, person, responder=responder_for(actor))
    show.assigned(event, as_json=json_output)


@app.command("watch")
def watch(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id. Default: the latest open incident.")
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.2, help="Seconds between refreshes.")
    ] = 2.0,
    once: Annotated[bool, typer.Option("--once", help="Print one frame and exit.")] = False,
    latest: Annotated[int, typer.Option("--latest", min=0, help="How many events to list.")] = 12,
    db: DbOption = None,
) -> int:
    """Live view of an incident: progress per phase, who holds which role, the latest events.

    Refreshes until Ctrl-C. Reads only what was appended since the last refresh.

    Example: irbook watch IR-20260511-7F3A --interval 5
    """
    from irbook import console
    from irbook.console import watch as show
    from irbook.usecases.incidents import find_incident
    from irbook.usecases.team import Watcher

    with opened_store(db) as store:
        watcher = Watcher.open(store, find_incident(store, incident).id, latest=latest)
        if once:
            show.once(watcher)
            return int(ExitCode.OK)
        try:
            show.live(watcher, interval=interval)
        except KeyboardInterrupt:  # the normal way out of a live view: no error, no traceback
            console.info(f"stopped watching {watcher.state.incident_id}")
            return int(ExitCode.INTERRUPTED)
    return int(ExitCode.OK)
