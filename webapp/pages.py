"""Server-rendered pages of the desk, in Vietnamese. Rules live in ``dossiers``/``files``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from archive.transactions import in_write_transaction
from webapp import dossiers, files, search_bridge
from webapp.accounts import User
from webapp.auth import current_user, log_in, log_out
from webapp.csrf import require_csrf
from webapp.labels import DECISION_NAMES, STATUS_NAMES
from webapp.state import AppState, app_state
from webapp.templating import render
from webapp.uploads import save_uploads

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
State = Annotated[AppState, Depends(app_state)]
CurrentUser = Annotated[User, Depends(current_user)]
CSRF = [Depends(require_csrf)]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def procedure_choices(state: AppState) -> list[dict[str, str]]:
    return [{"code": p.code, "name": p.name, "domain": p.domain}
            for p in sorted(state.catalog.procedures.values(), key=lambda p: p.code)]


@router.get("/")
def home(user: CurrentUser) -> Response:
    return _see_other("/ho-so/moi")


@router.get("/dang-nhap")
def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/dang-nhap", dependencies=CSRF)
def login_submit(request: Request, state: State, username: Annotated[str, Form()],
                 password: Annotated[str, Form()]) -> Response:
    outcome = log_in(request, state, username, password)
    if isinstance(outcome, User):
        return _see_other("/ho-so/moi")
    return render(request, "login.html", {"error": outcome.message, "username": username},
                  status_code=429 if outcome.rate_limited else 401)


@router.post("/dang-xuat", dependencies=CSRF)
def logout(request: Request) -> Response:
    log_out(request)
    return _see_other("/dang-nhap")


@router.get("/ho-so/moi")
def new_dossier(request: Request, state: State, user: CurrentUser) -> Response:
    return render(request, "new.html", {
        "user": user, "procedures": procedure_choices(state),
        "max_mb": state.settings.max_file_bytes // (1024 * 1024),
        "max_files": state.settings.max_files})


@router.post("/ho-so/moi", dependencies=CSRF)
def new_dossier_submit(state: State, user: CurrentUser,
                       procedure: Annotated[str, Form()] = "",
                       upload: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    code = _submit(state, user, procedure, upload or [])
    return _see_other(f"/ho-so/{code}/tien-do")


def _submit(state: AppState, user: User, procedure: str, upload: list[UploadFile]) -> str:
    procedure = procedure.strip()
    if procedure and procedure not in state.catalog.procedures:
        raise HTTPException(422, "Mã thủ tục không có trong danh mục.")
    saved = save_uploads(upload, state.settings)
    return state.jobs.submit(saved.paths, procedure or None, agency_code=user.agency_code,
                             actor=user.username, cleanup=saved.folder)


@router.get("/ho-so/{code}/tien-do")
def progress_page(request: Request, state: State, user: CurrentUser, code: str) -> Response:
    with state.sessions() as session:
        dossier = dossiers.find_dossier(session, user, code)
    return render(request, "progress.html", {"user": user, "code": dossier.code,
                                             "progress": state.jobs.progress(dossier.code)})


@router.get("/ho-so/{code}")
def review_page(request: Request, state: State, user: CurrentUser, code: str) -> Response:
    with state.sessions() as session:
        dossier = dossiers.find_dossier(session, user, code)
        view = dossiers.dossier_view(session, dossier, state.catalog, state.calendar)
    if view["status"] in ("received", "processing"):
        return _see_other(f"/ho-so/{code}/tien-do")
    return render(request, "review.html", {
        "user": user, "d": view, "low": dossiers.LOW_CONFIDENCE,
        "decision_names": DECISION_NAMES, "can_decide": view["status"] == "done"
        or (view["status"] in dossiers.DECIDED and user.role != "reception")})


@router.get("/ho-so/{code}/trang/{index}")
def page_image(state: State, user: CurrentUser, code: str, index: int) -> Response:
    with state.sessions() as session:
        dossier = dossiers.find_dossier(session, user, code)
        return files.page_image(session, state.store, dossier, index)


@router.get("/ho-so/{code}/giay-to/{position}.pdf")
def document_pdf(state: State, user: CurrentUser, code: str, position: int) -> Response:
    with state.sessions() as session:
        dossier = dossiers.find_dossier(session, user, code)
        return files.document_pdf(session, state.store, dossier, position)


@router.post("/ho-so/{code}/truong", dependencies=CSRF)
def correct_field(state: State, user: CurrentUser, code: str,
                  position: Annotated[int, Form()], field_id: Annotated[str, Form()],
                  value: Annotated[str, Form()]) -> Response:
    with state.sessions() as session:
        def work(s):  # type: ignore[no-untyped-def]
            d = dossiers.find_dossier(s, user, code)
            dossiers.correct_field(s, d, user, position, field_id, value)

        in_write_transaction(session, work)
    return _see_other(f"/ho-so/{code}#truong-{position}-{field_id}")


@router.post("/ho-so/{code}/quyet-dinh", dependencies=CSRF)
def decide(state: State, user: CurrentUser, code: str, decision: Annotated[str, Form()],
           reason: Annotated[str, Form()] = "") -> Response:
    with state.sessions() as session:
        def work(s):  # type: ignore[no-untyped-def]
            d = dossiers.find_dossier(s, user, code)
            dossiers.decide(s, d, user, dossiers.Decision(decision, reason), state.catalog,
                            state.calendar)

        in_write_transaction(session, work)
    return _see_other(f"/ho-so/{code}?da-quyet-dinh=1")


@router.get("/ho-so/{code}/phieu.pdf")
def receipt(state: State, user: CurrentUser, code: str) -> Response:
    with state.sessions() as session:
        dossier = dossiers.find_dossier(session, user, code)
        return files.receipt_pdf(session, dossier, state.catalog, user)


@router.get("/so-theo-doi")
def register(request: Request, state: State, user: CurrentUser,
             trang_thai: str = "") -> Response:
    with state.sessions() as session:
        rows = dossiers.register_rows(session, user, state.catalog,
                                      status=trang_thai or None)
    return render(request, "register.html", {"user": user, "rows": rows,
                                             "statuses": STATUS_NAMES, "status": trang_thai})


@router.get("/tim-kiem")
def search_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "search.html", {"user": user,
                                           "available": search_bridge.available()})


@router.post("/tim-kiem", dependencies=CSRF)
def search_submit(request: Request, state: State, user: CurrentUser,
                  q: Annotated[str, Form()]) -> Response:
    ctx: dict[str, object] = {"user": user, "available": search_bridge.available(), "q": q}
    try:
        ctx["result"] = _visible_hits(state, user, search_bridge.run_search(
            state.settings.database_url, q, user.agency_code))
    except search_bridge.SearchUnavailable:
        ctx["available"] = False
    except ValueError as exc:
        ctx["error"] = f"Không tìm được: {exc}"
    return render(request, "search.html", ctx)


def _visible_hits(state: AppState, user: User, result: dict) -> dict:
    """Keep only hits whose dossier the user's agency holds (checked against the records)."""
    codes = {h["dossier_code"] for h in result.get("hits", [])}
    with state.sessions() as session:
        visible = {c for c in codes if _visible(session, user, c)}
    hits = [h for h in result.get("hits", []) if h["dossier_code"] in visible]
    return {"total": result.get("total", len(hits)) if len(hits) == len(result.get("hits", []))
            else len(hits), "hits": hits, "total_exact": result.get("total_exact", True)}


def _visible(session: Session, user: User, code: str) -> bool:
    try:
        dossiers.find_dossier(session, user, code)
    except HTTPException:
        return False
    return True
