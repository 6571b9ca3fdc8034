"""OCR slips seen on generated photocopies and phone photos (issue #3), and the cross-document
checks of the newer types. No Tesseract: the text is what the bench's OCR produced."""

from __future__ import annotations

import pytest

from pipeline.classify import classify_page, title_patterns
from pipeline.crosscheck import cross_check
from pipeline.understand.fields import Field, extract_fields
from pipeline.understand.normalise import (
    normalise_gender,
    normalise_name,
    normalise_nationality,
    normalise_place,
)
from tests.test_fields import make_result


@pytest.mark.parametrize(("raw", "want"), [
    ("Thôn Phú Lộc, phường Đống Đa, tỉnh Lârh Đồng", "Thôn Phú Lộc, phường Đống Đa, tỉnh Lâm Đồng"),
    ("Thôn Thượng Đồng, xã Yêh Thế", "Thôn Thượng Đồng, xã Yên Thế"),
    ("phường Thủy Xuân, tỉnh ĐắkLắk", "phường Thủy Xuân, tỉnh Đắk Lắk"),
    ("Xóm Trại; xã Hòa Vang", "Xóm Trại, xã Hòa Vang"),
    ("xã Đông: Hưng, tỉnh Thanh Hóa", "xã Đông Hưng, tỉnh Thanh Hóa"),
    ('phường Hải Châu, "Thành phố Hà Nội', "phường Hải Châu, Thành phố Hà Nội"),
])
def test_place_repairs(raw: str, want: str) -> None:
    got = normalise_place(raw)
    assert got is not None and got.value == want and got.guessed


@pytest.mark.parametrize("plain", ["phường Bách Khoa", "Thành phố Hồ Chí Minh", "xã Ea H'leo",
                                   "Bản Nà Lầu, xã Đông Hưng", "Số 5, đường Lê Lợi"])
def test_real_places_are_left_alone(plain: str) -> None:
    got = normalise_place(plain)
    assert got is not None and got.value == plain and not got.guessed


def test_nationality_and_gender_specks() -> None:
    assert normalise_nationality("Việt Nam F").value == "Việt Nam"  # type: ignore[union-attr]
    assert normalise_nationality("Việt Natn").value == "Việt Nam"  # type: ignore[union-attr]
    assert normalise_nationality("Việt Nam Hàn").value != "Việt Nam"  # type: ignore[union-attr]
    assert normalise_gender("Nữ_").value == "Nữ"  # type: ignore[union-attr]


def test_name_speck_beside_capitals_is_dropped() -> None:
    got = normalise_name("Va VÕ QUỐC SƠN")
    assert got is not None and got.value == "Võ Quốc Sơn" and got.guessed
    assert normalise_name("Lê Văn An").value == "Lê Văn An"  # type: ignore[union-attr]


def test_card_labels_read_through_ocr_noise() -> None:
    lines = ["@9 ng SA c9 Quê quán / Place of origin:", "6111| phường Đống Đa, Thành phố Huế",
             "Nơi thường trú / Place of residence: Số 69, đường Điện Biên",
             "Giới tính / Sex: Nam Quốc tịch / Nationality. Việt Nam",
             "Quê quán / Place of origìn7 :", "xã Châu Thành, tỉnh Lâm Đồng"]
    got = extract_fields("cccd", [make_result(lines)])
    assert got["que_quan"].value == "phường Đống Đa, Thành phố Huế"
    assert got["quoc_tich"].value == "Việt Nam"
    second = extract_fields("cccd", [make_result(lines[4:])])
    assert second["que_quan"].value == "xã Châu Thành, tỉnh Lâm Đồng"


def test_speck_beside_a_card_label_and_garbage_continuation() -> None:
    lines = ["Quê quán / Place of origin: TS", "xã Châu Thành, Thành phố Cần Thơ",
             "(694996404 %#%Z. phủ, xã Tân Phú"]
    got = extract_fields("cccd", [make_result(lines)])
    assert got["que_quan"].value == "xã Châu Thành, Thành phố Cần Thơ"


