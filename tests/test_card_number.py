"""A card number read with a speck glued before it («4031203148519, issue #3).

The bench's case: a phone photo of a 2016 card whose "Số / No.:" label came out as
``F= «`` with one stray digit. The card's own birth date and sex pick the 12 digits; the
value is proposed for review, never read cleanly, and nothing else is second-guessed.
"""

from __future__ import annotations

from pipeline.understand.card_number import glued_number
from pipeline.understand.fields import extract_fields
from pipeline.understand.identity import NUMBER_REPAIRED
from tests.test_fields import make_result

BORN, SEX = "2003-05-15", "Nam"


def _card(number_line: str, sex: str = "Nam", extra: tuple[str, ...] = ()) -> list[str]:
    return [
        "CĂN CƯỚC CÔNG DÂN",
        "Citizen Identity Card",
        number_line,
        "Họ và tên / Full name:",
        "DƯƠNG HỮU SƠN",
        "Ngày sinh / Date of birth: 15/05/2003",
        f"Giới tính / Sex: {sex} Quốc tịch / Nationality: Việt Nam",
        *extra,
    ]


def test_the_window_that_fits_the_holder_is_kept() -> None:
    found = glued_number(["F= «4031203148519"], BORN, SEX)
    assert found is not None
    assert found.number == "031203148519" and found.run == "4031203148519"
    assert (found.line, found.start, found.end) == (0, 5, 17)
    # A stray digit after the number works the same way.
    assert glued_number(["0312031485197"], BORN, SEX).number == "031203148519"


def test_no_choice_without_the_holder_or_when_nothing_fits() -> None:
    assert glued_number(["F= «4031203148519"], None, SEX) is None
    assert glued_number(["F= «4031203148519"], BORN, None) is None
    assert glued_number(["F= «4031203148519"], BORN, "Nữ") is None  # '2' is a man's digit
    assert glued_number(["F= «4031203148519"], "1990-05-15", SEX) is None
    assert glued_number(["031203148519"], BORN, SEX) is None  # 12 digits: not this module's


def test_two_fitting_windows_are_no_choice() -> None:
    assert glued_number(["F= «4031203148519", "0312031485207"], BORN, SEX) is None


def test_mrz_line_is_left_to_its_check_digits() -> None:
    assert glued_number(["IDVNM2031485197031203148519<<1"], BORN, SEX) is None


def test_card_gets_the_number_for_review_with_a_note() -> None:
    out = extract_fields("cccd", [make_result(_card("F= «4031203148519"))])
    number = out["so_dinh_danh"]
    assert number.value == "031203148519"
    assert number.needs_review and number.raw == "4031203148519"
    notes = [p for p in out.problems if p.kind == NUMBER_REPAIRED]
    assert len(notes) == 1 and "4031203148519" in notes[0].message


def test_card_whose_sex_contradicts_both_windows_keeps_no_number() -> None:
    out = extract_fields("cccd", [make_result(_card("F= «4031203148519", sex="Nữ"))])
    assert not (out.get("so_dinh_danh") and out["so_dinh_danh"].value)
    assert not [p for p in out.problems if p.kind == NUMBER_REPAIRED]


def test_a_cleanly_read_number_is_not_replaced() -> None:
    lines = _card("Số / No.: 031203148520", extra=("Mã 4031203148519",))
    out = extract_fields("cccd", [make_result(lines)])
    assert out["so_dinh_danh"].value == "031203148520"
    assert not [p for p in out.problems if p.kind == NUMBER_REPAIRED]
