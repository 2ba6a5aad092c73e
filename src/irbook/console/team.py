"""Rendering for team mode: `db init|info`, `assign`, and the roles part of `status`."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from irbook.console import escape, markup, print_json, stdout, success, warn

if TYPE_CHECKING:
    from rich.table import Table

    from irbook.domain.events import Event
    from irbook.store.admin import DatabaseInfo
    from irbook.usecases.team import RoleLine


def _info_json(info: DatabaseInfo) -> dict[str, Any]:
    return asdict(info) | {"compatible": info.compatible}


def db_init(info: DatabaseInfo, *, as_json: bool) -> None:
    if as_json:
        print_json(_info_json(info))
        return
    if info.created:
        success(f"created the irbook tables (schema {info.schema_version}) in {info.url}")
    elif info.upgraded_from is not None:
        success(
            f"upgraded {info.url} from schema {info.upgraded_from} to {info.schema_version}; "
            "every incident and event is kept"
        )
    elif info.append_function_added:
        success(
            f"added the server-side append (irbook_append) to {info.url}, made by an earlier "
            "build without it: appends now queue on the server in one call"
        )
    elif not info.enforce_actor_changed:
        success(
            f"{info.url} is already an irbook database (schema {info.schema_version}); "
            "nothing changed"
        )
    if info.enforce_actor_changed:
        rule = "now refuses" if info.enforce_actor else "no longer refuses"
        success(f"{info.url} {rule} an event whose actor is not the database login")


def _actor_rule(info: DatabaseInfo) -> str:
    if info.backend != "postgresql":
        return "not checked (SQLite has no logins)"
    if info.enforce_actor:
        return "must be the database login (--enforce-actor)"
    return "any name; the login is recorded next to it (--enforce-actor to require it)"


def db_info(info: DatabaseInfo, *, as_json: bool) -> None:
    if as_json:
        print_json(_info_json(info))
        return
    from irbook.console.layout import pairs

    version = "unknown" if info.schema_version is None else str(info.schema_version)
    pairs(
        [
            ("database", info.url),
            ("backend", info.backend),
            ("schema version", f"{version} (this irbook: {info.supported_version})"),
            ("incidents", f"{info.incidents} ({info.open_incidents} open)"),
            ("events", str(info.events)),
            ("actor", _actor_rule(info)),
        ]
    )
    if info.schema_version is not None and info.schema_version < info.supported_version:
        warn(
            f"this database is from an older irbook (schema {version}); upgrade it once with "
            "`irbook db init` (on PostgreSQL as the role that owns the tables)"
        )
    elif not info.compatible:
        warn(f"this database needs a newer irbook (schema {version}); upgrade before using it")


def assigned(event: Event, *, as_json: bool) -> None:
    role, person = event.payload["role"], event.payload["person"]
    if as_json:
        print_json(
            {
                "incident": event.incident_id,
                "role": role,
                "person": person,
                "seq": event.seq,
                "by": event.actor,
                "at": event.at.isoformat(),
            }
        )
        return
    success(f"{event.incident_id}: {role} is now held by {person}")


def roles_table(roles: list[RoleLine]) -> Table:
    """Who holds what, and how many open steps each role still has (status and watch)."""
    from irbook.console.layout import grid

    table = grid("role", "held by", "open steps")
    for line in roles:
        holder = escape(line.person) if line.person else "[dim]unassigned[/]"
        table.add_row(escape(line.role), holder, str(line.open_steps))
    return table


def roles(roles: list[RoleLine]) -> None:
    """The roles part of `irbook status` (human output)."""
    if not roles:
        return
    from irbook.console.layout import plain, table

    markup("\n[bold]Roles[/]")
    if plain():  # piped: aligned columns, one role per line
        rows = [[r.role, r.person or "unassigned", str(r.open_steps)] for r in roles]
        table(("role", "held by", "open steps"), rows)
        return
    stdout().print(roles_table(roles))


def roles_json(roles: list[RoleLine]) -> list[dict[str, Any]]:
    """The roles part of `irbook status --json`."""
    return [{"role": r.role, "person": r.person, "open_steps": r.open_steps} for r in roles]
