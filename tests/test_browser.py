"""The desk in a real browser: Debian's Chromium, headless, driven by Playwright.

Log in, upload a sample, watch it finish, correct a field, accept and print
Mẫu 01; an incomplete dossier yields Mẫu 02 naming the missing paper; search
finds the dossier. Screenshots of each screen go to tests/artifacts/.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from webapp.testing import PASSWORD, SAMPLES, shared_app

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
USER = "trinh.duyet"  # its agency has no other test's dossiers: processing really runs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(shared_app().app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "web server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install -y chromium)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900},
                                  locale="vi-VN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def upload_and_wait(page: Page, sample: str, prefix: str) -> str:
    page.goto("/ho-so/moi")
    page.fill("#tim-thu-tuc", "khai sinh")
    expect(page.locator("#procedure")).to_have_value("1.001193")
    page.set_input_files("#upload", str(SAMPLES / sample / "ho-so.pdf"))
    expect(page.locator("#file-list li")).to_have_count(1)
    shot(page, f"{prefix}-1-ho-so-moi")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/tien-do$"))
    code = page.locator("#progress").get_attribute("data-code")
    assert code
    shot(page, f"{prefix}-2-dang-xu-ly")
    page.wait_for_url(re.compile(re.escape(code) + r"$"), timeout=240_000)
    expect(page.locator("#ma-ho-so")).to_have_text(code)
    page.wait_for_load_state("networkidle")
    shot(page, f"{prefix}-3-kiem-tra")
    return code


def test_desk_flow_in_chromium(page: Page) -> None:
    page.goto("/dang-nhap")
    shot(page, "0-dang-nhap")
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/ho-so/moi$"))

    # A complete dossier: correct a field, accept, print Mẫu 01.
    code = upload_and_wait(page, "khai-sinh-day-du", "1")
    expect(page.locator("#ket-luan")).to_contain_text("đủ thành phần")
    assert page.locator("svg.overlay rect").count() > 0
    field = page.locator("form.field.low").first
    if field.count() == 0:
        field = page.locator("form.field").first
    value = field.locator("input[name=value]").input_value()
    field.locator("input[name=value]").fill(value + " ")
    field.locator("button").click()
    page.wait_for_load_state("load")
    expect(page.locator("form.field .hint", has_text=f"Đã sửa bởi {USER}").first).to_be_visible()
    page.check("input[name=decision][value=accept]")
    page.click("#ghi-quyet-dinh")
    expect(page.locator("#da-quyet-dinh")).to_contain_text("Tiếp nhận hồ sơ")
    due = page.locator("#hen-tra").inner_text()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", due)
    shot(page, "1-4-da-tiep-nhan")
    receipt = page.context.request.get(page.locator("#in-phieu").get_attribute("href"))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    (ARTIFACTS / "mau-01.pdf").write_bytes(receipt.body())
    text = pdf_text(receipt.body())
    assert code in text and due in text and "Mẫu số 01" in text

    # An incomplete dossier: Mẫu 02 names the missing birth certificate.
    missing_code = upload_and_wait(page, "khai-sinh-thieu-giay-chung-sinh", "2")
    expect(page.locator("#thieu")).to_contain_text("Giấy chứng sinh")
    page.check("input[name=decision][value=incomplete]")
    page.click("#ghi-quyet-dinh")
    expect(page.locator("#da-quyet-dinh")).to_contain_text("bổ sung")
    shot(page, "2-4-yeu-cau-bo-sung")
    receipt = page.context.request.get(page.locator("#in-phieu").get_attribute("href"))
    (ARTIFACTS / "mau-02.pdf").write_bytes(receipt.body())
    text = pdf_text(receipt.body())
    assert missing_code in text and "Mẫu số 02" in text and "Giấy chứng sinh" in text

    # The register and the search.
    page.goto("/so-theo-doi")
    expect(page.locator("#so-theo-doi")).to_contain_text(code)
    expect(page.locator("#so-theo-doi")).to_contain_text(missing_code)
    shot(page, "3-so-theo-doi")
    page.goto("/tim-kiem")
    page.fill("#q", "vo bao huyen")
    page.click("form.search button")
    expect(page.locator("ol.hits")).to_contain_text(code)
    shot(page, "4-tim-kiem")
