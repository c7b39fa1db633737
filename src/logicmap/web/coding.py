"""The coding page: select text in a study's title, abstract or full text and apply a code (or a
link between two codes) from the codebook; accept or reject the machine's suggestions, their
quotes highlighted; withdraw a coding. JSON twins under /api/coding.

Every coding is anchored to its exact span (``review.coding`` refuses a span that does not
match the text); with no selection, a typed quote is looked up in the texts.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from logicmap.api import CODING_DIRECTIONS, MAX_FULLTEXT_BYTES, CodingError, EvidenceSpan, Review, Study
from logicmap.web.security import Caller, Refused, guard, review_of
from logicmap.web.app import templates
from logicmap.web.params import MAX_ID, FormId, FormOffset, Id, QueryId

router = APIRouter()
Reviewer = Annotated[Caller, guard("reviewer")]
TEXT_FIELDS = ("title", "abstract", "fulltext")
#: Included studies listed beside the study being coded (others open by their id).
MAX_LISTED = 500
Offset = Annotated[int | None, Field(ge=0, le=MAX_ID)]


@dataclass(frozen=True)
class Piece:
    """A run of a field's text; ``suggestion`` is the index of the suggestion it quotes (None: plain text)."""

    text: str
    suggestion: int | None


def pieces(text: str, field: str, suggestions: list) -> list[Piece]:
    """``text`` cut at the suggestions' quotes in ``field`` (overlapping quotes: the earlier one wins)."""
    spans = sorted((s.start, s.end, i) for i, s in enumerate(suggestions) if s.field == field and s.end <= len(text))
    out, at = [], 0
    for start, end, index in spans:
        if start < at:
            continue
        if start > at:
            out.append(Piece(text[at:start], None))
        out.append(Piece(text[start:end], index))
        at = end
    if at < len(text):
        out.append(Piece(text[at:], None))
    return out


def _span(field: str, start: int | None, end: int | None, quote: str) -> EvidenceSpan | None:
    if field and start is not None and end is not None:
        return EvidenceSpan(field, start, end, quote)
    return None


def apply_code(review: Review, caller: Caller, record_id: int, code: str, *, quote: str = "", field: str = "",
               start: int | None = None, end: int | None = None, target_code: str = "", direction: str = "",
               source: str = "manual") -> int:
    """Store one coding anchored to its span (or to the first occurrence of ``quote``); note it in the audit log."""
    if not quote.strip() and start is None:
        raise CodingError("select the text the code applies to, or type a quote from it")
    coding_id = review.coding.add(record_id, code, reviewer=caller.name, quote=quote or None,
                                  span=_span(field, start, end, quote), direction=direction or None,
                                  target_code=target_code or None, source=source)
    what = f"{code} -> {target_code}" if target_code else code
    review.accounts.record(caller.name, "coding.add", f"record {record_id}: {what} ({source}) \"{quote[:80]}\"")
    return coding_id


def withdraw(review: Review, caller: Caller, coding_id: int) -> int:
    """Withdraw a coding (one's own; an owner's any); returns its record id."""
    found = {c.id: c for c in review.coding.list()}.get(coding_id)
    if found is None:
        raise CodingError(f"no standing coding {coding_id} (it may have been withdrawn already): reload the page")
    if found.reviewer != caller.name and caller.account.role != "owner":
        raise Refused(403, f"coding {coding_id} is {found.reviewer}'s: only they or an owner may withdraw it")
    review.coding.undo(coding_id)
    review.accounts.record(caller.name, "coding.undo", f"record {found.record_id}: coding {coding_id} ({found.code})")
    return found.record_id


def verdict(review: Review, caller: Caller, record_id: int, code: str, accepted: bool, *, quote: str = "",
            field: str = "", start: int | None = None, end: int | None = None, direction: str = "") -> None:
    """Accept (store the coding) or reject a suggested code; the suggestions learn from both."""
    if accepted:
        apply_code(review, caller, record_id, code, quote=quote, field=field, start=start, end=end,
                   direction=direction, source="suggestion")
    review.coding.feedback(record_id, code, accepted=accepted, reviewer=caller.name)
    if not accepted:
        review.accounts.record(caller.name, "coding.reject", f"record {record_id}: suggested {code}")


def _suggestions(review: Review, record_id: int, coded: set[str]) -> tuple[list, int]:
    """The record's suggestions not yet coded by the caller (at most 12), and how many of the
    codebook's codes the recovery model suggests (they restate the recovery codebook's)."""
    batch = review.coding.suggestion_batch([record_id])
    return [s for s in batch.suggestions if s.code not in coded][:12], batch.aligned


