"""Where a card's quê quán ends, and what is never one (issue #3: cccd.que_quan was 88.7 %
on the bench). The lines are the bench's OCR of card photos and photocopies."""

from __future__ import annotations

import pytest

from pipeline.understand.fields import extract_fields
from pipeline.understand.unit_names import ends_with_province
from tests.test_fields import make_result


def _origin(lines: list[str]) -> tuple[str, bool]:
    got = extract_fields("cccd", [make_result(lines)])["que_quan"]
    return got.value, got.needs_review


@pytest.mark.parametrize(("text", "whole"), [
    ("phường Xuân Hương, tỉnh Khánh Hòa", True),
    ("phường Hải Châu, Thành phố Hồ Chí Minh", True),
    ("Số 5, TP. Hà Nội.", True),
    ("phường Hải Châu, Thành phố Hồ Chí", False),  # 'Minh' is on the next line
    ("xã Đông Hưng, tỉnh Bà Rịa", False),  # '- Vũng Tàu' is
    ("phường Điện Biên, thành phố Thanh Hóa", False),  # a provincial city: its tỉnh follows
    ("Số 165, đường Điện Biên", False),
])
def test_an_address_is_whole_at_its_province(text: str, whole: bool) -> None:
    assert ends_with_province(text) is whole


def test_nothing_after_the_province_joins_the_origin() -> None:
    value, _ = _origin([
        "Quê quán / Place of origin:",
        "s¡ | phường Xuân Hương, tỉnh Khánh Hòa",
        "tan",
        "Nơi thường trú / Place of residence: Số 165, đường Điện Biên",
    ])
    assert value == "phường Xuân Hương, tỉnh Khánh Hòa"
    value, _ = _origin([
        "Quê quán / Place of origin:",
        "Lấi ‹` | xã Đông Hưng, tỉnh Khánh Hòa",
        "21/03/2043",
    ])
    assert value == "xã Đông Hưng, tỉnh Khánh Hòa"


def test_a_wrapped_province_still_joins() -> None:
    value, _ = _origin([
        "Quê quán / Place of origin:",
        "phường Hải Châu, Thành phố Hồ Chí",
        "Minh",
    ])
    assert value == "phường Hải Châu, Thành phố Hồ Chí Minh"


def test_the_cards_title_is_never_the_origin() -> None:
    value, review = _origin([
        "h Quê quán / Place of origin:",
        "CĂN CƯỚC CÔNG DÂN",
        "sẽ/No: 066087285285",
    ])
    assert value == "" and review


def test_origin_below_with_specks_after_it() -> None:
    value, _ = _origin([
        "Quê quán / Place of origin:",
        "+",
        "Giới tính /Sex: Nam Quốc tịch / Nationality: Việt Nam ẳ",
        "phường Hải Châu, Thành phố Hồ Chí Minh - :",
        "Nơt thường trú / Place ọf residence: Khu phố 3, phường",
    ])
    assert value == "phường Hải Châu, Thành phố Hồ Chí Minh"
