"""A card's expiry when birth and issue date leave one possible date (Luật Căn cước) and the
card's own reading of it is damaged: MRZ digits with a garbled check, a printed digit off."""

from __future__ import annotations

from pipeline.understand.card_expiry import expiry_from_mrz_digits, expiry_from_printed_slip
from pipeline.understand.mrz import expiry_digits_as_read

ONE = {"2035-11-13"}  # born 1995-11-13, issued 2021-10-18: runs to the 40th birthday


def test_mrz_digits_with_a_garbled_check_digit_or_nationality() -> None:
    for line in ("9511132M35111369VNM<<<<<<<<<<<2",   # check digit '0' read '69'
                 "9511132M3511130VN4<<<<<<<<<<<<2"):  # nationality garbled
        assert expiry_digits_as_read(["IDVNM0775244355040077524435<<7", line]) == ("351113", 1)
        assert expiry_from_mrz_digits(["x", line], ONE) == ("2035-11-13", 1)


def test_mrz_digits_that_differ_or_several_possible_dates_give_nothing() -> None:
    assert expiry_from_mrz_digits(["9511132M35111469VNM<<<"], ONE) is None
    assert expiry_from_mrz_digits(["9511132M35111369VNM<<<"],
                                  {"2035-11-13", "2055-11-13"}) is None
    assert expiry_from_mrz_digits(["no machine-readable zone"], ONE) is None


def test_a_printed_date_one_digit_off_the_only_possible_expiry() -> None:
    assert expiry_from_printed_slip(["Có giá trị đến: 13/11/2935"], ONE) == ("2035-11-13", 0)
    assert expiry_from_printed_slip(["13/11/2036"], ONE) == ("2035-11-13", 0)


def test_a_printed_date_two_digits_off_or_another_day_gives_nothing() -> None:
    assert expiry_from_printed_slip(["13/11/2946"], ONE) is None
    assert expiry_from_printed_slip(["14/11/2035"], ONE) is None  # not the birthday
    assert expiry_from_printed_slip(["13/11/2935"], {"2035-11-13", "2055-11-13"}) is None
