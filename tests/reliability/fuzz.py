"""Fuzzing the readers: every input either imports or fails with a documented import error.

:func:`feed` is the one target: bytes in, read as a given format (or detected), every
record normalised and checked. ImportFormatError and ImportRefused are the documented
refusals; anything else is a crash. Seeds are the small real exports embedded in
``tests/data/formats`` (plus ``../shared/data/formats`` files under 64 KB when present).
Crashers found are kept as regression inputs in ``tests/data/fuzz-corpus/``.

``python -m tests.reliability.fuzz FORMAT SECONDS`` runs atheris (coverage-guided) on
one format for a bounded time and saves any crasher to the corpus.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from logicmap.errors import ImportFormatError, ImportRefused

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "fuzz-corpus"
#: reader format -> seed folders (embedded, shared) and the file suffix used when feeding
FORMATS = {
    "ris": (("ris",), ".ris"),
    "medline": (("medline",), ".nbib"),
    "pubmed_xml": (("pubmed_xml", "pubmed-xml"), ".xml"),
    "bibtex": (("bibtex",), ".bib"),
    "endnote_xml": (("endnote-xml",), ".xml"),
    "refer": (("refer",), ".txt"),
    "wos_tagged": (("other",), ".txt"),
    "ovid_tagged": (("other",), ".txt"),
    "csv": (("csv", "tsv"), ".csv"),
    "xlsx": (("xlsx",), ".xlsx"),
}
#: Scratch files; a fuzzing subprocess is given its caller's (libFuzzer exits without Python's atexit).
_TMP = Path(os.environ.get("LOGICMAP_FUZZ_TMP") or tempfile.mkdtemp(prefix="logicmap-fuzz-"))
if "LOGICMAP_FUZZ_TMP" not in os.environ:
    atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


def seeds(fmt: str) -> list[bytes]:
    """Seed inputs for ``fmt``: embedded sample exports, then small shared ones."""
    folders, _ = FORMATS[fmt]
    found = []
    for base in (ROOT / "tests" / "data" / "formats", ROOT.parent / "shared" / "data" / "formats"):
        for folder in folders:
            for path in sorted((base / folder).glob("*")):
                if path.is_file() and path.name != "SOURCES.md" and path.stat().st_size < 64_000:
                    found.append(path.read_bytes())
    return found or [b"TY  - JOUR\nTI  - x\nER  - \n"]


def feed(data: bytes, fmt: str, *, detect: bool = False) -> int:
    """Read ``data`` as ``fmt`` (or detect its format); returns the records read. Crashes propagate."""
    from logicmap.records.reading import iter_checked, iter_parsed, open_file  # instrumented under atheris

    path = _TMP / f"input{FORMATS[fmt][1]}"
    path.write_bytes(data)
    try:
        opened = open_file(path, fmt=None if detect else fmt)
        return sum(1 for _ in iter_checked(iter_parsed(opened)))
    except (ImportFormatError, ImportRefused):
        return 0


def corpus(fmt: str) -> list[Path]:
    """Saved crashers of ``fmt`` (regression inputs)."""
    return sorted((CORPUS / fmt).glob("*")) if (CORPUS / fmt).is_dir() else []


def _atheris(fmt: str, seconds: int) -> None:
    import atheris

    def one_input(data: bytes) -> None:
        try:
            feed(data, fmt)
        except Exception:
            target = CORPUS / fmt
            target.mkdir(parents=True, exist_ok=True)
            (target / f"crash-{abs(hash(data)):x}").write_bytes(data)
            raise

    seed_dir = _TMP / f"seeds-{fmt}"
    seed_dir.mkdir(exist_ok=True)
    for index, data in enumerate(seeds(fmt)):
        (seed_dir / f"seed{index}").write_bytes(data)
    with atheris.instrument_imports(include=["logicmap.records"]):  # coverage guidance over the readers
        import logicmap.records.reading
        from logicmap.records.formats import reader_module

        reader_module(fmt)
        logicmap.records.reading.open_file  # noqa: B018 - imported for instrumentation
    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", "-max_len=65536", "-rss_limit_mb=4096",
                   str(seed_dir)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    _atheris(sys.argv[1], int(sys.argv[2]))
