"""Impossible years (a form signed, a person born after the reception day) are repaired
only when one reading fits, always left for review with a note; possible dates are kept."""

from __future__ import annotations

from datetime import date

from models.catalog import load_catalog
from pipeline.dossier_check import check_dossier
from pipeline.understand.date_plausibility import (
    DATE_DOUBTED,
    DATE_REPAIRED,
    check_dates,
    year_slips,
)
from pipeline.understand.fields import ExtractedDocument, Field
from tests.test_dossier_check import form_text, page_from_text

RECEIVED = date(2025, 11, 26)


def _doc(**values: str) -> ExtractedDocument:
    return ExtractedDocument({k: Field(v, 0.95, 0, None, "ocr", v, False)
                              for k, v in values.items()})


def test_year_slips_change_exactly_one_digit_of_the_year() -> None:
    slips = year_slips(date(2925, 11, 24))
    assert date(2025, 11, 24) in slips and date(1925, 11, 24) in slips
    assert date(2925, 11, 24) not in slips and len(slips) == 36
    assert all(d.month == 2 and d.day == 29 for d in year_slips(date(2924, 2, 29)))


def test_an_application_year_slip_is_repaired_to_the_fit_nearest_the_reception() -> None:
    out = check_dates(_doc(ngay_lam_don="2925-11-24", ho_ten="Lê Văn An"), RECEIVED)
    got = out["ngay_lam_don"]
    assert got.value == "2025-11-24"  # 1925-11-24 fits too, but is a century away
    assert got.needs_review and got.raw == "2925-11-24"
    assert [p.kind for p in out.problems] == [DATE_REPAIRED]
    assert "24/11/2925" in out.problems[0].message and "24/11/2025" in out.problems[0].message
    assert out["ho_ten"].value == "Lê Văn An" and not out["ho_ten"].needs_review


def test_a_year_before_1900_is_impossible_too() -> None:
    out = check_dates(_doc(ngay_lam_don="1025-11-20"), RECEIVED)
    assert out["ngay_lam_don"].value == "2025-11-20" and out["ngay_lam_don"].needs_review


def test_a_birth_year_with_two_fits_is_kept_as_read_for_review() -> None:
    out = check_dates(_doc(ngay_sinh="2925-03-01"), RECEIVED)  # 1925 or 2025?
    assert out["ngay_sinh"].value == "2925-03-01" and out["ngay_sinh"].needs_review
    assert [p.kind for p in out.problems] == [DATE_DOUBTED]


def test_a_birth_year_with_one_fit_is_repaired() -> None:
    # 2978: only 1978 fits; 2078, 2908, 2970 … are after the reception day.
    out = check_dates(_doc(ben_nu_ngay_sinh="2978-05-04"), RECEIVED)
    assert out["ben_nu_ngay_sinh"].value == "1978-05-04"
    assert out["ben_nu_ngay_sinh"].needs_review
    assert [p.kind for p in out.problems] == [DATE_REPAIRED]


def test_a_possible_year_after_the_reception_day_is_only_flagged() -> None:
    # The year can be right (the month may be the slip): no year is changed.
    out = check_dates(_doc(ngay_lam_don="2025-12-24"), RECEIVED)
    assert out["ngay_lam_don"].value == "2025-12-24" and out["ngay_lam_don"].needs_review
    assert [p.kind for p in out.problems] == [DATE_DOUBTED]


def test_possible_dates_other_fields_and_qr_values_are_untouched() -> None:
    doc = _doc(ngay_lam_don="2025-11-26", ngay_sinh="1900-01-01", ngay_het_han="2965-01-01",
               ngay_cap="2925-01-01")
    doc["ho_ten"] = Field("x", 0.99, 0, None, "qr", "x", False)
    assert check_dates(doc, RECEIVED) is doc
    qr = ExtractedDocument({"ngay_sinh": Field("2990-01-01", 0.99, 0, None, "qr", "", False)})
    assert check_dates(qr, RECEIVED) is qr


def test_dossier_check_repairs_the_year_and_claims_no_mismatch() -> None:
    text = form_text("to_khai_xac_nhan_hon_nhan", 3).replace("năm 2024", "năm 2924")
    assert "năm 2924" in text
    result = check_dossier([page_from_text(0, text)], load_catalog(), "1.004873",
                           date(2024, 11, 5))
    (doc,) = result.documents
    got = doc.fields["ngay_lam_don"]
    assert got.value == "2024-11-01" and got.needs_review
    kinds = [p.kind for p in result.completeness.problems]
    assert DATE_REPAIRED in kinds and "thong_tin_khong_khop" not in kinds
    assert result.completeness.complete


def test_dossier_check_keeps_a_possible_date_as_read() -> None:
    text = form_text("to_khai_xac_nhan_hon_nhan", 3)
    result = check_dossier([page_from_text(0, text)], load_catalog(), "1.004873",
                           date(2024, 11, 5))
    got = result.documents[0].fields["ngay_lam_don"]
    assert got.value == "2024-11-01" and not got.needs_review
    assert not {DATE_REPAIRED, DATE_DOUBTED} & {p.kind for p in result.completeness.problems}
