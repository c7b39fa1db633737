"""Rich progress display for the CLI (the core reports through a callback)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: progress(stage, file name, done, total), as ``review.records.import_files`` reports it
ProgressCallback = Callable[[str, str, int, int], None]


def _bar(console: Console) -> Progress:
    """A transient bar: description, bar, done/total, elapsed time."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


@contextmanager
def import_progress(console: Console, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A callback showing files read and stored, or None when disabled."""
    if not enabled:
        yield None
        return
    with _bar(console) as bar:
        tasks: dict[str, int] = {}

        def callback(stage: str, name: str, done: int, total: int) -> None:
            if stage == "done":
                for task in tasks.values():
                    bar.update(task, completed=bar.tasks[task].total)
                return
            if stage == "records":  # records stored so far in the current file
                if "records" not in tasks:
                    tasks["records"] = bar.add_task("Records", total=None)
                bar.update(tasks["records"], completed=done, description=f"Records stored from {name}")
                return
            label = {"read": "Reading", "store": "Storing"}[stage]
            if stage not in tasks:
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, description=f"{label} {name}")

        yield callback


@contextmanager
def bars(console: Console) -> Iterator[Callable[..., Callable[[int, int], None]]]:
    """A factory of ``callback(done, total)`` bars sharing one display.

    ``bar(description, min_total=0)`` gives a callback whose bar appears with its
    first report, unless that report's total is below ``min_total``.
    """
    with _bar(console) as display:

        def bar(description: str, *, min_total: int = 0) -> Callable[[int, int], None]:
            task: list[int] = []

            def callback(done: int, total: int) -> None:
                if total < min_total:
                    return
                if not task:
                    task.append(display.add_task(description, total=total))
                display.update(task[0], completed=done, total=total)

            return callback

        yield bar


@contextmanager
def count_progress(console: Console, description: str) -> Iterator[Callable[[int, int], None]]:
    """One ``callback(done, total)`` bar (shown once the first report arrives)."""
    with bars(console) as bar:
        yield bar(description)


def passing_bar(console: Console, description: str) -> Callable[[int, int], None]:
    """A ``callback(done, total)`` bar for work reported from inside something else's run (the web
    server's start): it appears with the first report and goes once ``done`` reaches ``total``."""
    shown: list[tuple[Progress, int]] = []

    def callback(done: int, total: int) -> None:
        if not shown:
            if done >= total:
                return
            display = _bar(console)
            display.start()
            shown.append((display, display.add_task(description, total=total)))
        display, task = shown[0]
        display.update(task, completed=done, total=total)
        if done >= total:
            display.stop()
            shown.clear()

    return callback
