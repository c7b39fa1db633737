"""Test helpers imported by name (``from tests.support import ...``): paths to the real data in
../shared, the MANIFEST counts, fresh PostgreSQL databases and small real PDFs (make_pdf).

They live here, not in a conftest.py, because ``from conftest import`` resolves to whichever
conftest module Python loaded first (tests/web has its own), which differs between runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS_DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"
FORMATS = SHARED / "data" / "formats"


def benchmark_module(name: str):
    """``benchmarks/NAME.py`` imported as a module; the folder is on ``sys.path`` while it loads, since
    benchmarks import their siblings by name."""
    import importlib
    import sys

    folder = str(REPO / "benchmarks")
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(folder)


def shared_path(relative: str) -> Path:
    """A path under ../shared/data, skipping the test when ../shared is absent."""
    path = SHARED / "data" / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative} (shared data not present in this checkout)")
    return path


#: MANIFEST counts found wrong, with the evidence (reported in the issue's closing note).
MANIFEST_CORRECTIONS: dict[str, int] = {
    # MANIFEST counted '%0' lines (2), but this AIS export starts records with '%T':
    # six blank-line-separated records, '%T' at lines 1, 17, 27, 37, 50, 61, six '%U' URLs.
    "formats/other/colrev-ais_endnote_tagged.txt": 6,
    # MANIFEST counted bibtexparser's entries (2); '@ARTICLE' at lines 2, 28, 53: Li2020
    # lands in failed_blocks only because 'funding_details' is repeated (lines 16-17).
    "formats/bibtex/synthesisr-scopus.bib": 3,
}
#: Real files holding records that are really broken: file -> number of bad records.
KNOWN_BAD_RECORDS: dict[str, int] = {
    # second '@article' (line 15) has unbalanced braces in Keywords: a syntax error
    "formats/bibtex/colrev-ebsco_dummy.bib": 1,
}


def manifest_counts() -> dict[str, int]:
    """Record counts per file from ../shared/data/formats/MANIFEST.md ({} when absent),
    with :data:`MANIFEST_CORRECTIONS` applied."""
    manifest = FORMATS / "MANIFEST.md"
    if not manifest.exists():
        return {}
    counts: dict[str, int] = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 8 or not cells[1].startswith(("formats/", "dedup/")):
            continue
        match = re.match(r"(\d[\d,]*)", cells[6])
        if match:
            counts[cells[1]] = int(match.group(1).replace(",", ""))
    counts.update({k: v for k, v in MANIFEST_CORRECTIONS.items() if k in counts})
    return counts


PG_URL_VAR = "LOGICMAP_TEST_PG_URL"


def fresh_postgres_database() -> tuple[str, callable]:
    """Create an empty PostgreSQL database; return its URL and a function dropping it."""
    import os
    import uuid

    import psycopg

    admin_url = os.environ[PG_URL_VAR]
    name = f"logicmap_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def make_pdf(pages: list[str]) -> bytes:
    """A minimal real PDF (Helvetica text, one line per page) that pypdf can read."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
        content = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
