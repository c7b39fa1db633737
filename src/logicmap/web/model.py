"""The model page: the interactive logic model on the project's current codes, the PRISMA
diagram and the evidence gap map (the report's own views), and "download report" as a zip.

Every view is rebuilt from the store on each request, so a code applied a moment ago
shows at once; the report zip holds the very folder ``logicmap report`` writes.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from logicmap.web.app import templates
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Viewer = Annotated[Caller, guard("viewer")]


def zip_folder(folder: Path, prefix: str) -> bytes:
    """Every file under ``folder`` in one zip, under ``prefix/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{prefix}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def report_name(project: str) -> str:
    """A file-name-safe stem for the project's report."""
    return (re.sub(r"[^A-Za-z0-9._-]+", "-", project).strip("-.") or "review")[:60] + "-report"


@router.get("/model", response_class=HTMLResponse)
def model_page(request: Request, caller: Viewer) -> HTMLResponse:
    """The live logic model (in a frame: the report's self-contained page), PRISMA and the gap map."""
    review = review_of(request)
    views = review.report.live_views(interactive=False)
    context = {"caller": caller, "name": review.name, "prisma_svg": views["prisma_svg"],
               "gap_map_svg": views["gap_map_svg"], "studies": len(review.screening.included())}
    return templates.TemplateResponse(request, "model.html", context)


@router.get("/model/interactive", response_class=HTMLResponse)
def model_interactive(request: Request, caller: Viewer) -> HTMLResponse:
    """The report's interactive logic model page, on the project's current codes."""
    return HTMLResponse(review_of(request).report.live_views(figures=False)["logic_model_html"])


@router.get("/model/report.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "The report folder as a zip"}})
def report_zip(request: Request, caller: Viewer) -> Response:
    """Build the report folder (as ``logicmap report`` writes it) and send it as one zip."""
    review = review_of(request)
    stem = report_name(review.name)
    with tempfile.TemporaryDirectory(prefix="logicmap-report-") as folder:
        review.report.write(folder)
        data = zip_folder(Path(folder), stem)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.zip"'})


@router.get("/api/model")
def api_model(request: Request, caller: Viewer) -> dict:
    """The live logic model as a snapshot (its codes, links with their strength and studies)."""
    return review_of(request).model.snapshot("current")


@router.get("/api/model/prisma")
def api_prisma(request: Request, caller: Viewer) -> dict:
    """The PRISMA 2020 flow counts."""
    counts = review_of(request).report.prisma()
    return {**dataclasses.asdict(counts), "records_identified": counts.records_identified}
