"""Persistence: the only home of sqlmodel/SQLAlchemy. SQLite by default, PostgreSQL by URL."""

from irbook.store.store import Incident, Store, open_store

__all__ = ["Incident", "Store", "open_store"]
