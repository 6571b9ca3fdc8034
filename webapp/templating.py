"""Jinja2 pages: every template gets the user, the CSRF token and Vietnamese filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from webapp.csrf import csrf_token

__all__ = ["render", "templates"]

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def _vn_date(value: str | datetime | None, with_time: bool = False) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%H:%M %d/%m/%Y" if with_time else "%d/%m/%Y")


def _highlight(snippet: str) -> Markup:
    """Search snippets mark matches with « »: escape everything, then mark those."""
    text = str(escape(snippet or ""))
    return Markup(text.replace("«", "<mark>").replace("»", "</mark>"))


templates.env.filters["vn_date"] = _vn_date
templates.env.filters["highlight"] = _highlight
templates.env.filters["vn_datetime"] = lambda v: _vn_date(v, True)


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> Response:
    ctx = {"csrf_token": csrf_token(request), "user": None, **(context or {})}
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response
