"""The team service's write gate: concurrent writes on PostgreSQL, one at a time on SQLite, and an
exclusive hold (a queue rebuild) that waits out the writes in flight and holds back new ones."""

from __future__ import annotations

import threading

from logicmap.review.write_gate import WriteGate

WAIT = 5.0


def _holding(hold, inside: threading.Event, leave: threading.Event) -> threading.Thread:
    """A thread inside ``hold()`` (``gate.write`` or ``gate.exclusive``): sets ``inside``, leaves on ``leave``."""

    def run() -> None:
        with hold():
            inside.set()
            leave.wait(WAIT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_writes_overlap_unless_the_gate_is_serial():
    for serial in (False, True):
        gate = WriteGate(serial=serial)
        first, second, leave = threading.Event(), threading.Event(), threading.Event()
        threads = [_holding(gate.write, first, leave)]
        assert first.wait(WAIT)
        threads.append(_holding(gate.write, second, leave))
        assert second.wait(0.3) is not serial  # the second write waits for the first only on a serial gate
        leave.set()
        assert second.wait(WAIT)
        for thread in threads:
            thread.join(WAIT)


def test_an_exclusive_hold_waits_for_writes_in_flight_and_holds_back_new_ones():
    gate = WriteGate(serial=False)
    inside, leave = threading.Event(), threading.Event()
    writer = _holding(gate.write, inside, leave)
    assert inside.wait(WAIT)
    held, release = threading.Event(), threading.Event()
    holder = _holding(gate.exclusive, held, release)
    assert not held.wait(0.3)  # a write is in flight
    leave.set()
    assert held.wait(WAIT)
    late, late_leave = threading.Event(), threading.Event()
    late_writer = _holding(gate.write, late, late_leave)
    assert not late.wait(0.3)  # no write starts during the hold
    release.set()
    assert late.wait(WAIT)
    late_leave.set()
    for thread in (writer, holder, late_writer):
        thread.join(WAIT)
