"""Persistence: the only home of sqlmodel/SQLAlchemy. SQLite by default, PostgreSQL by URL.

``Store`` and ``open_store`` (the ORM store, which imports SQLAlchemy) load on first use, so the
read path (``open_reader``) and code that only names ``Incident`` start without SQLAlchemy.
"""

from typing import TYPE_CHECKING, Any

from irbook.store.reader import open_reader
from irbook.store.records import Incident, Reader

if TYPE_CHECKING:
    from irbook.store.store import Store, open_store

__all__ = ["Incident", "Reader", "Store", "open_reader", "open_store"]


def __getattr__(name: str) -> Any:
    if name in ("Store", "open_store"):
        from irbook.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'irbook.store' has no attribute '{name}'")
