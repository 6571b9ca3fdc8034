"""A card's birth date from an MRZ whose birth check digit failed, settled by the
number's birth year and the MRZ expiry; refused when either disagrees."""

from __future__ import annotations

from pipeline.understand.card_birth import birth_from_mrz_slip
from pipeline.understand.fields import _milestones, extract_fields
from tests.test_fields import make_result

# A photocopied card front and back as Tesseract read it (bench dossier
# 1.013225-photocopy-01): printed birth '08/16/1990', MRZ birth '901088' for '901008'
# with its check digit 2 (of 901008), expiry '301008' whose check digit 0 holds.
CARD = """CĂN CƯỚC CÔNG DÂN
*Citizen Identity Card
.. T Số /No.: 048090345735.
; Họ và tên / Full name:
: VÕ QUỐC SON :
Ngày sinlf 7 Date of br†h: 08/16/1990
Giới tính /Sex: Nam Quốc tịch / Nationality+ Việt Nam *
Nơi thường trú / Place of residence:, Số 48, ngõ 189, . -
08/10/2030 Khánh Ha” ẫ :
Có giá trị đến / De of expuy:
Đặc điểm nhân dạng / Personal' identificẩtion:
Ngày, tháng, năm / Date, month, year: 28/10/2021 ° : °
TDVNM0903457358048090345735<<8
.9010882M3010080VNM<<<<<<<<<<<2
V0<<QU0C<S0N<<<<<<<<<<<<<<<<<<"""
MRZ2 = ".9010882M3010080VNM<<<<<<<<<<<2"


def test_the_slip_is_settled_by_the_number_and_the_expiry() -> None:
    assert birth_from_mrz_slip(["x", MRZ2], "048090345735", "2030-10-08", _milestones) == (
        "1990-10-08", 1)


def test_refused_without_or_against_the_other_evidence() -> None:
    assert birth_from_mrz_slip([MRZ2], "048090345735", None, _milestones) is None
    assert birth_from_mrz_slip([MRZ2], None, "2030-10-08", _milestones) is None
    # The number says born in '91: no one-digit change of 901088 is.
    assert birth_from_mrz_slip([MRZ2], "048091345735", "2030-10-08", _milestones) is None
    # An expiry on no birthday of 1990-10-08.
    assert birth_from_mrz_slip([MRZ2], "048090345735", "2030-10-09", _milestones) is None
    # A birth whose check digit holds is no slip (read_mrz takes it as it is).
    assert birth_from_mrz_slip([".9010082M3010080VNM"], "048090345735", "2030-10-08",
                               _milestones) is None


def test_card_fields_get_the_birth_and_then_the_expiry() -> None:
    fields = extract_fields("cccd", [make_result(CARD.splitlines())])
    assert fields["so_dinh_danh"].value == "048090345735"
    assert fields["ngay_sinh"].value == "1990-10-08"
    assert not fields["ngay_sinh"].needs_review
    assert fields["ngay_het_han"].value == "2030-10-08"


def test_card_fields_keep_the_birth_open_when_the_number_disagrees() -> None:
    text = CARD.replace("Số /No.: 048090345735", "Số /No.: 048091345735")
    fields = extract_fields("cccd", [make_result(text.splitlines())])
    assert "ngay_sinh" not in fields or fields["ngay_sinh"].value != "1990-10-08"
