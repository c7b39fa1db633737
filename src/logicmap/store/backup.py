"""One portable archive of a whole project, and its restore to SQLite or PostgreSQL.

The archive is a zip: ``manifest.json`` (archive format, logicmap version, schema
revision, rows and SHA-256 per table) and ``tables/NAME.jsonl``, one canonical JSON
line per row in primary-key order (dates as ISO text, bytes as base64, JSON
values with sorted keys). Every table is in it: records, sources with their
original files, clusters, decisions, codings, codebook versions, settings and
whatever later migrations add, so nothing needs a backup rule of its own.

:func:`canonical_dump` is the same lines without the zip: two stores hold the same
project exactly when their dumps are equal, whatever their database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, Engine, LargeBinary, MetaData, Table, insert, inspect, select, text

from logicmap import __version__
from logicmap.errors import StoreError
from logicmap.store.database import (
    Store,
    _is_sqlite_path,
    database_url,
    head_revision,
    known_revisions,
    make_engine,
    migrate,
    open_store,
    safe_location,
)

ARCHIVE_FORMAT = 1
_BATCH = 2000


@dataclass(frozen=True)
class BackupSummary:
    """What an archive holds."""

    path: str
    schema_revision: str
    rows: dict[str, int]


def _tables(engine: Engine) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(engine)
    return [t for t in metadata.sorted_tables if t.name != "alembic_version"]


def _encode(column, value):
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(column.type, DateTime):
        return value.isoformat()
    if isinstance(column.type, JSON) and isinstance(value, str):
        return json.loads(value)
    return value


def _decode(column, value):
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    return value


def _lines(engine: Engine, table: Table) -> Iterator[str]:
    order = list(table.primary_key.columns) or list(table.columns)
    with engine.connect() as connection:
        for row in connection.execute(select(table).order_by(*order)):
            data = {c.name: _encode(c, row._mapping[c.name]) for c in table.columns}
            yield json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_dump(store: Store) -> bytes:
    """Every table's canonical lines, table by table (equal for equal projects on any database)."""
    parts = []
    for table in _tables(store.engine):
        parts.append(f"# {table.name}\n")
        parts.extend(line + "\n" for line in _lines(store.engine, table))
    return "".join(parts).encode()


def write_archive(store: Store, path: Path | str) -> BackupSummary:
    """Write the project to one zip archive at ``path`` (written whole, then moved into place)."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; give the archive a file name")
    revision = head_revision()
    rows: dict[str, int] = {}
    digests: dict[str, str] = {}
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables(store.engine):
            digest, count = hashlib.sha256(), 0
            with archive.open(f"tables/{table.name}.jsonl", "w") as member:
                for line in _lines(store.engine, table):
                    data = (line + "\n").encode()
                    member.write(data)
                    digest.update(data)
                    count += 1
            rows[table.name], digests[table.name] = count, digest.hexdigest()
        manifest = {"archive_format": ARCHIVE_FORMAT, "logicmap": __version__, "schema_revision": revision,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "tables": {name: {"rows": rows[name], "sha256": digests[name]} for name in rows}}
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(partial, path)
    return BackupSummary(str(path), revision, rows)


def _read_manifest(archive: zipfile.ZipFile, name: str) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise StoreError(f"{name}: not a logicmap backup (no readable manifest.json)") from exc
    if manifest.get("archive_format") != ARCHIVE_FORMAT:
        raise StoreError(f"{name}: backup format {manifest.get('archive_format')} is not supported")
    if manifest.get("schema_revision") not in known_revisions():
        raise StoreError(f"{name}: made by a newer logicmap (schema revision {manifest.get('schema_revision')}); "
                         "upgrade logicmap to restore it")
    return manifest


def restore_archive(archive_path: Path | str, location: str | Path) -> Store:
    """Restore a backup into a new project at ``location`` (SQLite path or an empty PostgreSQL database).

    Rows keep their ids; the archive's checksums are verified first; on any error
    nothing is left behind (the SQLite file is removed, the PostgreSQL transaction
    rolled back).
    """
    archive_path, location = Path(archive_path), str(location)
    try:
        archive = zipfile.ZipFile(archive_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise StoreError(f"{archive_path}: not a readable backup archive ({exc})") from exc
    with archive:
        manifest = _read_manifest(archive, archive_path.name)
        for name, facts in manifest["tables"].items():
            if hashlib.sha256(archive.read(f"tables/{name}.jsonl")).hexdigest() != facts["sha256"]:
                raise StoreError(f"{archive_path.name}: table {name} does not match its checksum (damaged archive)")
        if _is_sqlite_path(location) and Path(location).expanduser().exists():
            raise StoreError(f"{location}: already exists", location=location, reason="exists")
        engine = make_engine(database_url(location))
        try:
            _load(engine, archive, manifest, location)
        except BaseException:
            engine.dispose()
            if _is_sqlite_path(location):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{Path(location).expanduser()}{suffix}").unlink(missing_ok=True)
            raise
        engine.dispose()
    return open_store(location)


def _load(engine: Engine, archive: zipfile.ZipFile, manifest: dict, location: str) -> None:
    if inspect(engine).has_table("records"):
        raise StoreError(f"{safe_location(location)}: already holds a logicmap project", location=location)
    migrate(engine, manifest["schema_revision"])
    tables = _tables(engine)
    with engine.begin() as connection:
        for table in tables:
            if table.name not in manifest["tables"]:
                continue
            batch = []
            for line in archive.read(f"tables/{table.name}.jsonl").decode().splitlines():
                data = json.loads(line)
                batch.append({c.name: _decode(c, data.get(c.name)) for c in table.columns if c.name in data})
                if len(batch) >= _BATCH:
                    connection.execute(insert(table), batch)
                    batch = []
            if batch:
                connection.execute(insert(table), batch)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, tables)
    migrate(engine)


def _reset_sequences(connection, tables: list[Table]) -> None:
    """Serial ids continue after the restored rows."""
    for table in tables:
        if "id" in table.columns and table.columns["id"].primary_key:
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
