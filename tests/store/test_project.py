"""The project store: creation, reopening, pragmas and migrations on real databases."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import inspect, text

from logicmap.cli.common import message_of
from logicmap.store import StoreError, create_store, open_store
from logicmap.store.database import current_revision, head_revision, make_engine, migrate, database_url


def test_create_and_reopen(project_location):
    project = create_store(project_location, name="Recovery review")
    project.close()
    reopened = open_store(project_location)
    assert reopened.setting("name") == "Recovery review"
    assert reopened.setting("format_version") == "1"
    assert current_revision(reopened.engine) == head_revision()
    tables = set(inspect(reopened.engine).get_table_names())
    assert {"sources", "records", "skipped_records", "source_files"} <= tables
    reopened.close()


def test_create_refuses_existing_project(project_location):
    create_store(project_location).close()
    with pytest.raises(StoreError, match="already") as error:
        create_store(project_location)
    assert "--project" not in str(error.value)  # no advice tied to one front end


def test_sqlite_uses_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "p.db"
    project = create_store(path)
    with project.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        with pytest.raises(Exception, match="FOREIGN KEY"):
            conn.execute(text("INSERT INTO skipped_records (source_id, position, reason) VALUES (99, 1, 'x')"))
    project.close()


def test_open_missing_project_names_the_fix(tmp_path):
    with pytest.raises(StoreError, match="no project here") as error:
        open_store(tmp_path / "nothing.db")
    assert error.value.reason == "missing"
    assert "logicmap init" in message_of(error.value)[0]  # the command line's hint


def test_open_non_project_file_is_refused(tmp_path):
    not_db = tmp_path / "notes.db"
    not_db.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="cannot open|not a logicmap project"):
        open_store(not_db)
    empty_sqlite = tmp_path / "empty.db"
    sqlite3.connect(empty_sqlite).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not a logicmap project"):
        open_store(empty_sqlite)


def test_upgrade_from_empty_database_reaches_head(project_location):
    engine = make_engine(database_url(project_location))
    migrate(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_upgrade_from_previous_revision_keeps_data(project_location):
    """A project made by the first schema version opens and migrates with its data."""
    engine = make_engine(database_url(project_location))
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO project_settings (key, value) VALUES ('format_version', '1'), ('name', 'old')"))
        conn.execute(
            text(
                "INSERT INTO sources (id, name, sha256, format, record_count, size_bytes, warnings, imported_at) "
                "VALUES (1, 'old.ris', 'abc', 'ris', 1, 10, '[]', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO records (id, source_id, position, title, authors, keywords, extra, provenance) "
                "VALUES (1, 1, 1, 'Peer support and recovery', '[]', '[]', '{}', '{}')"
            )
        )
    engine.dispose()
    project = open_store(project_location)  # applies 0002 automatically
    assert current_revision(project.engine) == head_revision() != "0001"
    with project.engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM records")).scalar() == "Peer support and recovery"
        assert conn.execute(text("SELECT skipped_count FROM sources")).scalar() == 0
    project.close()
