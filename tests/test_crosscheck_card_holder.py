"""Khai tử: the requester shows their own card, so a card naming someone else is a mismatch
(issue #3: the bench's two missed khai tử mismatches). No Tesseract."""

from __future__ import annotations

from datetime import date

from models.catalog import load_catalog
from pipeline.crosscheck import cross_check
from pipeline.dossier_check import check_dossier
from pipeline.understand.fields import Field
from tests.test_fields import make_result


def _f(value: str, page: int = 0) -> Field:
    return Field(value, 0.95, page, None, "ocr", value, False)


def _to_khai(requester: str = "Hoàng Phương Quỳnh", deceased: str | None = None) -> tuple:
    fields = {"nguoi_yeu_cau_ho_ten": _f(requester)}
    if deceased:
        fields["ho_ten_nguoi_chet"] = _f(deceased)
    return ("to_khai_khai_tu", "Tờ khai đăng ký khai tử", fields)


def _card(name: str, page: int = 2, number: str = "031198777258") -> tuple:
    return ("cccd", "Thẻ căn cước", {"ho_ten": _f(name, page), "so_dinh_danh": _f(number, page)})


BAO_TU = ("giay_bao_tu", "Giấy báo tử", {})


def test_card_of_another_name_than_the_requester_is_a_mismatch() -> None:
    found = cross_check([_to_khai(), BAO_TU, _card("Hoàng Phương Nhung")])
    assert len(found) == 1
    assert "Hoàng Phương Quỳnh" in found[0].message and "Hoàng Phương Nhung" in found[0].message
    assert found[0].places == ((0, "nguoi_yeu_cau_ho_ten"), (2, "ho_ten"))


def test_requesters_own_card_agrees() -> None:
    assert cross_check([_to_khai(), BAO_TU, _card("HOÀNG PHƯƠNG QUỲNH")]) == []
    assert cross_check([_to_khai(), BAO_TU, _card("Hoang Phuong Quynh")]) == []


def test_no_link_when_the_card_may_be_someone_elses() -> None:
    # Someone authorised came instead of the requester.
    uy_quyen = ("giay_uy_quyen", "Văn bản ủy quyền", {"ben_uy_quyen_ho_ten": _f("Lê Văn An", 3)})
    assert cross_check([_to_khai(), BAO_TU, _card("Hoàng Phương Nhung"), uy_quyen]) == []
    # The card is the deceased's, named on the tờ khai.
    assert cross_check([_to_khai(deceased="Hoàng Văn Minh"), BAO_TU,
                        _card("Hoàng Văn Minh")]) == []
    # Two cards: whose is whose is not known.
    assert cross_check([_to_khai(), BAO_TU, _card("Hoàng Phương Nhung"),
                        _card("Trần Văn Bình", 3, "001090012345")]) == []


def test_other_forms_do_not_borrow_the_rule() -> None:
    # A birth registration's requester is linked to the card by the number, not by rule.
    to_khai = ("to_khai_khai_sinh", "Tờ khai khai sinh",
               {"nguoi_yeu_cau_ho_ten": _f("Đỗ Hữu Hiếu")})
    assert cross_check([to_khai, _card("Lý Diệu Nhung")]) == []


def test_check_dossier_reports_the_khai_tử_mismatch() -> None:
    to_khai = make_result([
        "TỜ KHAI ĐĂNG KÝ KHAI TỬ",
        "Kính gửi: Ủy ban nhân dân xã Hòa Vang, Thành phố Cần Thơ",
        "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thanh Hằng",
        "Nơi cư trú: Bản Nà Lầu, xã Nghĩa Đàn, tỉnh Quảng Ninh",
        "Làm tại: Thủy Xuân, ngày 25 tháng 09 năm 2025",
    ], index=0)
    bao_tu = make_result(["GIẤY BÁO TỬ", "Họ, chữ đệm, tên người chết: Nguyễn Văn Tám"], index=1)
    card = make_result([
        "CĂN CƯỚC",
        "IDENTITY CARD",
        "Số định danh cá nhân / Personal identification number:",
        "056181640444",
        "Họ, chữ đệm và tên khai sinh / Full name:",
        "NGUYỄN THANH HUYỀN",
        "Ngày, tháng, năm sinh / Date of birth: 01/10/1981",
        "Giới tính / Sex: Nữ Quốc tịch / Nationality: Việt Nam",
    ], index=2)
    out = check_dossier([to_khai, bao_tu, card], load_catalog(), "1.000656", date(2025, 9, 25))
    assert [d.type_id for d in out.documents] == ["to_khai_khai_tu", "giay_bao_tu", "cccd"]
    messages = [p.message for p in out.completeness.problems if p.kind == "thong_tin_khong_khop"]
    assert len(messages) == 1 and "Nguyễn Thanh Hằng" in messages[0]
    assert "Nguyễn Thanh Huyền" in messages[0]
