"""Opening, creating and migrating a project store (SQLite file or PostgreSQL URL)."""

from __future__ import annotations

import functools
import os
import sqlite3
import urllib.parse
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator, Sequence

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, inspect, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from logicmap.errors import StoreError
from logicmap.store.tables import ProjectSetting

FORMAT_VERSION = "1"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".logicmap")


def safe_location(location: str | Path) -> str:
    """``location`` fit to print: a URL's password is replaced by ``***``."""
    text = str(location)
    if "://" not in text:
        return text
    scheme, rest = text.split("://", 1)
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return text
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def database_url(location: str | Path) -> str | URL:
    """The SQLAlchemy URL for a project path or URL.

    A path names an SQLite file, taken literally (``?`` and ``%`` in a file name
    are not URL syntax); ``postgresql://`` URLs use psycopg 3.
    """
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


def busy_timeout_seconds() -> float:
    """How long an SQLite write waits for another process's lock (``LOGICMAP_BUSY_TIMEOUT``, default 10 s)."""
    try:
        return max(0.0, float(os.environ.get("LOGICMAP_BUSY_TIMEOUT", "10")))
    except ValueError:
        return 10.0


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds() * 1000)}")
    cursor.close()


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def _json_loads(value: object) -> object:
    # SQLite gives JSON columns NUMERIC affinity: a stored "71" comes back as the integer 71
    if isinstance(value, (int, float)):
        return value
    return orjson.loads(value)


#: Connections kept open per engine (a web server has up to 40 request threads).
POOL_SIZE = 20


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``; SQLite connections get WAL and foreign keys.

    Up to :data:`POOL_SIZE` connections stay open, so the web server's request
    threads (and the CLI's one) rarely open a new one.
    """
    engine = create_engine(url, json_serializer=_json_dumps, json_deserializer=_json_loads,
                           pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "logicmap.store:migrations")
    config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migration scripts shipped with this version (read once per process)."""
    config = Config()
    config.set_main_option("script_location", "logicmap.store:migrations")
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    """The newest migration revision shipped with this version."""
    return _scripts().get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None when not a project)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (each migration in a transaction)."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


class Store:
    """The database of one review project, opened through :func:`open_store` (the library API wraps it in ``Review``)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error.

        A write that waits longer than the busy timeout for another process's
        lock raises :class:`StoreError` (reason ``"busy"``), not a driver error.
        """
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            refusal = self._refusal(str(exc))
            if refusal is None:
                raise
            raise refusal from exc

    def _refusal(self, message: str) -> StoreError | None:
        """A driver error a user can act on, said plainly (the transaction was rolled back)."""
        where = safe_location(self.location)
        if "database is locked" in message:
            return StoreError(
                f"{where}: the project is busy: another process held its write lock for "
                f"more than {busy_timeout_seconds():g} s; nothing was changed, try again when it has finished",
                location=self.location, reason="busy")
        if "disk is full" in message or "No space left" in message:
            return StoreError(f"{where}: the disk is full; nothing was changed (free some space and try again)",
                              location=self.location, reason="disk_full")
        if "readonly database" in message or "read-only" in message:
            return StoreError(f"{where}: the project is read-only here (file or disk not writable); nothing was "
                              "changed", location=self.location, reason="read_only")
        return None

    def setting(self, key: str) -> str | None:
        """A project setting's value."""
        with self._sessions() as session:
            row = session.get(ProjectSetting, key)
            return row.value if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a project setting."""
        with self.session() as session:
            session.merge(ProjectSetting(key=key, value=value))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: Ids bound in one ``IN (...)`` clause: within every backend's limit on bound parameters.
IN_CHUNK = 5000


def id_chunks(ids: Sequence[int], size: int = IN_CHUNK) -> Iterator[Sequence[int]]:
    """``ids`` in consecutive slices of at most ``size``, one per ``IN (...)`` query."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def dialect_insert(session: Session):
    """The INSERT construct with ON CONFLICT support of the session's database."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def claim_write_lock(session: Session, key: int) -> None:
    """Take the project's write lock for ``key``'s kind of work now, inside ``session``'s transaction.

    What the transaction reads next is then what it commits over: two imports of one
    file, or two dedupe runs, started together run one after the other. SQLite has one
    write lock per database (any write statement takes it, even one that changes no
    row); PostgreSQL gets a transaction-scoped advisory lock per ``key``.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        session.execute(text("DELETE FROM project_settings WHERE 1 = 0"))


