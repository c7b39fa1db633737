"""``logicmap backup | restore``: one portable archive of a whole project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logicmap.cli.common import ProjectOption, check_output_file, open_review, out, refusals


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command()(backup)
    app.command()(restore)


def backup(
    archive: Annotated[Path, typer.Argument(help="Archive file to write (zip).")],
    project: ProjectOption,
) -> None:
    """Write the whole project to one archive: records, original files, clusters, decisions, codes, settings.

    Example: logicmap backup -p review.db review-2026-12-04.zip
    """
    check_output_file(archive, "ARCHIVE")
    with open_review(project) as review:
        summary = review.backup(archive)
    out.print(f"Backed up {review.location} to {summary.path}: {sum(summary.rows.values())} rows in "
              f"{len(summary.rows)} tables (schema {summary.schema_revision}).", highlight=False)


def restore(
    archive: Annotated[Path, typer.Argument(help="Archive written by `logicmap backup`.")],
    target: Annotated[str, typer.Argument(help="New project: an SQLite file path or an empty postgresql:// database.")],
) -> None:
    """Restore a backup archive into a new project (SQLite or PostgreSQL); nothing is left behind on failure.

    Example: logicmap restore review-2026-12-04.zip restored.db
    """
    from logicmap.api import Review

    with refusals():
        review = Review.restore(archive, target)
    with review:
        out.print(f"Restored {archive} to {review.location}: {review.records.count()} records.", highlight=False)
