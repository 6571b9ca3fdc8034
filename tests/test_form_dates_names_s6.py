"""Dates, names and labels on filled forms read from photocopies (held-out set, round 6).

No Tesseract: the lines are the OCR text the bench's photocopies really gave.
"""

from __future__ import annotations

import pytest

from pipeline.understand.fields import extract_fields
from pipeline.understand.normalise import find_date, normalise_name, normalise_place
from tests.test_fields import make_result

# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("raw", "want"), [
    ("Vĩnh Yên, ngày 06 tháng †1 năm 2025", "2025-11-06"),  # '1' of '11' read as a dagger
    ("ngày |5 tháng 02 năm 2024", "2024-02-15"),
    ("ngày 05 tháng l2 năm 2024", "2024-12-05"),
])
def test_a_one_read_as_an_upright_glyph_in_a_day_or_month(raw: str, want: str) -> None:
    got = find_date(raw)
    assert got is not None and (got.value, got.guessed) == (want, True)


def test_plain_dates_are_unchanged_and_not_guessed() -> None:
    for raw, want in (("ngày 06 tháng 11 năm 2025", "2025-11-06"),
                      ("ngày 5 tháng 1 năm 2024", "2024-01-05")):
        got = find_date(raw)
        assert got is not None and (got.value, got.guessed) == (want, False)


def test_a_glyph_the_words_reader_skipped_makes_its_date_a_guess() -> None:
    # '†3' cannot be 13: the glyph is a speck, the month 3, but only as a guess.
    got = find_date("ngày 06 tháng †3 năm 2025")
    assert got is not None and got.guessed


def test_a_wrapped_year_with_a_fifth_digit_is_not_cut_to_four() -> None:
    # 'năm' ends the line and the next reads '20235': not 2023, an unreadable year.
    lines = ["PHIẾU THU NHẬN THÔNG TIN CĂN CƯỚC", "Họ, chữ đệm và tên: Đặng Tuấn Nghĩa",
             "Làm tại Yên Thế, ngày 05 tháng 09 năm", "20235", "Người yêu cầu"]
    got = extract_fields("phieu_thu_nhan_thong_tin_can_cuoc", [make_result(lines)])
    assert "ngay_lam_don" not in got or got["ngay_lam_don"].value != "2023-09-05"
    lines[3] = "2025"
    got = extract_fields("phieu_thu_nhan_thong_tin_can_cuoc", [make_result(lines)])
    assert got["ngay_lam_don"].value == "2025-09-05"


def test_a_repaired_signing_date_is_kept_for_review() -> None:
    lines = ["ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG", "Tên chủ đầu tư: Hoàng Mỹ Trang",
             "Làm tại: Vĩnh Yên, ngày 06 tháng †1 năm 2025", "Người yêu cầu"]
    got = extract_fields("don_de_nghi_cap_giay_phep_xay_dung", [make_result(lines)])
    assert got["ngay_lam_don"].value == "2025-11-06"
    assert got["ngay_lam_don"].needs_review


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(("raw", "want"), [
    ("Đặng Tuấn Thành. Nghĩa", "Đặng Tuấn Thành Nghĩa"),
    ("Lê. Văn An", "Lê Văn An"),
    ("Lê Quốc Đức: Trường", "Lê Quốc Đức Trường"),
    ("LÊ QUỐC: ĐỨC", "Lê Quốc Đức"),
])
def test_a_speck_after_a_syllable_inside_a_name(raw: str, want: str) -> None:
    got = normalise_name(raw)
    assert got is not None and (got.value, got.guessed) == (want, True)


@pytest.mark.parametrize("raw", [
    "Nguyễn Th. Lan",  # an abbreviation, not a speck: not a full name
    "Nguyễn Văn An Giớ tnh: Nam",  # a colon ending a misread label: not one name
])
def test_dots_and_colons_that_are_not_specks_leave_the_name_unread(raw: str) -> None:
    assert normalise_name(raw) is None


def test_a_name_with_a_speck_goes_to_review() -> None:
    lines = ["PHIẾU THU NHẬN THÔNG TIN CĂN CƯỚC",
             "Họ, chữ đệm, tên: Đặng Tuấn Thành. Nghĩa",
             "Ngày, tháng, năm sinh: 19/11/1972"]
    got = extract_fields("phieu_thu_nhan_thong_tin_can_cuoc", [make_result(lines)])
    assert got["ho_ten"].value == "Đặng Tuấn Thành Nghĩa"
    assert got["ho_ten"].needs_review
    clean = extract_fields("phieu_thu_nhan_thong_tin_can_cuoc", [make_result(
        ["Họ, chữ đệm, tên: Đặng Tuấn Thành Nghĩa"])])
    assert not clean["ho_ten"].needs_review


# ---------------------------------------------------------------- labels