@router.get("/code", response_class=HTMLResponse)
def coding_page(request: Request, caller: Reviewer, record: QueryId = None,
                error: str | None = None) -> HTMLResponse:
    """An included study's texts to code, its codings and the machine's suggestions."""
    review = review_of(request)
    included = review.screening.included()
    record_id = record if record is not None else (included[0] if included else None)
    context = {"caller": caller, "included": _listed(review, included[:MAX_LISTED]), "included_total": len(included),
               "record_id": record_id, "error": error, "codebook": review.codebook.current(),
               "directions": CODING_DIRECTIONS}
    if record_id is not None:
        review.records.get(record_id)  # NotFoundError (404) for an unknown record
        context["citation"] = _listed(review, [record_id])[0][1]
        texts = review.coding.texts(record_id)
        codings = review.coding.list(record_id=record_id)
        suggestions, aligned = _suggestions(review, record_id, {c.code for c in codings if c.reviewer == caller.name})
        fields = [(name, pieces(texts[name], name, suggestions)) for name in TEXT_FIELDS if texts.get(name)]
        context.update(codings=codings, suggestions=suggestions, fields=fields, aligned=aligned,
                       stored=review.fulltext.file(record_id, data=False))
    return templates.TemplateResponse(request, "coding.html", context)


def _listed(review: Review, record_ids: list[int]) -> list[tuple[int, str, str]]:
    """(record id, citation, title) of each record: "Surname et al. Year" names a study better than its id."""
    fields = review.records.fields_of(record_ids)
    listed = []
    for rid in record_ids:
        title = fields[rid].title or ""
        study = Study(id=str(rid), title=title, authors=tuple(fields[rid].authors), year=fields[rid].year)
        listed.append((rid, study.citation(), title))
    return listed


def _back(record_id: int, error: str | None = None) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/code?record={record_id}" + (f"&error={quote(error)}" if error else ""),
                            status_code=303)


@router.post("/code/apply")
def coding_apply(request: Request, caller: Reviewer, record_id: FormId, code: Annotated[str, Form()],
                 quote: Annotated[str, Form()] = "", field: Annotated[str, Form()] = "",
                 start: FormOffset = None, end: FormOffset = None,
                 target_code: Annotated[str, Form()] = "", direction: Annotated[str, Form()] = ""):
    """Apply a code (or a link to ``target_code``) to the selected span; a refusal is shown on the page."""
    try:
        apply_code(review_of(request), caller, record_id, code, quote=quote, field=field, start=start, end=end,
                   target_code=target_code, direction=direction)
    except CodingError as exc:
        return _back(record_id, f"{exc} (nothing was stored)")
    return _back(record_id)


@router.post("/code/suggestion")
def coding_suggestion(request: Request, caller: Reviewer, record_id: FormId,
                      code: Annotated[str, Form()], accept: Annotated[bool, Form()],
                      quote: Annotated[str, Form()] = "", field: Annotated[str, Form()] = "",
                      start: FormOffset = None, end: FormOffset = None,
                      direction: Annotated[str, Form()] = ""):
    """Accept or reject a suggested code."""
    try:
        verdict(review_of(request), caller, record_id, code, accept, quote=quote, field=field, start=start, end=end,
                direction=direction)
    except CodingError as exc:
        return _back(record_id, f"{exc} (nothing was stored)")
    return _back(record_id)


@router.post("/code/undo")
def coding_undo(request: Request, caller: Reviewer, coding_id: FormId):
    """Withdraw a coding (kept in the history, marked undone)."""
    return _back(withdraw(review_of(request), caller, coding_id))


