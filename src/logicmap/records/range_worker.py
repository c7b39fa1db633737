"""Worker processes that read parts of a large file while the importing process stores records.

Each worker is ``python -m logicmap.records.range_worker``: the importing process
writes pickled :class:`~logicmap.records.ranges.RangeJob` objects to its stdin
and reads pickled results from its stdout, each preceded by its length. Nothing
depends on how the importing process was started (no re-import of its main
module, no inherited threads or database connections), and a worker whose
importing process died sees its input end and exits.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import IO, Iterable, Iterator

import logicmap
from logicmap.records.ranges import RangeJob, RangeResult, read_range

#: Jobs given to each worker before its first result is read (one being read, one waiting).
AHEAD = 2
_LENGTH = struct.Struct("<Q")


class WorkerFailed(RuntimeError):
    """A worker process stopped or could not be started."""


def _send(stream: IO[bytes], obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> object:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class RangeWorkers:
    """``count`` worker processes reading a file's parts; :meth:`results` gives their results in job order.

    Use as a context manager: leaving it ends the workers (killing them if the
    import stopped half-way).
    """

    def __init__(self, count: int) -> None:
        env = dict(os.environ)
        package_root = str(Path(logicmap.__file__).resolve().parents[1])  # the same logicmap as here
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self._procs: list[subprocess.Popen] = []
        try:
            for _ in range(count):
                self._procs.append(subprocess.Popen(
                    [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                ))
        except OSError as exc:
            self.close(kill=True)
            raise WorkerFailed(f"could not start a worker process: {exc}") from exc

    def results(self, jobs: Iterable[RangeJob]) -> Iterator[RangeResult]:
        """Each job's result, in the order of ``jobs`` (taken from the iterable only as workers need them)."""
        jobs = iter(jobs)
        waiting: deque[subprocess.Popen] = deque()
        sent = 0

        def send_next() -> None:
            nonlocal sent
            job = next(jobs, None)
            if job is not None:
                proc = self._procs[sent % len(self._procs)]
                try:
                    _send(proc.stdin, job)  # type: ignore[arg-type]
                except OSError as exc:  # its input closed: the worker died
                    raise WorkerFailed(f"a worker process reading the file stopped ({exc})") from None
                waiting.append(proc)
                sent += 1

        for _ in range(AHEAD * len(self._procs)):
            send_next()
        while waiting:
            proc = waiting.popleft()
            try:
                result = _receive(proc.stdout)  # type: ignore[arg-type]
            except EOFError:
                raise WorkerFailed(f"a worker process reading the file stopped (exit code {proc.wait()})") from None
            if isinstance(result, BaseException):
                raise result
            send_next()
            yield result  # type: ignore[misc]

    def close(self, kill: bool = False) -> None:
        """End the workers: their input closes and they exit (or, with ``kill``, are killed)."""
        for proc in self._procs:
            if kill:
                proc.kill()
            try:
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass
        for proc in self._procs:
            try:
                proc.wait(timeout=None if kill else 10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()  # type: ignore[union-attr]

    def __enter__(self) -> RangeWorkers:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(kill=kind is not None)


def _serve(jobs: IO[bytes], results: IO[bytes]) -> None:
    """Read jobs until the input ends; write each one's result (or the exception it raised)."""
    while True:
        try:
            job = _receive(jobs)
        except EOFError:
            return
        try:
            result: object = read_range(job)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - handed to the importing process, which raises it
            result = exc
        try:
            _send(results, result)
        except (BrokenPipeError, pickle.PicklingError):
            return


def main() -> None:
    """Serve jobs on stdin; results go to a copy of stdout, and stdout itself is pointed at stderr
    so that nothing printed by accident mixes with them."""
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    gc.freeze()
    gc.set_threshold(100_000, 10, 10)  # millions of short-lived objects, almost no cycles
    _serve(sys.stdin.buffer, results)


if __name__ == "__main__":
    main()
