"""What every command shares: options, opening the project, errors to exit codes, output.

Exit codes: 0 done, 1 refused input or a failed operation, 2 a usage error
(Typer's own, for a missing or malformed option). Errors print one ``Error:``
line per problem on stderr, never a traceback. Only :mod:`typer`, :mod:`rich`
and :mod:`logicmap.errors` are imported here, so ``logicmap --help`` stays
fast; commands import the library inside their functions.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Iterator, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape

from logicmap.errors import CodebookError, ImportRefused, LogicmapError, StoreError
from logicmap.safe_text import terminal_text

if TYPE_CHECKING:
    from logicmap.api import Review

class SafeConsole(Console):
    """A console that drops control characters from every string it renders.

    A record's title holding ``ESC]0;...`` or ``ESC[31m`` would otherwise retitle
    or recolour the reviewer's terminal; Rich's own styling is unaffected.
    """

    def render_str(self, text: str, **kwargs):  # noqa: D102 - Console's
        return super().render_str(terminal_text(text), **kwargs)


out = SafeConsole(soft_wrap=True)
err = SafeConsole(stderr=True, soft_wrap=True)
#: Problems listed before "... and N more".
MAX_REPORTED = 50

ProjectOption = Annotated[
    str,
    typer.Option("--project", "-p", envvar="LOGICMAP_PROJECT", help="Project: an SQLite file path or a postgresql:// URL."),
]
#: For command groups whose callback runs without a project when a subcommand is named.
OptionalProjectOption = Annotated[
    Optional[str],
    typer.Option("--project", "-p", envvar="LOGICMAP_PROJECT", help="Project: an SQLite file path or a postgresql:// URL."),
]
ReviewerOption = Annotated[
    str, typer.Option("--reviewer", default_factory=getpass.getuser, help="Who decides (default: your user name).")
]

#: CLI advice added to a refused import, by ``ImportRefused.reason``.
_IMPORT_HINTS = {
    "bad_records": "fix the file, or pass --skip-bad to import the good records",
    "imported_before": "pass --again to import it again",
    "database_names": "repeat --database once per file, in the files' order; '-' takes a file's own database tags",
}

#: CLI advice added to a project that cannot be opened or created, by ``StoreError.reason``.
_STORE_HINTS = {
    "exists": "open it with --project {location}",
    "missing": "create one with `logicmap init {location}`",
}


def fail(message: str, *, problems: list[str] | None = None, code: int = 1) -> NoReturn:
    """Print the problems and ``Error: message`` on stderr, then exit with ``code``."""
    problems = problems or []
    for line in problems[:MAX_REPORTED]:
        err.print(f"  {escape(line)}", highlight=False)
    if len(problems) > MAX_REPORTED:
        err.print(f"  ... and {len(problems) - MAX_REPORTED} more", highlight=False)
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def message_of(exc: Exception) -> tuple[str, list[str]]:
    """The user's message of a library error and the problems listed under it, with CLI hints."""
    if isinstance(exc, StoreError) and exc.reason in _STORE_HINTS:
        return f"{exc}; {_STORE_HINTS[exc.reason].format(location=exc.location)}", []
    if isinstance(exc, ImportRefused):
        hint = _IMPORT_HINTS.get(exc.reason)
        return (f"{exc} ({hint})" if hint else str(exc)), list(exc.problems)
    if isinstance(exc, CodebookError):
        return f"{exc.source}: {len(exc.problems)} problem(s)", [f"{exc.source}: {p}" for p in exc.problems]
    problems = [str(p) for p in getattr(exc, "problems", [])]
    return str(exc), problems if len(problems) > 1 else []


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a library error (or a file that cannot be written) raised inside the block into ``Error:`` lines, exit 1."""
    try:
        yield
    except LogicmapError as exc:
        message, problems = message_of(exc)
        fail(message, problems=problems)
    except OSError as exc:  # disk full, a file removed under us: say which file, no traceback
        fail(f"{exc.filename or 'output'}: {exc.strerror or exc}")


def check_output_file(path: Path | None, option: str) -> None:
    """Refuse, before any work is done, an output file that cannot be written ('-' is stdout)."""
    if path is None or str(path) == "-":
        return
    if path.is_dir():
        fail(f"{option} {path}: is a folder; give a file name")
    parent = path.parent
    if not parent.is_dir():
        fail(f"{option} {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"{option} {path}: not writable")


def check_output_dir(path: Path, option: str) -> None:
    """Refuse, before any work is done, an output folder that is a file or cannot be created."""
    if path.exists() and not path.is_dir():
        fail(f"{option} {path}: is a file; give a folder")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        fail(f"{option} {path}: {existing} is a file, so the folder cannot be created")
    if not os.access(existing, os.W_OK):
        fail(f"{option} {path}: {existing} is not writable")


@contextmanager
def open_review(project: str | None) -> Iterator[Review]:
    """The project opened as a :class:`~logicmap.api.Review`, closed afterwards; library errors exit 1."""
    from logicmap.api import Review

    if not project:
        fail("--project is required (or set LOGICMAP_PROJECT)")
    with refusals():
        review = Review.open(project)
    try:
        with refusals():
            yield review
    finally:
        review.close()


def split_list(value: str | None) -> tuple[str, ...]:
    """``"a, b"`` -> ``("a", "b")``."""
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())
