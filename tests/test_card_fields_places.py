"""Card fields on photocopies and photos (issue #3): quê quán behind smudge 'words', unit
words OCR misspelt, a residence going on past the photo's OCR, the name, sex and
nationality beside garbled labels. No Tesseract: the lines are what the bench's OCR
produced on generated cards."""

from __future__ import annotations

import pytest

from pipeline.understand.card_nationality import nationality_after_label
from pipeline.understand.card_place import cut_after_province, origin_start, repair_unit_marks
from pipeline.understand.fields import extract_fields
from pipeline.understand.normalise import normalise_place
from tests.test_fields import make_result

_HEAD = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CĂN CƯỚC CÔNG DÂN",
    "Số / No.: 001303582176",
    "Họ và tên / Full name:",
    "PHẠM THANH LAN",
    "Ngày sinh / Date of birth: 18/07/2003",
    "Giới tính / Sex: Nữ Quốc tịch / Nationality: Việt Nam",
]


def _card(*lines: str) -> dict[str, tuple[str, bool]]:
    got = extract_fields("cccd", [make_result([*_HEAD, *lines])])
    return {name: (f.value, f.needs_review) for name, f in got.items()}


@pytest.mark.parametrize(("line", "want"), [
    ("là ghường Thủy Xuân, tỉnh Đắk Lắk", "phường Thủy Xuân, tỉnh Đắk Lắk"),
    ("lấy: xã Hòa Vang, tỉnh Khánh Hòa.", "xã Hòa Vang, tỉnh Khánh Hòa"),
    ("L M1 À. phường Đống Đa, Thành phố Huế", "phường Đống Đa, Thành phố Huế"),
    ("LÁ LẦN. xã Đông Hưng, Thành phố Đà Nẵng", "xã Đông Hưng, Thành phố Đà Nẵng"),
    ("xã Long Điền, tỉnh Đắk Lắk ' - sa", "xã Long Điền, tỉnh Đắk Lắk"),
    ("xá Long Điện, Thành phỏ Cần Thơ", "xã Long Điền, Thành phố Cần Thơ"),
])
def test_origin_from_its_unit_word_to_its_province(line: str, want: str) -> None:
    fields = _card("Quê quán / Place of origin:", line,
                   "Nơi thường trú / Place of residence: Thôn Đông Hòa, xã Yên Thế, tỉnh Bắc Ninh")
    assert fields["que_quan"][0] == want


def test_a_repaired_origin_is_trusted_less() -> None:
    def origin(line: str) -> tuple[str, float]:
        lines = [*_HEAD, "Quê quán / Place of origin:", line]
        got = extract_fields("cccd", [make_result(lines)])["que_quan"]
        return got.value, got.confidence

    repaired, clean = origin("xá Long Điện, Thành phỏ Cần Thơ"), origin(
        "xã Long Điền, Thành phố Cần Thơ")
    assert repaired[0] == clean[0] and repaired[1] < clean[1]


def test_a_real_address_start_is_no_speck() -> None:
    # 'Khu phố 3,' and 'Ấp Bình Thạnh' start real addresses: nothing is cut before 'xã'.
    assert origin_start("Khu phố 3, xã Long Điền, tỉnh Đắk Lắk") is None
    assert origin_start("Ấp Bình Thạnh xã Nghĩa Đàn, tỉnh Quảng Ninh") is None
    assert origin_start("xã Long Điền, tỉnh Đắk Lắk") is None
    assert origin_start("lấy xã Hòa Vang") is None  # no list of units: not a quê quán


def test_only_specks_are_cut_after_the_province() -> None:
    assert cut_after_province("xã Long Điền, tỉnh Đắk Lắk ' - sa") == len(
        "xã Long Điền, tỉnh Đắk Lắk")
    assert cut_after_province("xã Long Điền, tỉnh Đắk Lắk") is None
    assert cut_after_province("phường Bến Thành, Thành phố Hồ Chí Minh") is None
    assert cut_after_province("xã Long, Thành phố Hồ Chí Minh Quận") is None


def test_unit_marks_repaired_only_in_small_letters_before_a_name() -> None:
    assert repair_unit_marks("ghường Thủy Xuân, tỉnh Đắk Lắk") == "phường Thủy Xuân, tỉnh Đắk Lắk"
    assert repair_unit_marks("Số 5, phuòng Bến Thành") == "Số 5, phường Bến Thành"
    assert repair_unit_marks("xã Phương Mai, tỉnh Tuyên Quang") == (
        "xã Phương Mai, tỉnh Tuyên Quang")
    assert repair_unit_marks("xá nhỏ, Thành phỏ") == "xá nhỏ, Thành phỏ"  # no name follows


