"""Search hits link to the page image and the document PDF, behind the agency wall.

One real processed sample (real OCR, shared with the other web app tests in
the same process through webapp.testing): the links of a hit must serve the
very objects the hit names, to its own agency only.
"""

from __future__ import annotations

import pytest

from webapp.testing import logged_in_client, processed, shared_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hits() -> list[dict]:
    code = processed("khai-sinh-day-du")
    client, csrf = logged_in_client("le.tiep")
    found = client.post("/api/search", headers={"X-CSRF-Token": csrf},
                        json={"q": "vo bao huyen"}).json()["hits"]
    assert found and all(h["dossier_code"] == code for h in found)
    return found


def test_hit_links_serve_the_named_objects(hits: list[dict]) -> None:
    store = shared_app().app.state.hoso.store
    client, _ = logged_in_client("le.tiep")
    with_image = [h for h in hits if h["page_image_url"]]
    with_pdf = [h for h in hits if h["pdf_url"]]
    assert with_image and with_pdf
    for hit in with_image:
        assert hit["page_image_url"] == f"/ho-so/{hit['dossier_code']}/trang/{hit['page']}"
        response = client.get(hit["page_image_url"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/")
        assert response.content == store.get_bytes(hit["page_image_key"])
    for hit in with_pdf:
        assert hit["pdf_url"].endswith(f"/giay-to/{hit['document']}.pdf")
        response = client.get(hit["pdf_url"])
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert response.content == store.get_bytes(hit["pdf_key"])
    assert client.get(f"/ho-so/{hits[0]['dossier_code']}/giay-to/99.pdf").status_code == 404


def test_hit_links_are_404_for_another_agency(hits: list[dict]) -> None:
    other, _ = logged_in_client("khac.xa")
    for hit in hits:
        for url in (hit["page_image_url"], hit["pdf_url"]):
            if url:
                response = other.get(url)
                assert response.status_code == 404, url
                assert hit["dossier_code"] not in response.text


def test_search_page_shows_the_links(hits: list[dict]) -> None:
    client, csrf = logged_in_client("le.tiep")
    html = client.post("/tim-kiem", data={"csrf_token": csrf, "q": "vo bao huyen"}).text
    for hit in hits:
        for url in (hit["page_image_url"], hit["pdf_url"]):
            if url:
                assert f'href="{url}"' in html
    assert "Mở bản PDF của giấy tờ" in html
