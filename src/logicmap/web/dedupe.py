"""Dedupe review: uncertain pairs side by side (keyboard d / n / s), the merges and their undo; JSON under /api/.

A pair's fields are compared as a reviewer reads them (case and spacing aside):
``agree``, ``differ`` or ``missing`` (blank on one side), next to the engine's own
comparison. Decisions and undos are stored at once (``review.dedupe``) and noted
in the audit log; a skipped pair stays in the queue for later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from logicmap.api import NotFoundError, Record, ReviewItem
from logicmap.web.app import templates
from logicmap.web.params import FormId, Id
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Viewer = Annotated[Caller, guard("viewer")]
Reviewer = Annotated[Caller, guard("reviewer")]
PairDecision = Literal["duplicate", "distinct"]
#: The fields shown side by side, in this order.
SHOWN = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract")
_SPACE = re.compile(r"\s+")


def shown_value(record: Record, name: str) -> str:
    """A field of a record as text (authors joined by "; ")."""
    value = getattr(record, name)
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def compare(left: str, right: str) -> str:
    """``agree`` / ``differ`` / ``missing`` (blank on either side), ignoring case, spacing and end punctuation."""
    a, b = (_SPACE.sub(" ", v).strip().strip(".").casefold() for v in (left, right))
    if not a or not b:
        return "missing"
    return "agree" if a == b else "differ"


@dataclass(frozen=True)
class FieldRow:
    """One field of a pair: both values, how they compare and what the engine said."""

    name: str
    left: str
    right: str
    status: str
    engine: str


def field_rows(item: ReviewItem) -> list[FieldRow]:
    """The fields of a pair shown side by side (a field blank on both sides is left out)."""
    rows = []
    for name in SHOWN:
        left, right = shown_value(item.left[1], name), shown_value(item.right[1], name)
        if left or right:
            rows.append(FieldRow(name, left, right, compare(left, right), str(item.agreements.get(name, ""))))
    return rows


def _skipped(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip().isdigit()][:500]


def pick(queue: list[ReviewItem], skipped: list[int]) -> ReviewItem | None:
    """The first pair of the queue not skipped (every pair skipped: the first again)."""
    left = [item for item in queue if item.pair_id not in set(skipped)]
    return (left or queue or [None])[0]


@router.get("/dedupe", response_class=HTMLResponse)
def dedupe_page(request: Request, caller: Reviewer, skipped: str = "", undone: str = "",
                merges: Annotated[int, Query(ge=1, le=5000)] = 20) -> HTMLResponse:
    """The next uncertain pair side by side, and the project's newest ``merges`` merges with an undo each."""
    review = review_of(request)
    queue = review.dedupe.queue()
    skip = _skipped(skipped)
    item = pick(queue, skip)
    context = {"caller": caller, "item": item, "rows": field_rows(item) if item else [], "waiting": len(queue),
               "skipped": ",".join(str(i) for i in skip), "merges": _merges(request, max(1, min(merges, 5000))),
               "total_merges": len(review.dedupe.merges()), "undone": undone}
    return templates.TemplateResponse(request, "dedupe.html", context)


def _merges(request: Request, shown: int) -> list[dict]:
    """The newest ``shown`` active merges (clusters) with each member's title, for the undo list."""
    review = review_of(request)
    merges = review.dedupe.merges()[::-1][:shown]
    ids = sorted({m for _, _, members in merges for m in members})
    titles = {i: r.title or "(no title)" for i, r in zip(ids, review.records.get_many(ids))} if ids else {}
    return [{"id": cid, "head": head, "members": [(m, titles[m]) for m in members]} for cid, head, members in merges]


@router.post("/dedupe/decide")
def dedupe_decide(request: Request, caller: Reviewer, pair_id: FormId,
                  decision: Annotated[PairDecision, Form()], skipped: Annotated[str, Form()] = "") -> RedirectResponse:
    """Store the reviewer's decision on a pair (the same decision again changes nothing) and show the next."""
    _decide(request, caller, pair_id, decision)
    return RedirectResponse(f"/dedupe?skipped={skipped}" if skipped else "/dedupe", status_code=303)