def attach_fulltext(review: Review, caller: Caller, record_id: int, upload: UploadFile) -> int:
    """Attach an uploaded PDF, HTML or text file as the record's full text (the file is kept, its type
    checked against its bytes); returns the text's length in characters."""
    name = Path((upload.filename or "").replace("\\", "/")).name
    data = upload.file.read(MAX_FULLTEXT_BYTES + 1)
    if not name or not data:
        raise CodingError("choose a non-empty PDF, HTML or text file to attach")
    if len(data) > MAX_FULLTEXT_BYTES:
        raise CodingError(f"{name}: larger than {MAX_FULLTEXT_BYTES // 2**20} MB")
    review.records.get(record_id)  # NotFoundError (404) for an unknown record
    with tempfile.TemporaryDirectory(prefix="logicmap-fulltext-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        extracted = review.fulltext.attach(record_id, path, declared_type=upload.content_type)
    review.accounts.record(caller.name, "fulltext.attach", f"record {record_id}: {name} "
                                                          f"({len(extracted.text)} characters)")
    return len(extracted.text)


@router.post("/code/attach")
def coding_attach(request: Request, caller: Reviewer, record_id: FormId, fulltext: Annotated[UploadFile, File()]):
    """Attach the study's full text (PDF, HTML or text), to code spans of it."""
    try:
        attach_fulltext(review_of(request), caller, record_id, fulltext)
    except CodingError as exc:
        return _back(record_id, f"{exc} (nothing was attached)")
    return _back(record_id)


# --- JSON API --------------------------------------------------------------------
class CodingOut(BaseModel):
    """A standing coding of the record."""

    id: int
    code: str
    target_code: str | None
    reviewer: str
    field: str | None
    start: int | None
    end: int | None
    quote: str | None
    direction: str | None


class SuggestionOut(BaseModel):
    """A suggested code with its quote's exact span."""

    code: str
    score: float
    field: str
    start: int
    end: int
    quote: str
    direction: str | None
    score_is_probability: bool = False  # else the score only ranks


class StudyOut(BaseModel):
    """A record's texts, codings and suggestions."""

    record_id: int
    texts: dict[str, str]
    codings: list[CodingOut]
    suggestions: list[SuggestionOut]


class ApplyIn(BaseModel):
    """A code (or a link to ``target_code``) for a span: ``field``/``start``/``end``/``quote``, or just ``quote``."""

    record_id: Id
    code: str
    quote: str = ""
    field: str = ""
    start: Offset = None
    end: Offset = None
    target_code: str = ""
    direction: str = ""


class VerdictIn(ApplyIn):
    """Accept (store) or reject a suggested code."""

    verdict: Literal["accept", "reject"]


class UndoIn(BaseModel):
    """The coding to withdraw."""

    coding_id: Id


class StoredOut(BaseModel):
    """The record whose codings changed, and its codings now."""

    record_id: int
    codings: list[CodingOut]


def _codings(review: Review, record_id: int) -> list[CodingOut]:
    return [CodingOut(id=c.id, code=c.code, target_code=c.target_code, reviewer=c.reviewer, field=c.field,
                      start=c.start, end=c.end, quote=c.quote, direction=c.direction)
            for c in review.coding.list(record_id=record_id)]


@router.get("/api/coding", response_model=StudyOut)
def api_study(request: Request, caller: Reviewer, record_id: Annotated[int, Query(ge=0, le=MAX_ID)]) -> StudyOut:
    """A record's texts, its codings and the suggestions not yet coded by the caller."""
    review = review_of(request)
    review.records.get(record_id)  # NotFoundError (404) for an unknown record
    texts = {k: v for k, v in review.coding.texts(record_id).items() if k in TEXT_FIELDS}
    codings = _codings(review, record_id)
    suggestions, _ = _suggestions(review, record_id, {c.code for c in codings if c.reviewer == caller.name})
    return StudyOut(record_id=record_id, texts=texts, codings=codings, suggestions=[
        SuggestionOut(code=s.code, score=round(s.score, 4), field=s.field, start=s.start, end=s.end, quote=s.quote,
                      direction=s.direction, score_is_probability=s.score_is_probability) for s in suggestions])


@router.post("/api/coding/apply", response_model=StoredOut)
def api_apply(request: Request, caller: Reviewer, body: ApplyIn) -> StoredOut:
    """Apply a code to a span. Needs the X-CSRF-Token header."""
    review = review_of(request)
    apply_code(review, caller, body.record_id, body.code, quote=body.quote, field=body.field, start=body.start,
               end=body.end, target_code=body.target_code, direction=body.direction)
    return StoredOut(record_id=body.record_id, codings=_codings(review, body.record_id))


@router.post("/api/coding/suggestion", response_model=StoredOut)
def api_verdict(request: Request, caller: Reviewer, body: VerdictIn) -> StoredOut:
    """Accept or reject a suggested code. Needs the X-CSRF-Token header."""
    review = review_of(request)
    verdict(review, caller, body.record_id, body.code, body.verdict == "accept", quote=body.quote, field=body.field,
            start=body.start, end=body.end, direction=body.direction)
    return StoredOut(record_id=body.record_id, codings=_codings(review, body.record_id))


@router.post("/api/coding/undo", response_model=StoredOut)
def api_undo(request: Request, caller: Reviewer, body: UndoIn) -> StoredOut:
    """Withdraw a coding. Needs the X-CSRF-Token header."""
    review = review_of(request)
    record_id = withdraw(review, caller, body.coding_id)
    return StoredOut(record_id=record_id, codings=_codings(review, record_id))
