"""The application factory: wiring only; pages, API and rules live in their own modules."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from archive import sync_procedures
from archive.transactions import in_write_transaction
from models.catalog import load_catalog
from models.database import open_database
from storage import open_store
from webapp import api, onestop_api, pages
from webapp.accounts import create_tables
from webapp.auth import NotLoggedIn
from webapp.config import Settings
from webapp.jobs import Jobs
from webapp.search_bridge import index_dossier
from webapp.state import AppState
from webapp.templating import render
from workdays import load_calendar

__all__ = ["create_app"]

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "hoso_phien"


def build_state(settings: Settings) -> AppState:
    engine, sessions = open_database(settings.database_url)
    create_tables(engine)
    catalog = load_catalog()
    with sessions() as session:
        in_write_transaction(session, lambda s: sync_procedures(s, catalog))
    store = open_store(settings.storage_url)

    def after_done(code: str) -> None:
        try:
            index_dossier(sessions, settings.database_url, code)
        except Exception as exc:  # search is a convenience: never fail the dossier for it
            log.warning("dossier %s not indexed for search: %s", code, type(exc).__name__)

    jobs = Jobs(store=store, sessions=sessions, catalog=catalog,
                threads=settings.processing_threads, after_done=after_done)
    return AppState(settings, engine, sessions, store, catalog, load_calendar(), jobs)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready app; ``settings`` default to the environment."""
    settings = settings or Settings.from_env()
    state = build_state(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()
        state.engine.dispose()

    app = FastAPI(title="hoso — Bộ phận tiếp nhận và trả kết quả",
                  description="API của ứng dụng tiếp nhận hồ sơ: cùng thao tác, cùng quyền "
                              "như giao diện web. Đăng nhập bằng POST /api/session; mọi yêu "
                              "cầu thay đổi dữ liệu gửi kèm tiêu đề X-CSRF-Token.",
                  version="1", lifespan=lifespan, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.hoso = state
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key,
                       session_cookie=SESSION_COOKIE, max_age=settings.session_hours * 3600,
                       same_site="lax", https_only=settings.secure_cookies)

    @app.middleware("http")
    async def limits_and_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_request_bytes:
            return JSONResponse({"detail": "Dữ liệu gửi lên quá lớn."}, status_code=413)
        started = time.monotonic()
        response: Response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Path only, never the query string: it may carry names or identity numbers.
        log.info("%s %s → %s (%.0f ms)", request.method, request.url.path,
                 response.status_code, (time.monotonic() - started) * 1000)
        return response

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Chưa đăng nhập."}, status_code=401)
        return RedirectResponse("/dang-nhap", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Có lỗi."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Không tìm thấy trang."
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=exc.status_code,
                                headers=exc.headers)
        return render(request, "error.html", {"message": detail, "status": exc.status_code},
                      status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Dữ liệu gửi lên không hợp lệ.",
                                 "errors": [{"loc": e.get("loc"), "msg": e.get("msg")}
                                            for e in exc.errors()]}, status_code=422)
        return render(request, "error.html", {"message": "Dữ liệu gửi lên không hợp lệ.",
                                              "status": 422}, status_code=422)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(onestop_api.router)
    app.include_router(pages.router)
    return app
