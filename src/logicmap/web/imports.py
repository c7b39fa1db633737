"""The import page (upload search exports, edit sources) and its JSON twin under /api/.

An upload goes through the same import as ``logicmap import``: format detection,
one transaction for every file (all of them or nothing), readable per-record
errors, and "skip bad records" as ``--skip-bad`` with the skipped list shown. An
upload over the size limit, empty, binary or of an unknown format is refused
with a clear message and changes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel

from logicmap.api import ImportReport, ImportRefused, LogicmapError, SourceSummary
from logicmap.web.app import templates
from logicmap.web.params import FormId, Id, QueryId
from logicmap.web.security import Caller, Refused, guard, review_of

router = APIRouter()
Viewer = Annotated[Caller, guard("viewer")]
Owner = Annotated[Caller, guard("owner")]
#: Largest upload accepted by default (the CLI's default file limit); ``app.state.max_upload_bytes`` overrides.
DEFAULT_MAX_UPLOAD = 100 * 2**20
_CHUNK = 2**20


def max_upload(request: Request) -> int:
    """The size limit of one upload request, in bytes."""
    return getattr(request.app.state, "max_upload_bytes", DEFAULT_MAX_UPLOAD)


def _check_length(request: Request) -> None:
    """Refuse a request whose declared body is over the limit before reading it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_upload(request) + _CHUNK:
        raise Refused(413, f"The upload is too large: {int(declared) / 2**20:.1f} MB; the limit is "
                           f"{max_upload(request) / 2**20:.0f} MB. Nothing was imported.")


def _save(uploads: list[UploadFile], folder: Path, limit: int) -> list[Path]:
    """Write the uploads into ``folder`` under their own file names; refuse a nameless or oversized one."""
    paths, total = [], 0
    for upload in uploads:
        name = Path((upload.filename or "").replace("\\", "/")).name.strip()
        if not name or name in (".", ".."):
            raise ImportRefused("an uploaded file has no name: choose a file to upload", reason="upload")
        path = folder / name
        if path.exists():
            raise ImportRefused(f"{name}: uploaded twice in one import", reason="imported_before")
        with path.open("wb") as out:
            while chunk := upload.file.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise ImportRefused(f"{name}: the upload is over the limit of {limit / 2**20:.0f} MB; "
                                        "nothing was imported", reason="upload")
                out.write(chunk)
        paths.append(path)
    if not paths:
        raise ImportRefused("choose at least one file to upload", reason="upload")
    return paths


def run_import(request: Request, caller: Caller, uploads: list[UploadFile], *, database: str, search_date: str,
               skip_bad: bool, again: bool) -> ImportReport:
    """Import the uploads as ``logicmap import`` would, and note it in the audit log."""
    review, limit = review_of(request), max_upload(request)
    with tempfile.TemporaryDirectory(prefix="logicmap-upload-") as folder:
        paths = _save(uploads, Path(folder), limit)
        names = [database.strip() or None] * len(paths)
        report = review.records.import_files(paths, database=names, search_date=search_date.strip() or None,
                                             skip_bad=skip_bad, again=again, max_bytes=limit)
    summary = ", ".join(f"{f.file} ({f.format}: {f.records} records, {f.skipped} skipped)" for f in report.files)
    review.accounts.record(caller.name, "import", summary)
    return report


def problems_of(exc: LogicmapError) -> list[str]:
    """The per-record problems listed under a refusal (empty when the message says it all)."""
    return [str(p) for p in getattr(exc, "problems", [])]


def _page(request: Request, caller: Caller, status: int = 200, **context) -> HTMLResponse:
    review = review_of(request)
    context = {"caller": caller, "sources": review.records.sources(), "records": review.records.count(),
               "limit_mb": max_upload(request) // 2**20, "report": None, "error": None, "problems": [],
               "saved": None, **context}
    return templates.TemplateResponse(request, "import.html", context, status_code=status)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, caller: Viewer, saved: QueryId = None) -> HTMLResponse:
    """The sources imported so far and (for owners) the upload form."""
    return _page(request, caller, saved=saved)


