"""Migration 0011 on PostgreSQL: originals stored whole become part 0; file sizes take 64 bits."""

from __future__ import annotations

import os
import zlib
from datetime import datetime

import pytest
from sqlalchemy import inspect, text
from tests.support import PG_URL_VAR, fresh_postgres_database

from logicmap.store.database import make_engine, migrate


@pytest.mark.skipif(not os.environ.get(PG_URL_VAR), reason=f"PostgreSQL variant needs {PG_URL_VAR} (set by .ci/run)")
def test_originals_become_part_zero_and_sizes_take_64_bits():
    url, drop = fresh_postgres_database()
    engine = make_engine(url)
    try:
        migrate(engine, "0009")
        original = zlib.compress(b"TY  - JOUR\nER  - \n")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO sources (id, name, sha256, format, record_count, skipped_count, size_bytes, warnings,"
                " imported_at) VALUES (1, 'a.ris', 'x', 'ris', 0, 0, 10, '[]', :now)"), {"now": datetime(2026, 1, 1)})
            conn.execute(text("INSERT INTO source_files (source_id, compressed) VALUES (1, :c)"), {"c": original})
        migrate(engine)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT source_id, part, compressed FROM source_files")).all()
            assert [(r.source_id, r.part, bytes(r.compressed)) for r in rows] == [(1, 0, original)]
            conn.execute(text("UPDATE sources SET size_bytes = :big"), {"big": 3 * 2**30})
            conn.execute(text("INSERT INTO source_files (source_id, part, compressed) VALUES (1, 1, :c)"), {"c": b"x"})
        assert inspect(engine).get_pk_constraint("source_files")["constrained_columns"] == ["source_id", "part"]
    finally:
        engine.dispose()
        drop()