def test_low_confidence_strict_date_is_proposed_for_review() -> None:
    page = make_result(["Ngày, tháng, năm sinh: 15/11/1990"], word_confidence={"15/11/1990": 0.25})
    got = extract_fields("de_nghi_khai_bao_tam_vang", [page])["ngay_sinh"]
    assert got.value == "1990-11-15" and got.needs_review


def test_card_title_below_many_speck_lines() -> None:
    text = "\n".join(["+", "- -", "“ANẲ«", "+ +", "°", "..", "-", "+", "ˆ +", ". +", "+ s *",
                      "+ c", "-", "+", "Độc lập - Tự do - Hạnh phúc", "vất CĂN CƯỚC .",
                      ": __IDENTITY CARD"])
    patterns = title_patterns([("cccd", ["CĂN CƯỚC", "IDENTITY CARD"]),
                               ("to_khai_khai_tu", ["TỜ KHAI ĐĂNG KÝ KHAI TỬ"])])
    assert classify_page(text, patterns).type_id == "cccd"


def _f(value: str, page: int = 0) -> Field:
    return Field(value, 0.95, page, None, "ocr", value, False)


@pytest.mark.parametrize(("type_id", "name", "number"), [
    ("to_khai_thay_doi_thong_tin_cu_tru", "ho_ten", "so_dinh_danh"),
    ("phieu_thu_nhan_thong_tin_can_cuoc", "ho_ten", "so_dinh_danh"),
    ("don_de_nghi_cap_giay_phep_xay_dung", "chu_dau_tu_ho_ten", "chu_dau_tu_so_giay_to"),
    ("don_dang_ky_dat_dai", "nguoi_su_dung_dat_ho_ten", "nguoi_su_dung_dat_so_giay_to"),
    ("to_khai_cap_ban_sao_trich_luc", "nguoi_yeu_cau_ho_ten", "nguoi_yeu_cau_so_giay_to"),
])
def test_newer_forms_are_checked_against_the_card(type_id: str, name: str, number: str) -> None:
    card = ("cccd", "Căn cước", {"ho_ten": _f("Võ Quốc Sơn"), "so_dinh_danh": _f("079090001234")})
    same = (type_id, "Đơn", {name: _f("Võ Quốc Sơn", 1), number: _f("079090001234", 1)})
    assert cross_check([card, same]) == []
    other = (type_id, "Đơn", {name: _f("Võ Quốc Sơn", 1), number: _f("079090001243", 1)})
    found = cross_check([card, other])
    assert len(found) == 1 and "079090001243" in found[0].message


def test_deceased_on_tờ_khai_and_giấy_báo_tử() -> None:
    to_khai = ("to_khai_khai_tu", "Tờ khai", {"nguoi_yeu_cau_ho_ten": _f("Lê Văn Bình"),
                                             "ho_ten_nguoi_chet": _f("Lê Văn Cường")})
    bao_tu = ("giay_bao_tu", "Giấy báo tử", {"ho_ten_nguoi_chet": _f("Lê Văn Cưởng", 1)})
    assert cross_check([to_khai, bao_tu]) == []  # tone marks alone are OCR's, not a mix-up
    bao_tu = ("giay_bao_tu", "Giấy báo tử", {"ho_ten_nguoi_chet": _f("Lê Văn Cao", 1)})
    found = cross_check([to_khai, bao_tu])
    assert len(found) == 1 and "Lê Văn Cao" in found[0].message


def test_permit_investor_is_the_certificates_land_user() -> None:
    don = ("don_de_nghi_cap_giay_phep_xay_dung", "Đơn",
           {"chu_dau_tu_ho_ten": _f("Hoàng Phương Loan")})
    gcn = ("giay_chung_nhan_quyen_su_dung_dat", "GCN",
           {"nguoi_su_dung_dat_ho_ten": _f("Hoàng Phương Nhung", 1)})
    found = cross_check([don, gcn])
    assert len(found) == 1 and "Hoàng Phương Nhung" in found[0].message
