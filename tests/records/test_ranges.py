"""A large RIS file read in parts (by worker processes) gives exactly what reading it whole gives."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logicmap.api import ImportRefused, Review
from logicmap.records import ranges
from logicmap.records.intake import FlatBatches, RecordBatches
from logicmap.records.range_worker import RangeWorkers, WorkerFailed
from logicmap.records.ranges import RangeJob, read_range, record_ranges
from logicmap.records.reading import open_file
from logicmap.records.rows import flat_record
from tests.support import shared_path

#: Exports of different dialects: Ovid numbering between records, EndNote, Scopus, WoS, Rayyan keywords.
EXPORTS = ("cff-eric_ovid.ris", "asreview-embase.ris", "asysd-scopus.ris", "asysd-wos_test.ris",
           "asreview-rayyan_ris_issue_992.txt", "cff-cochrane_endnote.ris")


def exports_text() -> str:
    """Several real RIS exports one after the other, line ends made LF."""
    folder = shared_path("formats/ris")
    texts = [(folder / name).read_bytes().decode("utf-8").lstrip("\ufeff") for name in EXPORTS]
    return "\n".join(t.replace("\r\n", "\n").replace("\r", "\n") for t in texts)


def broken(text: str) -> str:
    """``text`` with an ER line dropped mid-file, a record id repeated far from its first use,
    a record without title, abstract, DOI or PMID, and the last ER line dropped."""
    lines = text.split("\n")
    ends = [i for i, line in enumerate(lines) if line.startswith("ER  -")]
    lines[ends[len(ends) // 3]] = ""
    ids = [i for i, line in enumerate(lines) if line.startswith(("ID  -", "AN  -"))]
    lines[ids[-5]] = lines[ids[2]]
    starts = [i for i, line in enumerate(lines) if line.startswith("TY  -")]
    middle = starts[len(starts) // 2]
    for i in range(middle + 1, starts[len(starts) // 2 + 1]):
        if lines[i][:2] in ("TI", "T1", "AB", "N2", "DO", "L3", "M3", "UR", "U1", "C1", "C2", "C3"):
            lines[i] = "XX  - x"
    lines[ends[-1]] = ""
    return "\n".join(lines)


def write(path: Path, text: str, line_end: str = "\n", bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.replace("\n", line_end).encode("utf-8"))
    return path


def in_process(jobs):
    return map(read_range, jobs)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_parts_end_just_after_er_lines_and_cover_the_file(tmp_path, line_end):
    path = write(tmp_path / "all.ris", exports_text(), line_end, bom=True)
    data = path.read_bytes()
    jobs = list(record_ranges(open_file(path), size=3000))
    assert jobs[0].start == 3 and jobs[0].first and not any(j.first for j in jobs[1:])
    assert [j.start for j in jobs[1:]] == [j.end for j in jobs[:-1]] and jobs[-1].end == len(data)
    text = data[3:].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    for job in jobs:
        before = data[3 : job.start].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        assert job.line == before.count("\n") + 1
    if line_end == "\r":  # no LF to cut at: the file is one part
        assert len(jobs) == 1
    else:
        assert len(jobs) > 20
        assert all(re.search(rb"(^|[\r\n])ER  -[^\r\n]*\r?\n$", data[j.start : j.end]) for j in jobs[:-1])
    assert text.count("\nER  -") > 20


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize("skip_bad", [False, True])
@pytest.mark.parametrize("text", [exports_text, lambda: broken(exports_text())], ids=["good", "broken"])
def test_records_read_in_parts_are_those_read_whole(tmp_path, monkeypatch, line_end, skip_bad, text):
    path = write(tmp_path / "all.ris", text(), line_end, bom=True)
    monkeypatch.setattr(ranges, "RANGE_BYTES", 1500)  # parts of a few records: many cuts
    whole = RecordBatches(open_file(path), skip_bad=skip_bad)
    expected = [(r.position, flat_record(r)) for batch in whole for r in batch]
    parts = FlatBatches(open_file(path), in_process, skip_bad=skip_bad)
    given = [row for batch in parts for row in batch]
    if whole.refusal() is None:  # a refused file's batches are rolled back: only its problems count
        assert given == expected and len(given) > 50
    assert parts.bad == whole.bad and parts.skipped == whole.skipped
    assert parts.database(None) == whole.database(None) is not None
    refusal = parts.refusal()
    assert (refusal and refusal.problems) == (whole.refusal() and whole.refusal().problems)
    if text is not exports_text:
        messages = " ".join(p.message for p in parts.bad)
        assert "duplicate record id" in messages and "no title, abstract" in messages
        assert "no ER line before the next TY" in messages and "truncated record" in messages


def dump(path: Path) -> list:
    """What an import stored, but for the time it ran."""
    with sqlite3.connect(path) as db:
        records = db.execute("SELECT * FROM records ORDER BY id").fetchall()
        sources = db.execute("SELECT name, sha256, database, record_count, skipped_count FROM sources").fetchall()
        skipped = db.execute("SELECT * FROM skipped_records ORDER BY id").fetchall()
        original = db.execute("SELECT part, compressed FROM source_files ORDER BY part").fetchall()
    return [records, sources, skipped, original]


def import_file(db: Path, path: Path, **options):
    with Review.create(db) as review:
        return review.records.import_files([path], **options)


def test_worker_processes_store_what_one_process_stores(tmp_path, monkeypatch):
    path = write(tmp_path / "all.ris", "\n".join([exports_text()] * 3), "\r\n")  # ids repeat across parts
    serial = import_file(tmp_path / "serial.db", path, skip_bad=True)
    started = []
    monkeypatch.setattr(ranges, "MIN_BYTES", 0)
    monkeypatch.setattr(ranges, "RANGE_BYTES", 20_000)
    monkeypatch.setattr(RangeWorkers, "__enter__", lambda self: started.append(self) or self)
    parallel = import_file(tmp_path / "parallel.db", path, skip_bad=True)
    assert started and all(p.returncode == 0 for p in started[0]._procs)  # used, then ended
    assert parallel.records == serial.records > 50
    assert parallel.files[0].skipped_problems == serial.files[0].skipped_problems
    assert parallel.files[0].skipped == serial.files[0].skipped > 100
    assert dump(tmp_path / "parallel.db") == dump(tmp_path / "serial.db")


def test_a_bad_record_refuses_the_import_with_the_same_problems(tmp_path, monkeypatch):
    path = write(tmp_path / "broken.ris", broken(exports_text()))
    with pytest.raises(ImportRefused) as serial:
        import_file(tmp_path / "serial.db", path)
    monkeypatch.setattr(ranges, "MIN_BYTES", 0)
    monkeypatch.setattr(ranges, "RANGE_BYTES", 5000)
    with pytest.raises(ImportRefused) as parallel:
        import_file(tmp_path / "parallel.db", path)
    assert parallel.value.problems == serial.value.problems and len(serial.value.problems) >= 4
    assert dump(tmp_path / "parallel.db")[0] == []


def test_an_error_in_a_worker_is_raised_in_the_importing_process(tmp_path):
    job = RangeJob(str(tmp_path / "gone.ris"), "utf-8", 0, 10, 1, True)
    with RangeWorkers(1) as workers, pytest.raises(FileNotFoundError):
        list(workers.results([job]))


def test_a_worker_that_dies_stops_the_import_with_a_clear_error(tmp_path):
    path = write(tmp_path / "all.ris", exports_text())
    jobs = list(record_ranges(open_file(path), size=5000))
    with RangeWorkers(2) as workers:
        workers._procs[1].kill()
        with pytest.raises(WorkerFailed, match="worker process reading the file stopped"):
            list(workers.results(jobs))


def test_workers_exit_when_the_importing_process_is_killed():
    script = ("import sys, time; from logicmap.records.range_worker import RangeWorkers\n"
              "w = RangeWorkers(2); print(*[p.pid for p in w._procs], flush=True); time.sleep(60)")
    importer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(pid) for pid in importer.stdout.readline().split()]
    assert len(pids) == 2
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in pids if _running(pid)]
    assert not alive, f"worker processes {alive} outlived their importing process"


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a worker that exited is gone, or a zombie until init reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
