"""The desk's pages and API on one processed sample dossier: review, correct, decide, print."""

from __future__ import annotations

import io
from datetime import timedelta

import pdfplumber
import pytest
from sqlalchemy import select, update

from models.records import AuditEntry, Dossier, FieldValue, utcnow
from webapp.testing import SAMPLES, logged_in_client, processed, shared_app
from workdays import due_date

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def code() -> str:
    return processed("khai-sinh-day-du")


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_logged_out_pages_redirect_and_api_says_401() -> None:
    from fastapi.testclient import TestClient

    client = TestClient(shared_app().app)
    response = client.get("/ho-so/moi", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/dang-nhap"
    assert client.get("/api/dossiers").status_code == 401
    assert "Đăng nhập" in client.get("/dang-nhap").text


def test_procedure_search_by_code_and_by_name_without_diacritics() -> None:
    client, _ = logged_in_client("le.tiep")
    by_code = client.get("/api/procedures", params={"q": "1.001193"}).json()
    by_name = client.get("/api/procedures", params={"q": "dang ky khai sinh"}).json()
    assert [p["code"] for p in by_code] == ["1.001193"]
    assert "1.001193" in [p["code"] for p in by_name]
    page = client.get("/ho-so/moi").text
    assert 'id="drop"' in page and "multiple" in page and "1.001193" in page


def test_review_shows_page_images_field_boxes_and_verdict(code: str) -> None:
    client, _ = logged_in_client("le.tiep")
    view = client.get(f"/api/dossiers/{code}").json()
    assert view["status"] == "done" and view["procedure"] == "1.001193"
    assert view["completeness"]["complete"] is True
    fields = [f for d in view["documents"] for f in d["fields"]]
    assert fields and all({"value", "confidence", "page", "bbox"} <= set(f) for f in fields)
    html = client.get(f"/ho-so/{code}").text
    assert "<svg" in html and "<rect" in html and "Hồ sơ đủ thành phần" in html
    if any(f["needs_review"] for f in fields):
        assert 'class="low"' in html and "cần kiểm tra" in html
    image = client.get(f"/ho-so/{code}/trang/0")
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
    api_image = client.get(f"/api/dossiers/{code}/pages/0/image")
    assert api_image.content == image.content


def test_field_correction_records_who_and_when(code: str) -> None:
    client, csrf = logged_in_client("le.tiep")
    response = client.post(f"/ho-so/{code}/truong", data={
        "csrf_token": csrf, "position": "0", "field_id": "ten_du_kien",
        "value": "Huỳnh  Thị Yến"}, follow_redirects=False)
    assert response.status_code == 303
    state = shared_app().app.state.hoso
    with state.sessions() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
        row = session.scalars(select(FieldValue).where(
            FieldValue.field_id == "ten_du_kien",
            FieldValue.document_id.in_([d.id for d in dossier.documents]))).one()
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.dossier_id == dossier.id, AuditEntry.action == "field.corrected")).all()
    assert row.value == "Huỳnh Thị Yến" and row.source == "manual"
    assert row.corrected_by == "le.tiep" and row.corrected_at is not None
    assert audit and audit[-1].actor == "le.tiep" and audit[-1].details["field"] == "ten_du_kien"
    assert dossier.result["documents"][0]["fields"]["ten_du_kien"]["value"] == "Huỳnh Thị Yến"
    assert "Đã sửa bởi le.tiep" in client.get(f"/ho-so/{code}").text


def test_same_files_again_give_the_same_dossier_at_once(code: str) -> None:
    client, csrf = logged_in_client("le.tiep")
    with (SAMPLES / "khai-sinh-day-du" / "ho-so.pdf").open("rb") as handle:
        response = client.post("/api/dossiers", headers={"X-CSRF-Token": csrf},
                               files=[("files", ("scan.pdf", handle, "application/pdf"))],
                               data={"procedure": "1.001193"})
    assert response.status_code == 202 and response.json()["dossier_code"] == code
    assert client.get(f"/api/dossiers/{code}/progress").json()["state"] == "done"


