"""The model page: the interactive logic model on the project's current codes, the PRISMA
diagram and the evidence gap map (the report's own views), and "download report" as a zip.

Each view is built at the project's current version, read from the store on every request, and
kept until that version moves, so a code applied a moment ago shows at once while unchanged projects
are served without rebuilding the model (seconds on a real project). The model and its views (the
interactive page, the gap map, the snapshot, the report's model) are keyed on what the model is
built from (``review.model.build_version()``): a screening decision that leaves the included studies
as they were does not rebuild them; the PRISMA diagram and the report zip, which count every
decision, on the whole project (``review.model.version()``). The report zip holds the very folder
``logicmap report`` writes, its model taken from the cache.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from logicmap.api import Review
from logicmap.web.app import templates
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Viewer = Annotated[Caller, guard("viewer")]


class ViewCache:
    """Views of one project by name, each kept with the project version it was built at."""

    def __init__(self) -> None:
        self._views: dict[str, tuple[str, Any]] = {}
        self._lock = threading.RLock()  # a view may be built from another one (the model)

    def get(self, name: str, version: str, build: Callable[[], Any]) -> Any:
        """The view built at ``version``; built (once, even for concurrent requests) when missing or stale."""
        with self._lock:
            kept = self._views.get(name)
            if kept is None or kept[0] != version:
                kept = self._views[name] = (version, build())
            return kept[1]


_CACHE_LOCK = threading.Lock()
#: Seconds without a signed-in request before the start-up build of the model views begins.
WARM_AFTER_IDLE = 5.0
#: Seconds after the server began serving before that build may begin (sign-ins, which are not counted,
#: come first: twenty reviewers signing in at once take seconds, and on a large project the build, which
#: fits the sentence-role model on every abstract, then took minutes of CPU beside their screening).
WARM_GRACE = 25.0


def cached(request: Request, name: str, build: Callable[[Review], Any], *, whole: bool = False) -> Any:
    """``build(review)`` for the served project, from the app's view cache while what it is built from has
    not changed: the model's inputs, or (``whole``) anything in the project. The versions are read once
    per request."""
    versions = getattr(request.state, "model_versions", None)
    if versions is None:
        versions = request.state.model_versions = request.app.state.review.model.versions()
    return _cached(request.app, name, build, versions[0] if whole else versions[1])


def _cached(app, name: str, build: Callable[[Review], Any], version: str) -> Any:
    """``build(review)`` from the view cache at ``version``."""
    with _CACHE_LOCK:
        cache = getattr(app.state, "model_views", None)
        if cache is None:
            cache = app.state.model_views = ViewCache()
    return cache.get(name, version, lambda: build(app.state.review))


def _lower_priority() -> None:
    """Give this thread the lowest CPU priority (Linux schedules threads one by one), so screening
    requests are served first while it builds; elsewhere it keeps its priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def warm(app) -> threading.Thread:
    """In a background thread at the lowest CPU priority: prepare the coding suggestions (the codebook
    embedded: the first coding page would wait seconds for it) and start the chart engine at once (its
    first render takes seconds, mostly outside the interpreter), then build the model, the figures and
    the interactive page once no signed-in request has come for :data:`WARM_AFTER_IDLE` seconds, and
    not in the first :data:`WARM_GRACE` after the server began serving (:func:`serving`; so the build
    does not compete with reviewers screening). Screening decisions do not move the model's version:
    the views stay built while a team screens, and the first visit finds them ready, or waits for this
    build instead of starting its own."""

    def run() -> None:
        _lower_priority()
        try:
            app.state.review.coding.prepare()  # the codebook embedded: the first coding page need not wait
        except Exception:  # noqa: BLE001 - the first coding page then builds it itself
            pass
        try:
            app.state.review.report.prepare_charts()
            while time.monotonic() - getattr(app.state, "last_request", 0.0) < WARM_AFTER_IDLE:
                time.sleep(0.5)  # reviewers are busy: build when they pause (or at the first visit)
            whole, inputs = app.state.review.model.versions()  # read once, as a request does
            model = _cached(app, "model", lambda r: r.model.build(), inputs)
            _cached(app, "figures", lambda r: _figures(r, model), inputs)
            _cached(app, "interactive", lambda r: _interactive(r, model), inputs)
            _cached(app, "prisma_svg", _prisma_svg, whole)
        except Exception:  # noqa: BLE001 - a failed warm-up only means the first visit builds the views itself
            pass

    app.state.last_request = float("inf")  # no build before the server serves (see serving)
    thread = threading.Thread(target=run, name="logicmap-model-warm", daemon=True)
    thread.start()
    return thread


def serving(app) -> None:
    """The server serves from now: the model build of :func:`warm` may begin after the grace."""
    app.state.last_request = time.monotonic() + WARM_GRACE - WARM_AFTER_IDLE  # sign-ins are not counted


def live_model(request: Request):
    """The project's logic model, built once per version of its inputs and shared by the views."""
    return cached(request, "model", lambda r: r.model.build())


def _figures(review: Review, model) -> dict:
    """The gap map of ``model`` and the number of included studies."""
    return {**review.report.live_views(interactive=False, prisma=False, model=model),
            "studies": len(review.screening.included())}


def _interactive(review: Review, model) -> str:
    """The report's interactive page of ``model``."""
    return review.report.live_views(figures=False, prisma=False, model=model)["logic_model_html"]


def _prisma_svg(review: Review) -> str:
    """The PRISMA diagram of the project as it stands."""
    return review.report.live_views(interactive=False, figures=False)["prisma_svg"]


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
    views = cached(request, "figures", lambda r: _figures(r, live_model(request)))
    context = {"caller": caller, "name": review_of(request).name,
               "prisma_svg": cached(request, "prisma_svg", _prisma_svg, whole=True),
               "gap_map_svg": views["gap_map_svg"], "studies": views["studies"]}
    return templates.TemplateResponse(request, "model.html", context)


@router.get("/model/interactive", response_class=HTMLResponse)
def model_interactive(request: Request, caller: Viewer) -> HTMLResponse:
    """The report's interactive logic model page, on the project's current codes."""
    return HTMLResponse(cached(request, "interactive", lambda r: _interactive(r, live_model(request))))


@router.get("/model/report.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "The report folder as a zip"}})
def report_zip(request: Request, caller: Viewer) -> Response:
    """The report folder (as ``logicmap report`` writes it) as one zip: written again only when the project
    changed, its model built again only when the model's inputs changed."""
    stem = report_name(review_of(request).name)
    data = cached(request, "report_zip", lambda r: _report_zip(request, r, stem), whole=True)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.zip"'})


def _report_zip(request: Request, review: Review, stem: str) -> bytes:
    """The report folder zipped, written with the report's model kept in the cache."""
    built = cached(request, "report_build", lambda r: r.report.build())
    with tempfile.TemporaryDirectory(prefix="logicmap-report-") as folder:
        review.report.write(folder, built=built)
        return zip_folder(Path(folder), stem)


@router.get("/api/model")
def api_model(request: Request, caller: Viewer) -> dict:
    """The live logic model as a snapshot (its codes, links with their strength and studies)."""
    return cached(request, "snapshot", lambda r: r.model.snapshot("current", model=live_model(request)))


@router.get("/api/model/prisma")
def api_prisma(request: Request, caller: Viewer) -> dict:
    """The PRISMA 2020 flow counts."""
    counts = cached(request, "prisma", lambda r: r.report.prisma(), whole=True)
    return {**dataclasses.asdict(counts), "records_identified": counts.records_identified}
