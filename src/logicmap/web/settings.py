"""Project settings (owner): exclusion reasons, the screening team, the codebook, accounts and invitations.

A codebook upload is validated as ``logicmap codebook validate`` does, every problem shown
with its YAML line; one that would leave standing codings without their code is refused
unless "force" is ticked. Every change is noted in the audit log. An invitation is a
one-use link the owner hands to a new member, who picks a name and password at
``/invite`` (public: the token is the key).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from logicmap.api import ROLES, AccountError, CodebookChangeRefused, CodebookError, LogicmapError, TeamSettings
from logicmap.web.app import templates
from logicmap.web.screening import service_of
from logicmap.web.security import Caller, caller_of, guard, review_of

router = APIRouter()
Owner = Annotated[Caller, guard("owner")]
#: Largest codebook accepted, in bytes.
MAX_CODEBOOK = 2 * 2**20


def _page(request: Request, caller: Caller, status: int = 200, **context) -> HTMLResponse:
    review = review_of(request)
    codebook = review.codebook.current()
    base = {"caller": caller, "reasons": review.screening.exclusion_reasons(),
            "team": review.screening.team_settings(),
            "codebook": codebook, "codes": len(codebook.codes), "users": review.accounts.users(), "roles": ROLES,
            "error": None, "problems": [], "saved": request.query_params.get("saved"),
            "invite_url": None, "section": None}
    return templates.TemplateResponse(request, "settings.html", {**base, **context}, status_code=status)


def _refused(request: Request, caller: Caller, section: str, exc: LogicmapError) -> HTMLResponse:
    if isinstance(exc, CodebookError):
        return _page(request, caller, 400, section=section, error=f"{exc.source}: {len(exc.problems)} problem(s); "
                     "nothing was changed", problems=[str(p) for p in exc.problems])
    return _page(request, caller, 400, section=section, error=f"{exc} (nothing was changed)")


def _saved(what: str) -> RedirectResponse:
    return RedirectResponse(f"/settings?saved={what}", status_code=303)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, caller: Owner) -> HTMLResponse:
    """Every project setting an owner may change."""
    return _page(request, caller)


@router.post("/settings/reasons", response_class=HTMLResponse)
def save_reasons(request: Request, caller: Owner, reasons: Annotated[str, Form()]):
    """Replace the exclusion reasons (one a line); a reason a standing exclusion gives must stay."""
    review = review_of(request)
    try:
        stored = review.screening.set_exclusion_reasons([r.strip() for r in reasons.splitlines() if r.strip()])
    except LogicmapError as exc:
        return _refused(request, caller, "reasons", exc)
    review.accounts.record(caller.name, "settings.reasons", "; ".join(stored))
    return _saved("reasons")


@router.post("/settings/team", response_class=HTMLResponse)
def save_team(request: Request, caller: Owner, reviewers_per_record: Annotated[int, Form()] = 1,
              blind: Annotated[bool, Form()] = False):
    """Blind screening on or off and reviewers per record (2: dual screening), used by screening at once."""
    try:
        apply_team(request, caller, blind=blind, reviewers_per_record=reviewers_per_record)
    except LogicmapError as exc:
        return _refused(request, caller, "team", exc)
    return _saved("team")


def apply_team(request: Request, caller: Caller, *, blind: bool, reviewers_per_record: int) -> TeamSettings:
    """Store the team settings through the running screening service (it takes them at once)."""
    team = service_of(request, ready=False).apply(TeamSettings(reviewers_per_record, blind), by=caller.name)
    review_of(request).accounts.record(caller.name, "settings.team", f"blind {'on' if team.blind else 'off'}, "
                                       f"{team.reviewers_per_record} reviewer(s) per record")
    return team


def replace_codebook(request: Request, caller: Caller, upload: UploadFile, force: bool):
    """Validate an uploaded YAML codebook and put it in force (raises the library's refusal)."""
    name = Path((upload.filename or "codebook.yaml").replace("\\", "/")).name or "codebook.yaml"
    data = upload.file.read(MAX_CODEBOOK + 1)
    if not data.strip():
        raise CodebookError(["line 0, <file>: the uploaded codebook is empty"], name)
    if len(data) > MAX_CODEBOOK:
        raise CodebookError([f"line 0, <file>: larger than {MAX_CODEBOOK // 2**20} MB"], name)
    review = review_of(request)
    with tempfile.TemporaryDirectory(prefix="logicmap-codebook-") as folder:
        path = Path(folder) / (name if name.endswith((".yaml", ".yml")) else name + ".yaml")
        path.write_bytes(data)
        change = review.codebook.replace(path, force=force, note=f"uploaded {name} by {caller.name}")
    review.accounts.record(caller.name, "codebook.replace", f"{name}: {review.codebook.current().name}"
                           f"{' (forced)' if force else ''}")
    return change


@router.post("/settings/codebook", response_class=HTMLResponse)
def upload_codebook(request: Request, caller: Owner, codebook: Annotated[UploadFile, File()],
                    force: Annotated[bool, Form()] = False):
    """Put an uploaded YAML codebook in force (validated; line-numbered problems shown)."""
    try:
        replace_codebook(request, caller, codebook, force)
    except (CodebookError, CodebookChangeRefused) as exc:
        return _refused(request, caller, "codebook", exc)
    return _saved("codebook")


def edit_codebook(request: Request, caller: Caller, action: str, *, old: str = "", new: str = "",
                  sources: str = "", into: str = "", label: str = ""):
    """Rename a code or merge codes; their codings are carried along. Returns the library's change."""
    review = review_of(request)
    if action == "rename":
        change = review.codebook.rename(old.strip(), new.strip(), label=label.strip() or None)
        detail = f"rename {old} -> {new}"
    else:
        parts = [p.strip() for p in sources.replace(";", ",").split(",") if p.strip()]
        change = review.codebook.merge(parts, into.strip(), label=label.strip() or None)
        detail = f"merge {', '.join(parts)} -> {into}"
    review.accounts.record(caller.name, f"codebook.{action}", f"{detail} ({change.carried} codings carried)")
    return change


@router.post("/settings/codebook/rename", response_class=HTMLResponse)
def rename_code(request: Request, caller: Owner, old: Annotated[str, Form()], new: Annotated[str, Form()],
                label: Annotated[str, Form()] = ""):
    """Rename a code (and optionally relabel it); its codings move with it."""
    return _edited_codebook_page(request, caller, "rename", old=old, new=new, label=label)


@router.post("/settings/codebook/merge", response_class=HTMLResponse)
def merge_codes(request: Request, caller: Owner, sources: Annotated[str, Form()], into: Annotated[str, Form()],
                label: Annotated[str, Form()] = ""):
    """Merge codes (comma-separated) into one, existing or new with ``label``; their codings move with them."""
    return _edited_codebook_page(request, caller, "merge", sources=sources, into=into, label=label)


def _edited_codebook_page(request: Request, caller: Caller, action: str, **fields: str):
    """The settings page after :func:`edit_codebook`: saved, or the refusal shown with nothing changed."""
    try:
        edit_codebook(request, caller, action, **fields)
    except LogicmapError as exc:
        return _refused(request, caller, "codebook", exc)
    return _saved("codebook")


@router.post("/settings/role", response_class=HTMLResponse)
def change_role(request: Request, caller: Owner, name: Annotated[str, Form()], role: Annotated[str, Form()] = ""):
    """Give an account a role in the project (blank: none); an owner cannot drop their own role."""
    if name == caller.name:
        return _page(request, caller, 400, section="users", error="You cannot change your own role here "
                                                                  "(another owner can); nothing was changed.")
    try:
        review_of(request).accounts.set_role(name, role or None, by=caller.name)
    except AccountError as exc:
        return _refused(request, caller, "users", exc)
    request.app.state.sessions.forget_account(getattr(review_of(request).accounts.get(name), "id", -1))
    return _saved("users")


def invite_link(request: Request, token: str) -> str:
    """The invitation's link; on a server of several projects it names the project."""
    hub = request.app.state.hub
    return f"{request.base_url}invite?token={token}" + (f"&project={hub}" if hub else "")


@router.post("/settings/invite", response_class=HTMLResponse)
def invite(request: Request, caller: Owner, role: Annotated[str, Form()]):
    """Make a one-use invitation link for a new account with ``role``; shown once."""
    try:
        token = review_of(request).accounts.invite(role, by=caller.name)
    except AccountError as exc:
        return _refused(request, caller, "users", exc)
    return _page(request, caller, section="users", invite_url=invite_link(request, token),
                 invite_role=role)


@router.get("/invite", response_class=HTMLResponse)
def invitation_page(request: Request, token: str = "") -> HTMLResponse:
    """The form an invited person makes their account with."""
    role = review_of(request).accounts.invitation(token)
    status = 200 if role else 404
    error = None if role else "This invitation is unknown, used or expired: ask the project's owner for a new one."
    return templates.TemplateResponse(request, "invite.html", {"caller": caller_of(request), "token": token,
                                                               "role": role, "error": error}, status_code=status)


@router.post("/invite", response_class=HTMLResponse)
def accept_invitation(request: Request, token: Annotated[str, Form()], name: Annotated[str, Form()],
                      password: Annotated[str, Form()], repeat: Annotated[str, Form()]):
    """Make the invited account, then sign in with it."""
    accounts = review_of(request).accounts
    role = accounts.invitation(token)
    error = "The two passwords differ." if password != repeat else None
    if error is None:
        try:
            accounts.accept(token, name, password)
        except AccountError as exc:
            error = str(exc)
    if error:
        return templates.TemplateResponse(request, "invite.html", {"caller": None, "token": token, "role": role,
                                                                   "error": error}, status_code=400)
    return RedirectResponse("/login?invited=1", status_code=303)


# --- JSON API --------------------------------------------------------------------
class SettingsOut(BaseModel):
    """The project's settings an owner may change."""

    exclusion_reasons: list[str]
    blind: bool
    reviewers_per_record: int
    codebook: str
    codes: int
    users: dict[str, str | None]


class ReasonsIn(BaseModel):
    """The exclusion reasons, in order."""

    reasons: list[str]


class TeamIn(BaseModel):
    """Blind screening on or off, reviewers per record (1-5; 2: dual screening)."""

    blind: bool
    reviewers_per_record: int


def settings_out(request: Request) -> SettingsOut:
    review = review_of(request)
    team, codebook = review.screening.team_settings(), review.codebook.current()
    return SettingsOut(exclusion_reasons=review.screening.exclusion_reasons(), blind=team.blind,
                       reviewers_per_record=team.reviewers_per_record, codebook=codebook.name, codes=len(codebook.codes),
                       users={u.name: u.role for u in review.accounts.users()})


@router.get("/api/settings", response_model=SettingsOut)
def api_settings(request: Request, caller: Owner) -> SettingsOut:
    """The project's settings."""
    return settings_out(request)


@router.post("/api/settings/reasons", response_model=SettingsOut)
def api_reasons(request: Request, caller: Owner, body: ReasonsIn) -> SettingsOut:
    """Replace the exclusion reasons. Needs the X-CSRF-Token header."""
    stored = review_of(request).screening.set_exclusion_reasons(body.reasons)
    review_of(request).accounts.record(caller.name, "settings.reasons", "; ".join(stored))
    return settings_out(request)


@router.post("/api/settings/team", response_model=SettingsOut)
def api_team(request: Request, caller: Owner, body: TeamIn) -> SettingsOut:
    """Blind screening and reviewers per record. Needs the X-CSRF-Token header."""
    apply_team(request, caller, blind=body.blind, reviewers_per_record=body.reviewers_per_record)
    return settings_out(request)


class CodebookEditIn(BaseModel):
    """Rename ``old`` to ``new``, or merge ``sources`` into ``into`` (``label``: optional new label)."""

    action: Literal["rename", "merge"]
    old: str = ""
    new: str = ""
    sources: list[str] = []
    into: str = ""
    label: str = ""


@router.post("/api/settings/codebook/edit", response_model=SettingsOut)
def api_codebook_edit(request: Request, caller: Owner, body: CodebookEditIn) -> SettingsOut:
    """Rename or merge codes, codings carried along. Needs the X-CSRF-Token header."""
    edit_codebook(request, caller, body.action, old=body.old, new=body.new, sources=",".join(body.sources),
                  into=body.into, label=body.label)
    return settings_out(request)


@router.post("/api/settings/codebook", response_model=SettingsOut)
def api_codebook(request: Request, caller: Owner, codebook: Annotated[UploadFile, File()],
                 force: Annotated[bool, Form()] = False) -> SettingsOut:
    """Put an uploaded YAML codebook in force (multipart field ``codebook``). Needs the X-CSRF-Token header."""
    replace_codebook(request, caller, codebook, force)
    return settings_out(request)
