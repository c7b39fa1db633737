"""Rich progress display for the CLI (the core reports through a callback)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from logicmap.records.importer import Progress as ProgressCallback


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
def count_progress(console: Console, description: str) -> Iterator:
    """A ``callback(done, total)`` drawing one bar (shown once the first report arrives)."""
    with _bar(console) as bar:
        task: list[int] = []

        def callback(done: int, total: int) -> None:
            if not task:
                task.append(bar.add_task(description, total=total))
            bar.update(task[0], completed=done, total=total)

        yield callback
