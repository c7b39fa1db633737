"""The FastAPI application of one project: its lifespan, error pages and routers."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from logicmap.api import LogicmapError, NotFoundError, Review
from logicmap.web.security import LoginLimiter, Refused, SessionCache, caller_of, sign_in_url

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
#: Seconds the server waits at its start for screening to be ready before it answers requests: a
#: small project is ready by then, a large one's other pages answer meanwhile (see ``create_app``).
READY_WAIT = 60.0


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def validation_message(exc: RequestValidationError) -> str:
    """A refused request's problems in one line, field by field."""
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return f"Bad request: {problems}"


def project_error_page(request: Request, status: int, message: str) -> Response:
    """The one-project app's error page, with the signed-in caller's header (none after a crash)."""
    caller = caller_of(request) if status != 500 else None
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                              "caller": caller}, status_code=status)


def install_error_handlers(app: FastAPI, page: Callable[[Request, int, str], Response]) -> None:
    """Clear errors on ``app``, never a stack trace: JSON ``{"detail": message}`` under /api/, else
    ``page(request, status, message)``; a signed-out page request is sent to sign in. The one-project
    app and the hub of several projects both install these, each with its own page."""

    def answer(request: Request, status: int, message: str) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        return page(request, status, message)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        if exc.sign_in and not _wants_json(request):
            return RedirectResponse(sign_in_url(request), status_code=303)
        return answer(request, exc.status, exc.message)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError):
        return answer(request, 404, str(exc))

    @app.exception_handler(LogicmapError)
    async def refused_input(request: Request, exc: LogicmapError):
        return answer(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        return answer(request, 422, validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return answer(request, exc.status_code, "No such page." if exc.status_code == 404 else str(exc.detail))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        return answer(request, 500, "Something went wrong on the server; nothing was changed by this request. "
                                    "Please try again.")


def create_app(location: str | Path, *, service_options: dict | None = None, https: bool = False,
               warm_model: bool = False, on_ready: Callable[[], None] | None = None,
               ready_wait: float = READY_WAIT) -> FastAPI:
    """The web app serving the project at ``location``.

    ``service_options`` go to the team screening service (``seed``, ``features``,
    ``classifier``, ``criteria``...); ``https`` marks the session cookie Secure
    (it is also Secure whenever a request arrives over HTTPS); ``warm_model`` builds the
    model page's views in a background thread from the start, so the first visitor need not wait;
    ``on_ready()`` is called just before the server takes requests.

    Screening is prepared (its features, on a large project's first start mostly the sentence
    embeddings, and the first ranking) on a thread of its own from the start; the server answers
    requests once it is ready or after ``ready_wait`` seconds, whichever comes first. Until it is
    ready the screening pages say how far it has got (and the screening API answers 503 with
    ``Retry-After``); every other page works as usual.
    """
    from logicmap.web import (
        audit, coding, conflicts, dedupe, dual_coding, fulltext, fulltext_api, imports, model, pages, screening,
        screening_api, settings,
    )
    from logicmap.web.screening import PREPARING_POLL_SECONDS, ScreeningPreparing, preparing_page

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        review = Review.open(location)
        service = review.screening.team(**(service_options or {}))
        ranking = fulltext.background_ranking(review, service_options or {})
        app.state.review, app.state.service, app.state.fulltext = review, service, ranking
        try:
            if warm_model:
                model.warm(app)  # the chart engine starts beside the first ranking
            service.open_in_background()  # features and the first ranking, on their own thread
            service.wait_open(ready_wait)  # a small project is ready before the first request
            ranking.check()  # the first full-text ranking starts on its worker; requests never wait for it
            if warm_model:
                model.serving(app)
            if on_ready is not None:
                on_ready()
            yield
        finally:
            ranking.close()
            service.close()
            review.close()

    app = FastAPI(title="logicmap", summary="Screening and review-team web app over one logicmap project",
                  lifespan=lifespan)
    app.state.https = https
    app.state.hub = None  # set by a server of several projects (logicmap.web.projects)
    app.state.limiter = LoginLimiter()
    app.state.sessions = SessionCache()
    app.state.cards = {}  # record id -> ScreeningCard: records and key terms do not change while serving
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_error_handlers(app, project_error_page)

    @app.exception_handler(ScreeningPreparing)
    async def preparing(request: Request, exc: ScreeningPreparing):
        if _wants_json(request):
            return JSONResponse({"detail": exc.state.words()}, status_code=503,
                                headers={} if exc.state.failed else {"Retry-After": str(PREPARING_POLL_SECONDS)})
        return preparing_page(request, exc.state)  # 200: htmx swaps in boosted pages only then

    app.include_router(pages.router)
    app.include_router(screening.router)
    app.include_router(screening_api.router)
    app.include_router(conflicts.router)
    for pages_router in (imports.router, dedupe.router, coding.router, dual_coding.router, fulltext.router,
                         fulltext_api.router, model.router, audit.router, settings.router):
        app.include_router(pages_router)
    return app
