"""One app, its users and processed sample dossiers, shared by the test modules.

Processing a sample takes 15–20 s of real OCR on a small machine; caching
per test process lets the page, API and security tests share one processed
dossier instead of each paying for its own.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from archive.transactions import in_write_transaction
from webapp.accounts import add_user
from webapp.app import create_app
from webapp.config import Settings

__all__ = ["AGENCY_A", "AGENCY_B", "PASSWORD", "SAMPLES", "SharedApp", "csrf_from",
           "logged_in_client", "processed", "shared_app"]

AGENCY_A = "000.00.00.H26"
AGENCY_B = "000.00.00.H27"
PASSWORD = "mat-khau-thu-nghiem-1"
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "dossiers"
USERS = (("le.tiep", "reception", AGENCY_A, "Lê Văn Tiếp"),
         ("giam.sat", "supervisor", AGENCY_A, "Phạm Giám Sát"),
         ("khac.xa", "reception", AGENCY_B, "Đỗ Xã Khác"),
         ("trinh.duyet", "reception", "000.00.00.H28", "Ngô Trình Duyệt"))


@dataclass(frozen=True, slots=True)
class SharedApp:
    app: FastAPI
    home: Path
    settings: Settings


def make_app(home: Path, **overrides: object) -> FastAPI:
    settings = Settings.from_env({"DOSSIER_HOME": str(home)},
                                 storage_url=f"file://{home / 'objects'}", **overrides)
    return create_app(settings)


@functools.cache
def shared_app() -> SharedApp:
    home = Path(tempfile.mkdtemp(prefix="hoso-web-"))
    atexit.register(shutil.rmtree, home, True)
    app = make_app(home, max_file_bytes=30 * 1024 * 1024)
    state = app.state.hoso
    with state.sessions() as session:
        for username, role, agency, name in USERS:
            in_write_transaction(session, lambda s, u=username, r=role, a=agency, n=name:
                                 add_user(s, u, PASSWORD, role=r, agency_code=a, full_name=n))
    return SharedApp(app, home, state.settings)


@functools.cache
def processed(sample: str, username: str = "le.tiep") -> str:
    """Process ``samples/dossiers/<sample>/ho-so.pdf`` for the user's agency; its code."""
    state = shared_app().app.state.hoso
    agency = next(a for u, _, a, _ in USERS if u == username)
    code = state.jobs.submit([SAMPLES / sample / "ho-so.pdf"], "1.001193", agency_code=agency,
                             actor=username)
    assert state.jobs.wait(code, timeout=300) == "done"
    return code


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def logged_in_client(username: str, app: FastAPI | None = None) -> tuple[TestClient, str]:
    """A client with a session for ``username``; returns it and the session's CSRF token."""
    client = TestClient(app or shared_app().app)
    token = csrf_from(client.get("/dang-nhap").text)
    response = client.post("/dang-nhap", data={"username": username, "password": PASSWORD,
                                              "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client, client.get("/api/me").json()["csrf_token"]
