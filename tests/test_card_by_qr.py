"""A card photo OCR could not read, whose QR code reads whole, is still the dossier's card."""

from __future__ import annotations

from datetime import date

import numpy as np

from models.catalog import load_catalog
from pipeline.dossier_check import check_dossier
from pipeline.results import PageResult
from tests.test_qr import PAYLOAD, qr_image

GARBLED = "“*. 46/0877\n¿ XIN\nQIA\n/ Giới tính / 5°” :\nđường NguYễn\nrong ấ 249."


def _page(index: int, text: str, image: np.ndarray | None) -> PageResult:
    return PageResult(index=index, source="ocr", text=text, confidence=0.5, rotation=0,
                      skew_degrees=0.0, dpi=300, blank=False, width=700, height=900,
                      words=[], lines=[], image=image)


def _photo(payload: str | None) -> np.ndarray:
    page = np.full((900, 700), 200, dtype=np.uint8)
    if payload is not None:
        code = qr_image(payload, scale=3)
        page[100:100 + code.shape[0], 350:350 + code.shape[1]] = code
    return page


def test_an_unreadable_page_with_a_card_qr_is_the_card_and_gives_its_fields() -> None:
    checked = check_dossier([_page(0, GARBLED, _photo(PAYLOAD))], load_catalog(), None,
                            date(2025, 9, 10))
    (doc,) = checked.documents
    assert doc.type_id == "cccd"
    assert doc.fields["so_dinh_danh"].value == "079090001234"
    assert doc.fields["ho_ten"].value == "Nguyễn Văn An"


def test_without_a_card_qr_the_page_stays_unknown() -> None:
    catalog = load_catalog()
    for image in (_photo(None), _photo("https://dichvucong.gov.vn/p/home"), None):
        checked = check_dossier([_page(0, GARBLED, image)], catalog, None, date(2025, 9, 10))
        assert [d.type_id for d in checked.documents] != ["cccd"]


def test_a_titled_page_is_not_retyped_by_a_qr_code_on_it() -> None:
    text = "TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên: Nguyễn Văn An"
    checked = check_dossier([_page(0, text, _photo(PAYLOAD))], load_catalog(), None,
                            date(2025, 9, 10))
    assert [d.type_id for d in checked.documents] == ["to_khai_khai_sinh"]
