"""Where a database URL points, for commands that look before they touch (preflight)."""

from __future__ import annotations

from pathlib import Path

from irbook.store.database import resolve_url


def sqlite_file(url: str | None) -> Path | None:
    """The file of a SQLite URL (``--db``/``IRBOOK_DB``/default), None for other databases and
    in-memory SQLite."""
    from sqlalchemy.engine import make_url

    resolved = resolve_url(url)
    if not resolved.startswith("sqlite"):
        return None
    database = make_url(resolved).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