def test_accept_print_register_then_supervisor_refuses(code: str) -> None:
    client, csrf = logged_in_client("le.tiep")
    decided = client.post(f"/api/dossiers/{code}/decision", headers={"X-CSRF-Token": csrf},
                          json={"decision": "accept"})
    assert decided.status_code == 200, decided.text
    state = shared_app().app.state.hoso
    with state.sessions() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
    version = state.catalog.procedure("1.001193").current
    expected = due_date(dossier.received_at, version.processing_time, state.calendar)
    assert dossier.status == "accepted" and dossier.due_at == expected.at

    receipt = client.get(f"/ho-so/{code}/phieu.pdf")
    assert receipt.headers["content-type"] == "application/pdf"
    text = pdf_text(receipt.content)
    assert code in text and "Mẫu số 01" in text and "GIẤY TIẾP NHẬN HỒ SƠ" in text
    assert f"{expected.at:%d/%m/%Y}" in text
    assert client.get(f"/api/dossiers/{code}/receipt.pdf").content[:5] == b"%PDF-"

    # A reception clerk cannot change a decision; the register shows it, overdue once late.
    again = client.post(f"/api/dossiers/{code}/decision", headers={"X-CSRF-Token": csrf},
                        json={"decision": "refuse", "reason": "x"})
    assert again.status_code == 409
    with state.sessions() as session:
        session.execute(update(Dossier).where(Dossier.code == code).values(
            due_at=utcnow() - timedelta(days=2)))
        session.commit()
    rows = client.get("/api/dossiers").json()
    assert [r["overdue"] for r in rows if r["dossier_code"] == code] == [True]
    assert "Quá hạn" in client.get("/so-theo-doi").text

    boss, boss_csrf = logged_in_client("giam.sat")
    reason = "Hồ sơ thuộc thẩm quyền cơ quan khác"
    refused = boss.post(f"/ho-so/{code}/quyet-dinh", data={
        "csrf_token": boss_csrf, "decision": "refuse", "reason": reason},
        follow_redirects=False)
    assert refused.status_code == 303
    text = pdf_text(boss.get(f"/ho-so/{code}/phieu.pdf").content)
    assert "Mẫu số 03" in text and code in text and "thẩm quyền" in text


def test_search_finds_the_dossier_by_name_without_diacritics(code: str) -> None:
    client, csrf = logged_in_client("le.tiep")
    page = client.post("/tim-kiem", data={"csrf_token": csrf, "q": "vo bao huyen"})
    assert page.status_code == 200 and code in page.text
    api = client.post("/api/search", headers={"X-CSRF-Token": csrf}, json={"q": "Võ Bảo Huyền"})
    assert code in [h["dossier_code"] for h in api.json()["hits"]]
    hits = api.json()["hits"]
    kind = next(h["document_type"] for h in hits if h["dossier_code"] == code)
    browse = client.post("/api/search", headers={"X-CSRF-Token": csrf},
                         json={"document_type": kind}).json()["hits"]
    assert browse and {h["document_type"] for h in browse} == {kind}
    assert code in [h["dossier_code"] for h in browse]
    none = client.post("/api/search", headers={"X-CSRF-Token": csrf},
                       json={"document_type": "khong_co_loai_nay"}).json()["hits"]
    assert none == []
    empty = client.post("/api/search", headers={"X-CSRF-Token": csrf}, json={"q": "  "})
    assert empty.status_code == 422


def test_openapi_lists_the_api() -> None:
    client, _ = logged_in_client("le.tiep")
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/dossiers", "/api/dossiers/{code}", "/api/dossiers/{code}/decision",
                 "/api/dossiers/{code}/receipt.pdf", "/api/search", "/api/session"):
        assert path in paths
