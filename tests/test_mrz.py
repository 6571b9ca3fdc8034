"""The card's machine-readable zone: check digits decide, OCR's slips are repaired or refused."""

from __future__ import annotations

from datetime import date

from pipeline.understand.fields import extract_fields
from pipeline.understand.mrz import check_digit, read_mrz
from scan_simulator.cards import Card, make_citizen, mrz_lines
from tests.test_fields import make_result


def _card() -> Card:
    import random

    holder = make_citizen(random.Random(7), "Nữ", 1990, 1995)
    return Card(holder, "cccd_2021", date(2022, 5, 3),
                holder.birth.replace(year=holder.birth.year + 40), "Nốt ruồi", "Tô Văn A")


def test_check_digit_is_icao() -> None:
    assert check_digit("520727") == 3  # ICAO 9303 part 3 example
    assert check_digit("") == 0


def test_reads_number_birth_sex_and_expiry_of_a_generated_card() -> None:
    card = _card()
    got = read_mrz(list(mrz_lines(card)))
    assert got is not None
    assert got.number == card.holder.id_number
    assert got.birth(1900) == card.holder.birth.isoformat()
    assert got.sex == "Nữ"
    assert got.expiry == card.expires.isoformat()


def test_ocr_spaces_and_letter_digits_are_repaired() -> None:
    line1, line2, _ = mrz_lines(_card())
    spaced = " ".join([line1[:9], line1[9:20].replace("0", "O"), line1[20:]])
    got = read_mrz([spaced, line2[:8] + " " + line2[8:]])
    assert got is not None and got.number == _card().holder.id_number


def test_a_misread_digit_fails_its_check() -> None:
    line1, line2, _ = mrz_lines(_card())
    bad = line1[:7] + str((int(line1[7]) + 1) % 10) + line1[8:]
    bad2 = line2[:2] + str((int(line2[2]) + 3) % 10) + line2[3:]
    got = read_mrz([bad, bad2])
    assert got is None or (got.number is None and got.birth_yymmdd is None)


def test_mrz_repairs_a_misread_printed_number_without_qr() -> None:
    card = _card()
    h = card.holder
    wrong = h.id_number[:5] + str((int(h.id_number[5]) + 1) % 10) + h.id_number[6:]
    lines = [f"Số / No.: {wrong}", f"Ngày sinh / Date of birth: {h.birth:%d/%m/%Y}",
             *mrz_lines(card)]
    res = extract_fields("cccd", [make_result(lines)])
    assert res["so_dinh_danh"].value == h.id_number
    assert res["ngay_het_han"].value == card.expires.isoformat()
