"""A card's quê quán where the columns interleave, and province names one letter off
(issue #3: cccd.que_quan was 88.9 % on the bench). No Tesseract: the lines are what the
bench's OCR produced."""

from __future__ import annotations

from itertools import combinations

import pytest

from pipeline.understand.fields import extract_fields
from pipeline.understand.normalise import fold, normalise_place
from pipeline.understand.unit_names import _provinces, repair_unit_names
from tests.test_fields import make_result


def _origin(lines: list[str]) -> tuple[str, bool]:
    got = extract_fields("cccd", [make_result(lines)])["que_quan"]
    return got.value, got.needs_review


def test_origin_under_the_photo_columns_expiry() -> None:
    value, _ = _origin([
        "Số định danh cá nhân / Personal identification number: 001203012345",
        "Ngày sinh / Date of birth: 01/12/2003",
        "Quê quán / Place of origin: .",
        "Có giá trị đến / Date of expiry",
        "01/12/2028",
        "phường Xuân Hương, tỉnh Lâm Đồng",
        "Nơi thường trú / Place of residence: Số 108, ngõ 13, đường Lê Lợi,",
    ])
    assert value == "phường Xuân Hương, tỉnh Lâm Đồng"


def test_origin_below_the_older_layouts_name_block() -> None:
    value, _ = _origin([
        "Citizen Identity Card",
        "Quê quán / Place œforigin: ` *",
        "- Họ và tên / Full name: -",
        ".:_ ĐỖ HỮU HÙNG",
        "Ngày sinh / Date of birth: 12/06/1994",
        "đa xã Châu Thành, Thành phố Hà Nội",
    ])
    assert value == "xã Châu Thành, Thành phố Hà Nội"


def test_origin_is_never_taken_from_the_residence() -> None:
    value, review = _origin([
        "Quê quán / Place of origin: .",
        "Có giá trị đến / Date of expiry",
        "Nơi thường trú / Place of residence:",
        "phường Xuân Hương, tỉnh Lâm Đồng",
    ])
    assert value == "" and review


def test_dashes_after_a_card_label_are_specks_not_a_blank() -> None:
    value, _ = _origin([
        "Quê quán / Place of origin: - -",
        "phường Đống Đa, Thành phố Hồ Chf Minh",
        "Nơi thường trú / Place of residence: Ấp Bình Thạnh, xã Tân Phú",
    ])
    assert value == "phường Đống Đa, Thành phố Hồ Chí Minh"


def test_rest_of_a_missed_gloss_is_not_the_value() -> None:
    value, _ = _origin([
        "Quê quán /'Place of origin: *",
        ". xã Krông Pắc, Thành phố Đà Nẵng",
        "Nơi thường trú / Place of residence: Số 172, đường Nguyễn Trãi",
    ])
    assert value == "xã Krông Pắc, Thành phố Đà Nẵng"


@pytest.mark.parametrize(("raw", "want"), [
    ("phường Xuân Hương, tỉnh Đồng Tháb", "phường Xuân Hương, tỉnh Đồng Tháp"),
    ("phường Đống Đa, Thành phố Hồ Chf Minh", "phường Đống Đa, Thành phố Hồ Chí Minh"),
])
def test_province_one_letter_off_is_repaired(raw: str, want: str) -> None:
    got = normalise_place(raw)
    assert got is not None and got.value == want and got.guessed


@pytest.mark.parametrize("plain", ["xã Yên Thế, tỉnh Bắc Ninh", "tỉnh Hà Nam", "Thành phố Hà Nội",
                                   "phường Bến Thành, Thành phố Thủ Đức"])
def test_real_province_names_are_left_alone(plain: str) -> None:
    assert repair_unit_names(plain) == plain


def test_a_slip_between_two_provinces_is_left_alone() -> None:
    # 'Quảng ?inh' is one letter from Quảng Ninh and from Quảng Bình: no repair.
    assert repair_unit_names("xã Yên Hưng, tỉnh Quảng Xinh") == "xã Yên Hưng, tỉnh Quảng Xinh"
    assert repair_unit_names("xã Yên Hưng, tỉnh Quảng Nirh") == "xã Yên Hưng, tỉnh Quảng Ninh"
    names = list(_provinces())
    assert len(names) >= 63 and fold("Đồng Tháp") in names
    close = [(a, b) for a, b in combinations(names, 2) if len(a) == len(b)
             and sum(x != y for x, y in zip(a, b, strict=True)) == 1]
    assert 0 < len(close) <= 6, close