def test_place_specks_and_capital_unit_words() -> None:
    got = normalise_place("SỐ 121, ngõ 185,đường Điện .. Biên Phủ, phường Xuân Hương")
    assert got is not None and got.guessed
    assert got.value == "Số 121, ngõ 185, đường Điện Biên Phủ, phường Xuân Hương"


def test_residence_goes_on_past_the_photos_ocr_when_that_completes_it() -> None:
    fields = _card(
        "Quê quán / Place of origin:", "xã Yên Thế, Thành phố Huế",
        "s2) Nơi thường trú / Place of residence: Số 71, ngõ 65,đường -",
        "sms .s9e4esz.- Điện Biên Phủ, phường Cẩm Phả, tỉnh Đồng Tháp",
        "21/02/2031")
    assert fields["noi_thuong_tru"] == (
        "Số 71, ngõ 65, đường Điện Biên Phủ, phường Cẩm Phả, tỉnh Đồng Tháp", True)
    fields = _card(
        "Nơi thường trú / Place of residence: SỐ 47, đường Điện Biên",
        "2>ee°5694s%#° phủ, phường Hải Châu, tỉnh Lâm Đồng")
    assert fields["noi_thuong_tru"][0] == (
        "Số 47, đường Điện Biên Phủ, phường Hải Châu, tỉnh Lâm Đồng")


def test_residence_stays_short_when_the_rest_does_not_end_it() -> None:
    value, _ = _card(
        "Nơi thường trú / Place of residence: Số 71, ngõ 65, đường",
        "sms .s9e4esz.- Điện Biên Phủ, phường Cẩm")["noi_thuong_tru"]
    assert value == "Số 71, ngõ 65, đường"


def test_origin_further_down_but_never_a_line_another_field_holds() -> None:
    fields = _card("Quê quán / Place of origin:", "Có giá trị đến / Date of expiry",
                   "27/03/2033", "XL", "CĂN CƯỚC CÔNG DÂN", "Ngày cấp: 22/06/2024",
                   "xã Nghĩa Đàn, Thành phố Hải Phòng",
                   "Nơi thường trú / Place of residence: Ấp Bình Thạnh, xã Yên Thế, tỉnh Bắc Ninh")
    assert fields["que_quan"][0] == "xã Nghĩa Đàn, Thành phố Hải Phòng"
    lines = [*_HEAD[:3], "Nơi thường trú / Place of residence: Thôn Thượng Đồng,",
             "xã Phước Hòa, tỉnh Đồng Tháp", "Quê quán / Place of origin:", "- -", "* *",
             "xã Phước Hòa, tỉnh Đồng Tháp"]
    got = extract_fields("cccd", [make_result(lines)])
    assert got["noi_thuong_tru"].value == "Thôn Thượng Đồng, xã Phước Hòa, tỉnh Đồng Tháp"


def test_name_below_a_small_letter_speck_beside_its_label() -> None:
    lines = [*_HEAD[:3], "Họ và tên / Full name: va i", "LÊ NGỌC NGUYỆT :", *_HEAD[5:]]
    assert extract_fields("cccd", [make_result(lines)])["ho_ten"].value == "Lê Ngọc Nguyệt"


@pytest.mark.parametrize("line", ["<. | Giới tính / Sex: NỮ ˆ Quốc tịch / Nationality: Việt Nam",
                                  "Ì Giới tinh /Sex Nữ Quốc tịch/Natonasty Việt Nam"])
def test_sex_beside_a_speck_or_a_label_without_its_colon(line: str) -> None:
    lines = [*_HEAD[:6], line]
    assert extract_fields("cccd", [make_result(lines)])["gioi_tinh"].value == "Nữ"


def test_nationality_behind_a_half_read_label() -> None:
    for text in ("Giới tính /Sex: Nam Quốc th ¿ Nabonalty: Việt Nam",
                 "(Í Giới tính/Sex Nam Quốc tch/ NaUonatty Việt Nam"):
        span = nationality_after_label(text)
        assert span is not None and text[span[0]:span[1]] == "Việt Nam"
    assert nationality_after_label("Quốc lộ 1A, xã Tân Phú") is None
