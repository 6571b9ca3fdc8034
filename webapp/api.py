"""JSON API under ``/api``: the same actions as the pages, the same checks, an OpenAPI schema.

Clients log in with ``POST /api/session`` (the same session cookie as the
pages) and send the returned ``csrf_token`` as ``X-CSRF-Token`` on every
POST/PATCH/DELETE. Another agency's dossier is a 404, exactly as on the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from archive.transactions import in_write_transaction
from webapp import dossiers, files, search_bridge
from webapp.accounts import User
from webapp.auth import current_user, log_in, log_out
from webapp.csrf import csrf_token, require_csrf
from webapp.pages import _submit, _visible_hits, procedure_choices
from webapp.state import AppState, app_state
from webapp.text import matches

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["hồ sơ"])
State = Annotated[AppState, Depends(app_state)]
CurrentUser = Annotated[User, Depends(current_user)]
CSRF = [Depends(require_csrf)]


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class UserOut(BaseModel):
    username: str
    full_name: str
    role: str
    agency_code: str


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str


class FieldCorrection(BaseModel):
    document: int = Field(ge=0, description="vị trí giấy tờ trong hồ sơ (0 là giấy tờ đầu)")
    field: str = Field(max_length=64)
    value: str = Field(max_length=500)


class DecisionIn(BaseModel):
    decision: Literal["accept", "incomplete", "refuse"]
    reason: str = Field("", max_length=2000)


class SearchIn(BaseModel):
    """Words and/or exact filters; filters alone list the newest matching pages."""

    q: str = Field("", max_length=1000)
    procedure: str | None = None
    document_type: str | None = Field(None, max_length=80)
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = Field(None, max_length=16)
    identity_number: str | None = Field(None, max_length=20)
    limit: int = Field(20, ge=1, le=100)


def _user_out(user: User) -> UserOut:
    return UserOut(username=user.username, full_name=user.full_name, role=user.role,
                   agency_code=user.agency_code)


@router.get("/session/csrf", summary="Lấy mã chống giả mạo trước khi đăng nhập")
def pre_login_csrf(request: Request) -> dict[str, str]:
    return {"csrf_token": csrf_token(request)}


@router.post("/session", dependencies=CSRF, summary="Đăng nhập")
def api_login(request: Request, state: State, body: LoginIn) -> SessionOut:
    outcome = log_in(request, state, body.username, body.password)
    if not isinstance(outcome, User):
        raise HTTPException(429 if outcome.rate_limited else 401, outcome.message)
    return SessionOut(user=_user_out(outcome), csrf_token=csrf_token(request))


@router.delete("/session", dependencies=CSRF, summary="Đăng xuất")
def api_logout(request: Request) -> dict[str, bool]:
    log_out(request)
    return {"ok": True}


@router.get("/me", summary="Người dùng hiện tại")
def me(request: Request, user: CurrentUser) -> SessionOut:
    return SessionOut(user=_user_out(user), csrf_token=csrf_token(request))


@router.get("/procedures", summary="Tìm thủ tục theo mã hoặc tên")
def procedures(state: State, user: CurrentUser, q: str = "") -> list[dict[str, str]]:
    return [p for p in procedure_choices(state) if matches(q, p["code"], p["name"])]


@router.post("/dossiers", dependencies=CSRF, status_code=202,
             summary="Nộp tệp quét của một hồ sơ (xử lý nền)")
def create_dossier(state: State, user: CurrentUser,
                   files_: Annotated[list[UploadFile], File(alias="files")],
                   procedure: Annotated[str, Form()] = "") -> dict[str, str]:
    return {"dossier_code": _submit(state, user, procedure, files_)}


@router.get("/dossiers", summary="Sổ theo dõi hồ sơ (Mẫu 06)")
def register(state: State, user: CurrentUser, status: str | None = None,
             limit: int = 500) -> list[dict[str, Any]]:
    with state.sessions() as session:
        return dossiers.register_rows(session, user, state.catalog, status=status,
                                      limit=min(max(limit, 1), 2000))


@router.get("/dossiers/{code}", summary="Một hồ sơ: giấy tờ, trường, kết luận")
def dossier(state: State, user: CurrentUser, code: str) -> dict[str, Any]:
    with state.sessions() as session:
        found = dossiers.find_dossier(session, user, code)
        return dossiers.dossier_view(session, found, state.catalog, state.calendar)


@router.get("/dossiers/{code}/progress", summary="Tiến độ xử lý (như dossier status --json)")
def progress(state: State, user: CurrentUser, code: str) -> dict[str, Any]:
    with state.sessions() as session:
        found = dossiers.find_dossier(session, user, code)
    return state.jobs.progress(found.code)


@router.patch("/dossiers/{code}/fields", dependencies=CSRF, summary="Sửa một trường")
def correct(state: State, user: CurrentUser, code: str, body: FieldCorrection) -> dict[str, Any]:
    with state.sessions() as session:
        def work(s):  # type: ignore[no-untyped-def]
            d = dossiers.find_dossier(s, user, code)
            row = dossiers.correct_field(s, d, user, body.document, body.field, body.value)
            return {"field": row.field_id, "value": row.value, "corrected_by": row.corrected_by,
                    "corrected_at": row.corrected_at.isoformat() if row.corrected_at else None}

        return in_write_transaction(session, work)


@router.post("/dossiers/{code}/decision", dependencies=CSRF,
             summary="Tiếp nhận, yêu cầu bổ sung hoặc từ chối")
def decide(state: State, user: CurrentUser, code: str, body: DecisionIn) -> dict[str, Any]:
    with state.sessions() as session:
        def work(s):  # type: ignore[no-untyped-def]
            d = dossiers.find_dossier(s, user, code)
            return dossiers.decide(s, d, user, dossiers.Decision(body.decision, body.reason),
                                   state.catalog, state.calendar)

        return in_write_transaction(session, work)


@router.get("/dossiers/{code}/receipt.pdf", summary="Phiếu A5 (Mẫu 01, 02 hoặc 03)",
            response_class=Response)
def receipt(state: State, user: CurrentUser, code: str) -> Response:
    with state.sessions() as session:
        found = dossiers.find_dossier(session, user, code)
        return files.receipt_pdf(session, found, state.catalog, user)


@router.get("/dossiers/{code}/pages/{index}/image", summary="Ảnh trang đã chuẩn hóa",
            response_class=Response)
def page_image(state: State, user: CurrentUser, code: str, index: int) -> Response:
    with state.sessions() as session:
        found = dossiers.find_dossier(session, user, code)
        return files.page_image(session, state.store, found, index)


@router.post("/search", dependencies=CSRF, summary="Tìm trong kho hồ sơ của cơ quan mình")
def search(state: State, user: CurrentUser, body: SearchIn) -> dict[str, Any]:
    try:
        result = search_bridge.run_search(
            state.settings.database_url, body.q, user.agency_code, procedure=body.procedure,
            limit=body.limit, document_type=body.document_type, date_from=body.date_from,
            date_to=body.date_to, status=body.status, identity_number=body.identity_number)
    except search_bridge.SearchUnavailable as exc:
        raise HTTPException(503, "Chức năng tìm kiếm chưa có.") from exc
    except ValueError as exc:
        raise HTTPException(422, f"Không tìm được: {exc}") from exc
    return _visible_hits(state, user, result)
