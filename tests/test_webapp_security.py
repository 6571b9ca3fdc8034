"""Agency walls, CSRF, cookies, upload limits, log-in rate limit, no personal data in logs."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from archive.transactions import in_write_transaction
from webapp.accounts import add_user
from webapp.testing import (
    PASSWORD,
    csrf_from,
    logged_in_client,
    make_app,
    processed,
    shared_app,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def code() -> str:
    """A dossier of agency A (…H26)."""
    return processed("khai-sinh-day-du")


@pytest.fixture(scope="module")
def small_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A separate app with tiny limits, so limits and lock-outs touch nothing else."""
    app = make_app(tmp_path_factory.mktemp("small"), max_file_bytes=64 * 1024, max_files=2,
                   max_request_bytes=512 * 1024, login_max_failures=3)
    with app.state.hoso.sessions() as session:
        in_write_transaction(session, lambda s: add_user(
            s, "nho", PASSWORD, role="reception", agency_code="000.00.00.H29"))
    yield app
    app.state.hoso.jobs.shutdown()


def test_other_agency_gets_404_everywhere(code: str) -> None:
    own, _ = logged_in_client("le.tiep")
    assert own.get(f"/ho-so/{code}").status_code == 200
    other, csrf = logged_in_client("khac.xa")
    for url in (f"/ho-so/{code}", f"/ho-so/{code}/tien-do", f"/ho-so/{code}/trang/0",
                f"/ho-so/{code}/phieu.pdf", f"/api/dossiers/{code}",
                f"/api/dossiers/{code}/progress", f"/api/dossiers/{code}/pages/0/image",
                f"/api/dossiers/{code}/receipt.pdf"):
        response = other.get(url)
        assert response.status_code == 404, url
        assert code not in response.text
    headers = {"X-CSRF-Token": csrf}
    assert other.patch(f"/api/dossiers/{code}/fields", headers=headers, json={
        "document": 0, "field": "ho_ten", "value": "x"}).status_code == 404
    assert other.post(f"/api/dossiers/{code}/decision", headers=headers,
                      json={"decision": "refuse", "reason": "x"}).status_code == 404
    assert other.post(f"/ho-so/{code}/truong", data={
        "csrf_token": csrf, "position": "0", "field_id": "ho_ten", "value": "x"}
    ).status_code == 404
    assert code not in other.get("/so-theo-doi").text
    assert code not in str(other.get("/api/dossiers").json())
    page = other.post("/tim-kiem", data={"csrf_token": csrf, "q": "vo bao huyen"})
    assert page.status_code == 200 and code not in page.text
    hits = other.post("/api/search", headers=headers, json={"q": "vo bao huyen"}).json()
    assert hits["hits"] == [] and hits["total"] == 0


def test_session_cookie_is_httponly_and_samesite() -> None:
    client = TestClient(shared_app().app)
    token = csrf_from(client.get("/dang-nhap").text)
    response = client.post("/dang-nhap", data={"username": "le.tiep", "password": PASSWORD,
                                              "csrf_token": token}, follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "le.tiep" not in cookie  # the session is signed ids, not names


def test_forms_and_api_refuse_missing_or_wrong_csrf(code: str) -> None:
    client = TestClient(shared_app().app)
    client.get("/dang-nhap")
    no_token = client.post("/dang-nhap", data={"username": "le.tiep", "password": PASSWORD})
    assert no_token.status_code == 403
    client, csrf = logged_in_client("le.tiep")
    form = {"position": "0", "field_id": "ho_ten", "value": "Giả Mạo"}
    assert client.post(f"/ho-so/{code}/truong", data=form).status_code == 403
    assert client.post(f"/ho-so/{code}/truong",
                       data={**form, "csrf_token": "sai"}).status_code == 403
    assert client.post(f"/ho-so/{code}/truong", data={**form, "csrf_token": csrf},
                       headers={"Origin": "https://ke-gian.example"}).status_code == 403
    assert client.patch(f"/api/dossiers/{code}/fields", json={
        "document": 0, "field": "ho_ten", "value": "x"}).status_code == 403
    assert client.post("/dang-xuat").status_code == 403


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_are_limited_and_recognised_by_content(small_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, csrf = logged_in_client("nho", small_app)
    headers = {"X-CSRF-Token": csrf}

    def send(*files: tuple[str, bytes]):  # type: ignore[no-untyped-def]
        return client.post("/api/dossiers", headers=headers,
                            files=[("files", (n, d, "application/pdf")) for n, d in files])

    assert send(("to-khai.pdf", b"this is not a scan\n" * 10)).status_code == 415
    assert send(("lon.pdf", b"%PDF-1.7\n" + b"0" * 70_000)).status_code == 413
    assert send(*[(f"{i}.png", _png()) for i in range(3)]).status_code == 413
    huge = client.post("/api/dossiers", headers={**headers, "Content-Length": str(10**9)},
                       content=b"x")
    assert huge.status_code == 413
    # A PNG under a misleading name is still taken as the PNG it is.
    ok = send(("ghi-chu.txt", _png()))
    assert ok.status_code == 202
    code = ok.json()["dossier_code"]
    assert small_app.state.hoso.jobs.wait(code, timeout=120) in ("done", "failed")
    objects = list((small_app.state.hoso.settings.home / "objects").rglob("*"))
    assert not any(p.name.endswith(".txt") for p in objects)
    assert not list(small_app.state.hoso.settings.upload_dir.glob("*/*"))  # temp files gone


def test_login_attempts_are_rate_limited(small_app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(small_app)
    token = csrf_from(client.get("/dang-nhap").text)
    for _ in range(3):
        wrong = client.post("/dang-nhap", data={"username": "nho", "password": "sai-mat-khau",
                                                "csrf_token": token})
        assert wrong.status_code == 401 and "không đúng" in wrong.text
    blocked = client.post("/dang-nhap", data={"username": "nho", "password": PASSWORD,
                                              "csrf_token": token}, follow_redirects=False)
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.text
    api = client.post("/api/session", headers={"X-CSRF-Token": token},
                      json={"username": "nho", "password": PASSWORD})
    assert api.status_code == 429


def test_personal_data_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    other_code = processed("khai-sinh-thieu-giay-chung-sinh", "khac.xa")  # agency B
    client, csrf = logged_in_client("khac.xa")
    view = client.get(f"/api/dossiers/{other_code}").json()
    client.get(f"/ho-so/{other_code}")
    client.get("/so-theo-doi")
    secrets = {f["value"] for d in view["documents"] for f in d["fields"]
               if f["field_id"].endswith(("ho_ten", "so_dinh_danh", "so_giay_to"))}
    assert secrets, "the sample should have names and identity numbers"
    name = next(s for s in secrets if not s.isdigit())
    client.post("/tim-kiem", data={"csrf_token": csrf, "q": name})
    client.post("/api/search", headers={"X-CSRF-Token": csrf}, json={"q": name})
    client.post(f"/ho-so/{other_code}/truong", data={
        "csrf_token": csrf, "position": "0", "field_id": view["documents"][0]["fields"][0]
        ["field_id"], "value": "Nguyễn Văn Bí Mật"})
    client.post(f"/ho-so/{other_code}/quyet-dinh", data={
        "csrf_token": csrf, "decision": "incomplete", "reason": "Thiếu giấy của Nguyễn Văn Bí Mật"})
    client.get(f"/ho-so/{other_code}/phieu.pdf")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "dossier" in logged  # logging was on
    for secret in secrets | {"Nguyễn Văn Bí Mật"}:
        assert secret not in logged, "personal data in the logs"