def test_a_labels_last_short_word_misread_before_its_colon() -> None:
    lines = ["GIẤY CHỨNG SINH", "Họ và tên mẹ: Huỳnh Diệu Bảo Yến",
             "Dự.kiến đặt tên con ià: Hoàng Phương Ngọc Ngân", "Người đỡ đẻ: Phan Thị Hạnh"]
    got = extract_fields("giay_chung_sinh", [make_result(lines)])
    assert got["ten_du_kien"].value == "Hoàng Phương Ngọc Ngân"


def test_a_value_after_a_plain_label_keeps_its_short_first_word() -> None:
    lines = ["GIẤY CHỨNG SINH", "Dự kiến đặt tên con là: Hoàng An",
             "Tại: Bệnh viện Đa khoa tỉnh Quảng Ninh"]
    got = extract_fields("giay_chung_sinh", [make_result(lines)])
    assert got["ten_du_kien"].value == "Hoàng An"
    assert got["noi_sinh"].value == "Bệnh viện Đa khoa tỉnh Quảng Ninh"


def test_a_colon_read_inside_a_long_label() -> None:
    lines = ["TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
             "Tình trạng hôn nhân: Hiện tại chưa đăng ký kết hôn với ai",
             "Mục đích sử dụng Giấy: xác nhận tình trạng hôn nhân: Để bổ sung",
             "hồ sơ vay vốn ngân hàng."]
    got = extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)])
    assert got["muc_dich_su_dung"].value == "Để bổ sung hồ sơ vay vốn ngân hàng"
    assert got["tinh_trang_hon_nhan"].value == "Hiện tại chưa đăng ký kết hôn với ai"


def test_a_longer_label_misread_wins_over_its_exact_start() -> None:
    lines = ["TỜ KHAI ĐĂNG KÝ KHAI SINH", "Họ, chữ đệm, tên: Đặng Quốc Hùng",
             "Ngày, tháng, năm sinh: 12/10/2025",
             "Họ, chữ đệm, tên người rae: Mai Thanh Nhung",
             "Năm sinh: 1991 Dân tộc: Thái Quốc tịch: Việt Nam",
             "Họ, chữ đệm, tên người chả: Đặng Công Hùng"]
    got = extract_fields("to_khai_khai_sinh", [make_result(lines)])
    assert got["ho_ten"].value == "Đặng Quốc Hùng"
    assert got["me_ho_ten"].value == "Mai Thanh Nhung"
    assert got["cha_ho_ten"].value == "Đặng Công Hùng"


# ---------------------------------------------------------------- addresses


@pytest.mark.parametrize(("raw", "want"), [
    ("Số 79. ngõ 154, đường Nguyễn Trãi, phường Đống Đa, tỉnh Khánh Hòa",
     "Số 79, ngõ 154, đường Nguyễn Trãi, phường Đống Đa, tỉnh Khánh Hòa"),
    ("Số 216, đường Điện Biên Phủ, xã Đông. Hưng, tỉnh Thanh Hóa",
     "Số 216, đường Điện Biên Phủ, xã Đông Hưng, tỉnh Thanh Hóa"),
    ("xã Tân Phú, Thành phố Đà. Nẵng", "xã Tân Phú, Thành phố Đà Nẵng"),
    ("phường Hải Châu, tỉnh. Khánh Hòa", "phường Hải Châu, tỉnh Khánh Hòa"),
])
def test_a_dot_inside_an_address(raw: str, want: str) -> None:
    got = normalise_place(raw)
    assert got is not None and (got.value, got.guessed) == (want, True)


@pytest.mark.parametrize("raw", ["Tp. Hồ Chí Minh", "P. Bến Thành, Tp. Hồ Chí Minh",
                                 "Số 5.2 đường Lê Lợi"])
def test_abbreviations_keep_their_dot(raw: str) -> None:
    got = normalise_place(raw)
    assert got is not None and got.value == raw


# ---------------------------------------------------------------- free text


def test_a_trade_wrapped_inside_its_brackets_keeps_its_end() -> None:
    lines = ["GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
             "1. Tên hộ kinh doanh: HỘ KINH DOANH TẠP HÓA KHOA",
             "3. Ngành, nghề kinh doanh: May trang phục (trừ trang phục từ da lông",
             "thú)",
             "4. Vốn kinh doanh: 160.000.000 đồng"]
    got = extract_fields("giay_de_nghi_ho_kinh_doanh", [make_result(lines)])
    assert got["nganh_nghe"].value == "May trang phục (trừ trang phục từ da lông thú)"


def test_a_bracket_closed_on_its_line_takes_no_speck_below() -> None:
    lines = ["GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
             "3. Ngành, nghề kinh doanh: May trang phục (trừ trang phục từ da lông thú)",
             "x)",
             "4. Vốn kinh doanh: 160.000.000 đồng"]
    got = extract_fields("giay_de_nghi_ho_kinh_doanh", [make_result(lines)])
    assert got["nganh_nghe"].value == "May trang phục (trừ trang phục từ da lông thú)"