def _is_sqlite_path(location: str) -> bool:
    return "://" not in location


def _connection_error(location: str, exc: Exception) -> StoreError:
    """A server or file that cannot be reached, said without the password or a traceback."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return StoreError(f"{safe_location(location)}: cannot open as a project store ({detail})", location=location)


def create_store(location: str | Path, name: str | None = None) -> Store:
    """Create a new project at ``location`` (SQLite path or PostgreSQL URL)."""
    location = str(location)
    shown = safe_location(location)
    if _is_sqlite_path(location):
        path = Path(location).expanduser()
        if path.exists():
            raise StoreError(f"{location}: already exists", location=location, reason="exists")
        if not path.parent.exists():
            raise StoreError(f"{location}: folder {path.parent} does not exist")
    engine = make_engine(database_url(location))
    try:
        if _is_sqlite_path(location) is False and inspect(engine).has_table("records"):
            raise StoreError(f"{shown}: already holds a logicmap project", location=location)
        migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        raise _connection_error(location, exc) from exc
    project = Store(engine, location)
    project_name = name or (Path(location).stem if _is_sqlite_path(location) else "review")
    project.set_setting("name", project_name)
    project.set_setting("format_version", FORMAT_VERSION)
    project.set_setting("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    return project


def _sqlite_revision(path: Path, location: str) -> str | None:
    """The schema revision of an SQLite file, read without changing the file (no WAL switch, no journal)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        if not os.access(path.parent, os.W_OK) or not os.access(path, os.W_OK):
            raise StoreError(f"{location}: the project is read-only here (file or disk not writable); it cannot be "
                             "opened for work; copy it somewhere writable", location=location, reason="read_only") from exc
        raise StoreError(f"{location}: not a logicmap project (not an SQLite database: {exc})", location=location) from exc
    return row[0] if row else None


def known_revisions() -> frozenset[str]:
    """Every schema revision this version can open."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def open_store(location: str | Path) -> Store:
    """Open an existing project, applying any pending migrations.

    A file that is not a project is refused before anything is written to it; a
    project made by a newer logicmap is refused with its schema revision named.
    """
    location = str(location)
    shown = safe_location(location)
    if _is_sqlite_path(location):
        path = Path(location).expanduser()
        if not path.is_file():
            raise StoreError(f"{location}: no project here", location=location, reason="missing")
        if _sqlite_revision(path, location) is None:
            raise StoreError(f"{location}: not a logicmap project (no schema version found)", location=location)
    engine = make_engine(database_url(location))
    try:
        revision = current_revision(engine)
    except Exception as exc:  # a file that is not SQLite, an unreachable server
        engine.dispose()
        raise _connection_error(location, exc) from exc
    if revision is None:
        engine.dispose()
        raise StoreError(f"{shown}: not a logicmap project (no schema version found)", location=location)
    if revision not in known_revisions():
        engine.dispose()
        raise StoreError(
            f"{shown}: made by a newer logicmap (schema revision {revision}; this version reads up to "
            f"{head_revision()}); upgrade logicmap to open it", location=location, reason="newer")
    if revision != head_revision():
        migrate(engine)
    project = Store(engine, location)
    version = project.setting("format_version")
    if version != FORMAT_VERSION:
        raise StoreError(f"{shown}: project format {version} is not supported (expected {FORMAT_VERSION})")
    return project


def settings(project: Store) -> dict[str, str]:
    """Every project setting."""
    with project.session() as session:
        return {row.key: row.value for row in session.scalars(select(ProjectSetting))}