@router.post("/dedupe/skip")
def dedupe_skip(request: Request, caller: Reviewer, pair_id: FormId,
                skipped: Annotated[str, Form()] = "") -> RedirectResponse:
    """Leave the pair for later and show the next one."""
    skip = [*_skipped(skipped), pair_id]
    return RedirectResponse(f"/dedupe?skipped={','.join(str(i) for i in skip)}", status_code=303)


@router.post("/dedupe/undo")
def dedupe_undo(request: Request, caller: Reviewer, cluster_id: FormId) -> RedirectResponse:
    """Split a merge back into its records (they are kept apart from then on)."""
    members = _undo(request, caller, cluster_id)
    return RedirectResponse(f"/dedupe?undone={','.join(str(m) for m in members)}", status_code=303)


def _decide(request: Request, caller: Caller, pair_id: int, decision: str) -> None:
    review = review_of(request)
    review.dedupe.decide(pair_id, decision, reviewer=caller.name)
    review.accounts.record(caller.name, "dedupe.decide", f"pair {pair_id}: {decision}")


def _undo(request: Request, caller: Caller, cluster_id: int) -> list[int]:
    review = review_of(request)
    if cluster_id not in {cid for cid, _, _ in review.dedupe.merges()}:
        raise NotFoundError(f"no merge {cluster_id} to undo (it may have been undone already): reload the page")
    members = review.dedupe.undo(cluster_id, reviewer=caller.name)
    review.accounts.record(caller.name, "dedupe.undo", f"merge {cluster_id} split into records "
                                                      f"{', '.join(str(m) for m in members)}")
    return members


# --- JSON API --------------------------------------------------------------------
class FieldOut(BaseModel):
    """One field of both records and how they compare."""

    name: str
    left: str
    right: str
    status: Literal["agree", "differ", "missing"]
    engine: str


class PairOut(BaseModel):
    """An uncertain pair: both records (id, source file) and their fields side by side."""

    pair_id: int
    score: float
    left_record: int
    left_file: str
    right_record: int
    right_file: str
    fields: list[FieldOut]


class QueueOut(BaseModel):
    """The pairs waiting for a reviewer, highest score first."""

    waiting: int
    pairs: list[PairOut]


class PairDecisionIn(BaseModel):
    """A reviewer's decision on a pair."""

    pair_id: Id
    decision: PairDecision


class MergeOut(BaseModel):
    """An active merge: its canonical record and members."""

    cluster_id: int
    canonical_record: int
    members: list[int]


class UndoIn(BaseModel):
    """The merge to split."""

    cluster_id: Id


class UndoneOut(BaseModel):
    """The records a merge was split into."""

    records: list[int]


def pair_out(item: ReviewItem) -> PairOut:
    return PairOut(pair_id=item.pair_id, score=item.score, left_record=item.left[0], left_file=item.left[2],
                   right_record=item.right[0], right_file=item.right[2],
                   fields=[FieldOut(**vars(row)) for row in field_rows(item)])


@router.get("/api/dedupe/queue", response_model=QueueOut)
def api_queue(request: Request, caller: Reviewer, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> QueueOut:
    """The uncertain pairs waiting for a reviewer (at most ``limit``, 1-200)."""
    queue = review_of(request).dedupe.queue()
    return QueueOut(waiting=len(queue), pairs=[pair_out(i) for i in queue[:limit]])


@router.post("/api/dedupe/decide", response_model=QueueOut)
def api_decide(request: Request, caller: Reviewer, body: PairDecisionIn) -> QueueOut:
    """Store a decision on a pair; answers the next pair waiting. Needs the X-CSRF-Token header."""
    _decide(request, caller, body.pair_id, body.decision)
    queue = review_of(request).dedupe.queue()
    return QueueOut(waiting=len(queue), pairs=[pair_out(i) for i in queue[:1]])


@router.get("/api/dedupe/merges", response_model=list[MergeOut])
def api_merges(request: Request, caller: Viewer) -> list[MergeOut]:
    """Every active merge (duplicate cluster)."""
    return [MergeOut(cluster_id=c, canonical_record=h, members=m) for c, h, m in review_of(request).dedupe.merges()]


@router.post("/api/dedupe/undo", response_model=UndoneOut)
def api_undo(request: Request, caller: Reviewer, body: UndoIn) -> UndoneOut:
    """Split a merge back into its records. Needs the X-CSRF-Token header."""
    return UndoneOut(records=_undo(request, caller, body.cluster_id))
