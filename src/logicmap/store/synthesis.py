"""Saving and loading logic-model snapshots (the JSON of :func:`logicmap.synthesis.snapshot`) by name."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from logicmap.errors import NotFoundError
from logicmap.store.database import Store
from logicmap.store.tables import ModelSnapshot


def save_snapshot(project: Store, name: str, data: dict) -> None:
    """Keep snapshot ``data`` under ``name``, replacing one of the same name."""
    with project.session() as session:
        session.execute(delete(ModelSnapshot).where(ModelSnapshot.name == name))
        session.add(ModelSnapshot(name=name, data=data, created_at=datetime.now(UTC).replace(tzinfo=None)))


def snapshot_names(project: Store) -> list[str]:
    """The names of the saved snapshots, oldest first."""
    with project.session() as session:
        return list(session.scalars(select(ModelSnapshot.name).order_by(ModelSnapshot.id)))


def load_snapshot(project: Store, name: str) -> dict:
    """A saved snapshot's data; raises :class:`NotFoundError` naming the saved ones."""
    with project.session() as session:
        data = session.scalars(select(ModelSnapshot.data).where(ModelSnapshot.name == name)).first()
    if data is None:
        known = ", ".join(snapshot_names(project)) or "none yet"
        raise NotFoundError(f"no snapshot {name!r} (saved: {known})")
    return data
