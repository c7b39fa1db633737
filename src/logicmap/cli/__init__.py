"""The ``logicmap`` command line: a thin Typer adapter over :mod:`logicmap.api`.

One module per command group, each adding its commands through ``register``;
:mod:`logicmap.cli.common` holds the shared options, the opening of a project
and the mapping of library errors to exit codes.
"""

from __future__ import annotations

import typer

from logicmap.cli import backup, codebook, coding, dedupe, demo, model, records, screening, web

app = typer.Typer(
    help="Turn a literature search into an evidence-linked logic model.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for group in (records, dedupe, screening, coding, codebook, model, demo, backup, web):
    group.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
