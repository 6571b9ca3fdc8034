"""A value read with doubt still makes a mismatch when it is too far from the other paper's
to be a misreading of it; an OCR slip of a letter or two digits does not. No Tesseract."""

from __future__ import annotations

from pipeline.crosscheck import cross_check
from pipeline.understand.fields import Field


def _f(value: str, confidence: float = 0.95, review: bool = False, page: int = 0) -> Field:
    return Field(value, confidence, page, None, "ocr", value, review)


def _birth(me: Field) -> list[tuple]:
    return [("to_khai_khai_sinh", "Tờ khai đăng ký khai sinh", {"me_ho_ten": me}),
            ("giay_chung_sinh", "Giấy chứng sinh",
             {"me_ho_ten": _f("Đinh Khánh Phương", page=1)})]


def _residence(card_number: Field) -> list[tuple]:
    return [("de_nghi_khai_bao_tam_vang", "Đề nghị khai báo tạm vắng",
             {"ho_ten": _f("Lê Diệu Trang"), "so_dinh_danh": _f("040194645233")}),
            ("cccd", "Thẻ căn cước",
             {"ho_ten": _f("Lê Diệu Trang", page=1), "so_dinh_danh": card_number})]


def test_a_doubted_name_of_another_syllable_is_a_mismatch() -> None:
    found = cross_check(_birth(_f("Đinh Khánh Hằng", 0.73, review=True)))
    assert [m.places for m in found] == [((0, "me_ho_ten"), (1, "me_ho_ten"))]
    assert "Đinh Khánh Hằng" in found[0].message and "Đinh Khánh Phương" in found[0].message


def test_a_doubted_name_one_slip_away_is_not() -> None:
    assert cross_check(_birth(_f("Đinh Khánh Phượng", 0.73, review=True))) == []
    assert cross_check(_birth(_f("Đinh Khánh Phuong", 0.73, review=True))) == []
    assert cross_check(_birth(_f("Đinh Khánh Phưng", 0.73, review=True))) == []


def test_a_doubted_valid_number_many_digits_off_is_a_mismatch() -> None:
    found = cross_check(_residence(_f("040194373880", 0.70, review=True, page=1)))
    assert [m.places for m in found] == [((0, "so_dinh_danh"), (1, "so_dinh_danh"))]


def test_a_doubted_number_a_slip_away_or_invalid_or_unreadable_is_not() -> None:
    for number, confidence in (("040194645283", 0.70),  # one digit: an OCR slip
                               ("040194645833", 0.70),  # two digits
                               ("999194373880", 0.70),  # no such province: not a number
                               ("040194373880", 0.30)):  # read as garbage
        assert cross_check(_residence(_f(number, confidence, review=True, page=1))) == [], number