@router.post("/import", response_class=HTMLResponse)
def import_upload(request: Request, caller: Owner, files: Annotated[list[UploadFile], File()],
                  database: Annotated[str, Form()] = "", search_date: Annotated[str, Form()] = "",
                  skip_bad: Annotated[bool, Form()] = False, again: Annotated[bool, Form()] = False) -> HTMLResponse:
    """Import the uploaded exports: every file or (on any error) none; the outcome is shown on the page."""
    _check_length(request)
    try:
        report = run_import(request, caller, files, database=database, search_date=search_date,
                            skip_bad=skip_bad, again=again)
    except LogicmapError as exc:
        return _page(request, caller, 400, error=str(exc), problems=problems_of(exc))
    return _page(request, caller, report=report)


@router.post("/import/source")
def edit_source(request: Request, caller: Owner, source_id: FormId,
                database: Annotated[str, Form()] = "", search_date: Annotated[str, Form()] = ""):
    """Change a source's database name and search date."""
    source = review_of(request).records.edit_source(source_id, database=database, search_date=search_date)
    review_of(request).accounts.record(caller.name, "source.edit", f"source {source.id} ({source.file}): "
                                       f"database {source.database or '-'}, search date {source.search_date or '-'}")
    return RedirectResponse(f"/import?saved={source.id}", status_code=303)


# --- JSON API --------------------------------------------------------------------
class SourceOut(BaseModel):
    """An imported file as the project keeps it."""

    id: int
    file: str
    format: str
    database: str | None
    records: int
    skipped: int
    search_date: str | None
    search_string: str | None


class FileOut(BaseModel):
    """One imported file: its format, records stored and every skipped record described."""

    file: str
    format: str
    records: int
    skipped: int
    source_id: int
    database: str | None
    skipped_records: list[str]
    warnings: list[str]


class ImportOut(BaseModel):
    """What one import stored."""

    files: list[FileOut]
    records: int


class SourceIn(BaseModel):
    """A source's database name and search date (blank clears)."""

    source_id: Id
    database: str = ""
    search_date: str = ""


def source_out(source: SourceSummary) -> SourceOut:
    return SourceOut(id=source.id, file=source.file, format=source.format, database=source.database,
                     records=source.records, skipped=source.skipped, search_date=source.search_date,
                     search_string=source.search_string)


@router.get("/api/sources", response_model=list[SourceOut])
def api_sources(request: Request, caller: Viewer) -> list[SourceOut]:
    """Every imported source, oldest first."""
    return [source_out(s) for s in review_of(request).records.sources()]


@router.post("/api/import", response_model=ImportOut)
def api_import(request: Request, caller: Owner, files: Annotated[list[UploadFile], File()],
               database: Annotated[str, Form()] = "", search_date: Annotated[str, Form()] = "",
               skip_bad: Annotated[bool, Form()] = False, again: Annotated[bool, Form()] = False) -> ImportOut:
    """Import uploaded exports (multipart, field ``files``); all or nothing. Needs the X-CSRF-Token header."""
    _check_length(request)
    try:
        report = run_import(request, caller, files, database=database, search_date=search_date,
                            skip_bad=skip_bad, again=again)
    except LogicmapError as exc:  # the problems too, not only the message
        return JSONResponse({"detail": str(exc), "problems": problems_of(exc)}, status_code=400)
    return ImportOut(records=report.records, files=[
        FileOut(file=f.file, format=f.format, records=f.records, skipped=f.skipped, source_id=f.source_id,
                database=f.database, skipped_records=[p.describe(f.file) for p in f.skipped_problems],
                warnings=list(f.warnings)) for f in report.files])


@router.post("/api/sources", response_model=SourceOut)
def api_edit_source(request: Request, caller: Owner, body: SourceIn) -> SourceOut:
    """Change a source's database name and search date. Needs the X-CSRF-Token header."""
    source = review_of(request).records.edit_source(body.source_id, database=body.database,
                                                    search_date=body.search_date)
    review_of(request).accounts.record(caller.name, "source.edit", f"source {source.id} ({source.file})")
    return source_out(source)
