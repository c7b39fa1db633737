"""The project store: one database per review (SQLite by default, PostgreSQL by URL)."""

from logicmap.store.database import (
    Store,
    StoreError,
    create_store,
    database_url,
    open_store,
)

__all__ = ["Store", "StoreError", "create_store", "database_url", "open_store"]
