"""The 12-digit personal identification number checked against itself and its holder."""

from __future__ import annotations

import random

from pipeline.understand.identity import decode_cccd, province_of, provinces, validate_cccd
from scan_simulator.content import make_person


def kinds(problems: list) -> set[str]:
    return {p.kind for p in problems}


def test_table_has_the_63_codes_of_the_circular() -> None:
    table = provinces()
    assert len(table) == 63
    assert table["001"] == "Hà Nội" and table["096"] == "Cà Mau"
    assert table["079"] == "Hồ Chí Minh" and table["046"] == "Thừa Thiên Huế"
    assert "003" not in table


def test_province_of() -> None:
    assert province_of("079090001234") == "Hồ Chí Minh"
    assert province_of("001 305 012 345") == "Hà Nội"
    assert province_of("003090001234") is None
    assert province_of("") is None


def test_consistent_numbers_have_no_problem() -> None:
    assert validate_cccd("079090001234", "1990-03-12", "Nam") == []
    assert validate_cccd("001305012345", "2005-01-05", "Nữ") == []
    assert validate_cccd("079190001234", "1990-12-31", "Nữ") == []


def test_generated_people_are_consistent() -> None:
    rng = random.Random(3)
    for _ in range(50):
        p = make_person(rng)
        d, m, y = p.birth.split("/")
        assert validate_cccd(p.id_number, f"{y}-{m}-{d}", p.gender) == []


def test_wrong_length() -> None:
    problems = validate_cccd("07909000123")
    assert kinds(problems) == {"so_dinh_danh_sai_do_dai"}
    assert "11 chữ số" in problems[0].message


def test_not_digits() -> None:
    assert kinds(validate_cccd("07909000123A")) == {"so_dinh_danh_khong_phai_so"}


def test_unknown_province_code() -> None:
    problems = validate_cccd("003090001234")
    assert kinds(problems) == {"ma_tinh_khong_hop_le"}
    assert "003" in problems[0].message


def test_gender_digit_against_sex() -> None:
    problems = validate_cccd("079090001234", "1990-03-12", "Nữ")
    assert kinds(problems) == {"gioi_tinh_the_ky_khong_khop"}
    assert "Nữ" in problems[0].message


def test_century_digit_against_birth_year() -> None:
    # digit 0 = born 1900–1999, but the card says 2090
    assert "gioi_tinh_the_ky_khong_khop" in kinds(validate_cccd("079090001234", "2090-03-12"))


def test_birth_year_digits() -> None:
    problems = validate_cccd("079091001234", "1990-03-12", "Nam")
    assert kinds(problems) == {"nam_sinh_khong_khop"}
    assert "1990" in problems[0].message


def test_decode() -> None:
    info = decode_cccd("001305012345")
    assert info is not None
    assert (info.province, info.gender, info.birth_year) == ("Hà Nội", "Nữ", 2005)
    assert decode_cccd("123") is None
