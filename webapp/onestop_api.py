"""The API the province's one-stop system calls: a dossier's result and its export package.

Machine clients, not people: no session cookie and no CSRF token, only
``Authorization: Bearer <DOSSIER_ONESTOP_TOKEN>``, compared in constant time.
The token reads the dossiers of the agencies in ``DOSSIER_ONESTOP_AGENCIES``
(default: the desk's ``DOSSIER_AGENCY_CODE``); any other dossier is a 404,
exactly like an unknown code, so a token never reveals what another agency
holds. Without a configured token the API is off: 503 on every endpoint, so
an integrator sees at once that the desk must be configured, rather than a
404 that looks like a wrong URL. Only GETs: the one-stop system reads.
"""

from __future__ import annotations

import hmac
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from starlette.background import BackgroundTask

from exchange import DossierNotFound, ExportFailed, export_dossier, package_name
from intake.status import dossier_status
from models.records import Agency, Dossier
from webapp.state import AppState, app_state

__all__ = ["router"]

router = APIRouter(prefix="/api/onestop", tags=["hệ thống một cửa"])
State = Annotated[AppState, Depends(app_state)]
ACTOR = "onestop-api"
log = logging.getLogger(__name__)
_REALM = 'Bearer realm="hoso-onestop"'


def onestop_agencies(request: Request, state: State) -> tuple[str, ...]:
    """The agencies the caller may read; 503 when the API is off, 401 without the token."""
    token = state.settings.onestop_token
    if not token:
        raise HTTPException(503, "API cho hệ thống một cửa chưa được bật "
                                 "(cấu hình DOSSIER_ONESTOP_TOKEN).")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), token.encode("utf-8")):
        raise HTTPException(401, "Thiếu hoặc sai mã truy cập.",
                            headers={"WWW-Authenticate": _REALM})
    return state.settings.onestop_agencies


Agencies = Annotated[tuple[str, ...], Depends(onestop_agencies)]


def _find(state: AppState, agencies: tuple[str, ...], code: str) -> Dossier:
    with state.sessions() as session:
        found = session.scalars(
            select(Dossier).join(Agency, Dossier.agency_id == Agency.id)
            .where(Dossier.code == code, Agency.code.in_(agencies))
            .options(joinedload(Dossier.agency))).first()
    if found is None:
        raise HTTPException(404, "Không tìm thấy hồ sơ.")
    return found


@router.get("/dossiers/{code}", summary="Kết quả xử lý của một hồ sơ (như dossier process "
                                         "--json), kèm trạng thái và thời điểm")
def dossier_result(state: State, agencies: Agencies, code: str) -> dict[str, Any]:
    """The ``dossier process --json`` object once processed, plus status and times.

    Before processing ends only the status keys are present; ``result_ready``
    says which case it is.
    """
    found = _find(state, agencies, code)
    with state.sessions() as session:
        status = dossier_status(session, found.code) or {}
    result = status.get("result")
    body: dict[str, Any] = dict(result) if isinstance(result, dict) else {}
    body.update({
        "dossier_code": found.code,
        "agency_code": found.agency.code,
        "status": found.status,
        "state": status.get("state"),
        "result_ready": isinstance(result, dict),
        "failure": result if status.get("state") == "failed" else None,
        "pages_done": found.pages_done,
        "pages_total": found.pages_total,
        "received_at": found.received_at.isoformat(),
        "due_at": found.due_at.isoformat() if found.due_at else None,
        "updated_at": found.updated_at.isoformat(),
        "package_url": f"/api/onestop/dossiers/{found.code}/package",
    })
    return body


@router.get("/dossiers/{code}/package", summary="Gói hồ sơ (ZIP: XML, bản gốc, PDF đã ký, "
                                                 "mã băm)", response_class=FileResponse)
def dossier_package(state: State, agencies: Agencies, code: str) -> FileResponse:
    """The dossier's export package, made fresh (records change when staff decide)."""
    found = _find(state, agencies, code)
    folder = Path(tempfile.mkdtemp(prefix="hoso-goi-"))
    try:
        with state.sessions() as session:
            path = export_dossier(session, state.store, found.code, folder,
                                  agency_code=found.agency.code, actor=ACTOR,
                                  catalog=state.catalog)
    except DossierNotFound:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(404, "Không tìm thấy hồ sơ.") from None
    except ExportFailed as exc:
        shutil.rmtree(folder, ignore_errors=True)
        log.error("dossier %s not exported: %s", found.code, exc)
        raise HTTPException(500, "Kho lưu trữ của hồ sơ này đang lỗi; "
                                 "cần chạy dossier fsck.") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, media_type="application/zip", filename=package_name(found.code),
                        background=BackgroundTask(shutil.rmtree, folder, True))
