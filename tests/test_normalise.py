"""Normalisers: every form people write dates, names, numbers and amounts in."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.understand.normalise import (
    Normalised,
    find_date,
    fold,
    normalise_date,
    normalise_expiry,
    normalise_gender,
    normalise_id_number,
    normalise_money,
    normalise_name,
    normalise_nationality,
    normalise_place,
    normalise_text,
    words_to_number,
)


@pytest.mark.parametrize(("text", "iso"), [
    ("12/03/1990", "1990-03-12"),
    ("12-03-1990", "1990-03-12"),
    ("12.03.1990", "1990-03-12"),
    ("1990-03-12", "1990-03-12"),
    ("12031990", "1990-03-12"),
    ("ngày 05 tháng 01 năm 2024", "2024-01-05"),
    ("NGÀY 05 THÁNG 01 NĂM 2024", "2024-01-05"),
    ("ngay 05 thang 01 nam 2024", "2024-01-05"),
    ("05 tháng 1, 2024", "2024-01-05"),
    ("Ba Đình, ngày 05 tháng 11 năm 2025", "2025-11-05"),
    ("10 giờ 30 phút, ngày 05 tháng 03 năm 2024", "2024-03-05"),
    ("ngày mười hai tháng ba năm một nghìn chín trăm chín mươi", "1990-03-12"),
    ("ngày năm tháng năm năm hai nghìn không trăm linh năm", "2005-05-05"),
    ("ngày hai mươi mốt tháng mười hai năm hai nghìn", "2000-12-21"),
    ("ngày mười lăm tháng tư năm một chín tám tám", "1988-04-15"),
    ("ngày 15 tháng chạp năm 1999", "1999-12-15"),
])
def test_dates_in_every_form(text: str, iso: str) -> None:
    got = normalise_date(text)
    assert got is not None and got.value == iso
    assert not got.guessed


@pytest.mark.parametrize(("text", "iso"), [
    ("l2/O3/199O", "1990-03-12"),  # OCR letters for digits
    ("12/03/90", "1990-03-12"),  # two-digit year
])
def test_repaired_dates_are_marked_guessed(text: str, iso: str) -> None:
    got = normalise_date(text)
    assert got is not None and got.value == iso and got.guessed


@pytest.mark.parametrize("text", ["31/02/2020", "không rõ", "", "ngày tháng năm", "45/13/2020"])
def test_impossible_or_missing_dates(text: str) -> None:
    assert normalise_date(text) is None


def test_find_date_gives_offsets() -> None:
    text = "Làm tại Huế, ngày 05 tháng 11 năm 2025"
    m = find_date(text)
    assert m is not None and m.value == "2025-11-05"
    assert text[m.start:m.end].startswith("ngày 05")


@pytest.mark.parametrize(("words", "n"), [
    ("mot nghin chin tram chin muoi", 1990),
    ("hai nghin khong tram hai muoi tu", 2024),
    ("hai khong hai bon", 2024),
    ("muoi lam", 15),
    ("ba tram linh nam", 305),
    ("mot tram nam muoi", 150),
    ("hai muoi mot", 21),
])
def test_number_words(words: str, n: int) -> None:
    assert words_to_number(words.split()) == n


@pytest.mark.parametrize(("text", "value"), [
    ("Nam", "Nam"), ("NAM", "Nam"), ("Nữ", "Nữ"), ("NỮ", "Nữ"), ("Nu", "Nữ"),
    ("Nữ Dân tộc: Kinh", "Nữ"), ("Male", "Nam"), ("Female", "Nữ"),
])
def test_gender(text: str, value: str) -> None:
    got = normalise_gender(text)
    assert got is not None and got.value == value


@pytest.mark.parametrize("text", ["", "Không", "x7"])
def test_gender_unreadable(text: str) -> None:
    assert normalise_gender(text) is None


@pytest.mark.parametrize(("text", "digits", "guessed"), [
    ("079090001234", "079090001234", False),
    ("Căn cước số 079090001234", "079090001234", False),
    ("079 090 001 234", "079090001234", False),
    ("O79O9OOOl234", "079090001234", True),
    ("07909000I234.", "079090001234", True),
    ("CMND số 123456789", "123456789", False),
])
def test_identity_numbers(text: str, digits: str, guessed: bool) -> None:
    got = normalise_id_number(text)
    assert got is not None and got.value == digits and got.guessed is guessed


def test_identity_number_never_reads_so_as_digits() -> None:
    assert normalise_id_number("Căn cước số") is None


@pytest.mark.parametrize(("text", "name"), [
    ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
    ("  nguyễn   văn  an. ", "Nguyễn Văn An"),
    ("ĐẶNG THỊ THU HƯƠNG", "Đặng Thị Thu Hương"),
    ("Trần Thị Bích Ngọc", "Trần Thị Bích Ngọc"),
])
def test_names_in_natural_case(text: str, name: str) -> None:
    got = normalise_name(text)
    assert got is not None and got.value == name


def test_names_are_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    got = normalise_name(decomposed)
    assert got is not None and got.value == unicodedata.normalize("NFC", "Nguyễn Văn An")


@pytest.mark.parametrize("text", ["Ng0yen 12", "", "#@! ~~"])
def test_not_a_name(text: str) -> None:
    assert normalise_name(text) is None


def test_place_in_capitals_becomes_natural_case() -> None:
    got = normalise_place("SỐ 5, ĐƯỜNG LÊ LỢI, PHƯỜNG BẾN THÀNH, THÀNH PHỐ HỒ CHÍ MINH")
    assert got is not None
    assert got.value == "Số 5, đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh"


def test_place_as_written_is_kept() -> None:
    got = normalise_place("Thôn  Đông Hòa, xã Tân Phú,  tỉnh Nghệ An.")
    assert got is not None and got.value == "Thôn Đông Hòa, xã Tân Phú, tỉnh Nghệ An"


@pytest.mark.parametrize(("text", "vnd"), [
    ("500.000.000 đồng", "500000000"),
    ("500 triệu đồng", "500000000"),
    ("1,5 tỷ đồng", "1500000000"),
    ("150,000,000 VND", "150000000"),
    ("Một trăm năm mươi triệu đồng", "150000000"),
    ("20.000.000đ", "20000000"),
])
def test_money(text: str, vnd: str) -> None:
    got = normalise_money(text)
    assert got is not None and got.value == vnd


def test_text_loses_final_dot_only() -> None:
    got = normalise_text("Hiện tại chưa đăng ký kết hôn với ai.")
    assert got is not None and got.value == "Hiện tại chưa đăng ký kết hôn với ai"


def test_fold_keeps_length() -> None:
    for text in ("Họ, chữ đệm, tên người yêu cầu", "ĐẶNG THỊ", "Ủy ban"):
        assert len(fold(text)) == len(text)
    assert fold("Đặng Thị Ủy") == "dang thi uy"


@pytest.mark.parametrize(("text", "name"), [
    ("Đình Mỹ Nhung", "Đinh Mỹ Nhung"),  # OCR read the family name with a wrong mark
    ("Đỉnh.Khánh Ngân", "Đinh Khánh Ngân"),
    ("ĐỖ HỮU HOÀNG-TUẤN.", "Đỗ Hữu Hoàng Tuấn"),
])
def test_name_ocr_repairs_are_guessed(text: str, name: str) -> None:
    got = normalise_name(text)
    assert got == Normalised(name, guessed=True)


@pytest.mark.parametrize("text", ["Nguyễn Đình Trọng", "Chử Văn Lâm", "Chu Văn An",
                                  "Nguyen Van An"])
def test_names_left_alone(text: str) -> None:
    got = normalise_name(text)
    assert got is not None and got.value == text and not got.guessed


def test_place_repairs() -> None:
    assert normalise_place("Thôn Phú Lộc, phường Ba Đình, Thành phố, Hà Nội") == Normalised(
        "Thôn Phú Lộc, phường Ba Đình, Thành phố Hà Nội", guessed=True)
    assert normalise_place("Trung tâm Ÿ tế Thành phố Hải Phòng") == Normalised(
        "Trung tâm Y tế Thành phố Hải Phòng")
    assert normalise_place("A Lưới, Thành phố Huế") == Normalised("A Lưới, Thành phố Huế")


def test_nationality() -> None:
    assert normalise_nationality("Việt Nam") == Normalised("Việt Nam")
    assert normalise_nationality("Việt Nắm") == Normalised("Việt Nam", guessed=True)
    assert normalise_nationality("Lào") == Normalised("Lào")


@pytest.mark.parametrize(("text", "value"), [
    ("12/02/2039 °", "2039-02-12"), ("Không thời hạn", "Không thời hạn"),
    ("KHÔNG THỜI HẠN", "Không thời hạn"), ("Không có thời hạn", "Không thời hạn"),
])
def test_expiry(text: str, value: str) -> None:
    got = normalise_expiry(text)
    assert got is not None and got.value == value


def test_expiry_unreadable() -> None:
    assert normalise_expiry("Date c! e«xp") is None


def test_place_dot_between_words_but_not_abbreviations() -> None:
    assert normalise_place("xã Châu Thành, tỉnh Lâm.Đồng") == Normalised(
        "xã Châu Thành, tỉnh Lâm Đồng", guessed=True)
    assert normalise_place("Quận 1, TP.HCM") == Normalised("Quận 1, TP.HCM")
