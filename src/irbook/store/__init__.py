"""Persistence: the only home of sqlmodel/SQLAlchemy. SQLite by default, PostgreSQL by URL."""

from irbook.store.store import AppendConflict, Incident, Store, open_store

__all__ = ["AppendConflict", "Incident", "Store", "open_store"]
