"""Issue 16 item 4: fuzzing every reader; only documented import errors may come out.

Hypothesis mutates real sample exports (flips, inserts, deletes, truncates, splices)
for every format; atheris runs coverage-guided for a few seconds per format where it
is installed; saved crashers replay as regression inputs.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.fuzz import FORMATS, ROOT, corpus, feed, seeds


@st.composite
def mutated(draw, fmt: str):
    data = bytearray(draw(st.sampled_from(seeds(fmt))))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice", "byte"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end]
        else:
            data[at] = draw(st.sampled_from([0, 0x1B, 0x22, 0x3C, 0x7B, 0x7D, 0x80, 0xC3, 0xFF, 0x0D]))
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_mutated_exports_import_or_fail_with_an_import_error(fmt):
    @settings(max_examples=150 if fmt != "xlsx" else 40, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=mutated(fmt), detect=st.booleans())
    def check(data, detect):
        feed(data, fmt, detect=detect)

    check()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_saved_crashers_stay_fixed(fmt):
    for path in corpus(fmt):
        feed(path.read_bytes(), fmt)


@pytest.mark.parametrize("fmt", ["ris", "medline", "bibtex", "csv", "pubmed_xml", "endnote_xml", "refer", "xlsx"])
def test_atheris_finds_no_crash_in_a_few_seconds(fmt, tmp_path):
    pytest.importorskip("atheris", reason="atheris is in the [test] extra")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), LOGICMAP_FUZZ_TMP=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "tests.reliability.fuzz", fmt, "6"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done" in done.stderr or "done" in done.stderr.lower()
