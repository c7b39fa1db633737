"""The project store: one database per review (SQLite by default, PostgreSQL by URL)."""

from logicmap.store.project import (
    Project,
    StoreError,
    create_project,
    database_url,
    open_project,
)

__all__ = ["Project", "StoreError", "create_project", "database_url", "open_project"]
