"""Identity numbers with one OCR slip, repaired from the dossier's other papers (issue #3).

The cases are the bench's: a card whose province code came out '822', a tờ khai whose
doubted '…651' is the card QR's '…631'. No Tesseract: fields are built directly, and the
last tests go through ``check_dossier`` on text pages.
"""

from __future__ import annotations

from datetime import date

from models.catalog import load_catalog
from pipeline.crosscheck import cross_check
from pipeline.dossier_check import check_dossier
from pipeline.understand.fields import ExtractedDocument, Field
from pipeline.understand.identity import Problem
from pipeline.understand.number_repair import REPAIR_KIND, repair_numbers, slips
from tests.test_fields import make_result


def _f(value: str, page: int = 0, confidence: float = 0.95, source: str = "ocr",
       review: bool = False) -> Field:
    return Field(value, confidence, page, None, source, value, review)  # type: ignore[arg-type]


def _card(number: Field, born: str = "1983-05-23", sex: str = "Nam",
          name: str | None = None, problems: list[Problem] | None = None) -> tuple:
    fields = {"so_dinh_danh": number, "ngay_sinh": _f(born, number.page),
              "gioi_tinh": _f(sex, number.page)}
    if name:
        fields["ho_ten"] = _f(name, number.page)
    return ("cccd", "Thẻ căn cước", ExtractedDocument(fields, problems))


def _khai_sinh(number: str) -> tuple:
    return ("to_khai_khai_sinh", "Tờ khai khai sinh", ExtractedDocument({
        "nguoi_yeu_cau_ho_ten": _f("Đỗ Hữu Hiếu", 1), "nguoi_yeu_cau_so_giay_to": _f(number, 1)}))


def _ket_hon(bride_number: Field) -> tuple:
    return ("to_khai_ket_hon", "Tờ khai kết hôn", ExtractedDocument({
        "ben_nu_ho_ten": _f("Võ Mỹ Thảo"), "ben_nu_ngay_sinh": _f("1998-05-12"),
        "ben_nu_so_giay_to": bride_number}))


def _named(documents: list[tuple]) -> list[tuple]:
    fixed = repair_numbers(documents)
    return [(t, n, dict(f)) for (t, n, _), f in zip(documents, fixed, strict=True)]


def test_slips_are_one_digit_or_one_swap() -> None:
    assert slips("022083663169", "822083663169")
    assert slips("040198847631", "040198847361")  # neighbours swapped
    assert not slips("040198847631", "040198847631")
    assert not slips("040198847631", "040198841234")  # a different serial
    assert not slips("040198847631", "040198847613" + "0")


def test_impossible_card_number_is_taken_from_the_tờ_khai() -> None:
    bad = Problem("ma_tinh_khong_hop_le", "so_dinh_danh: Ba chữ số đầu «822» …")
    card = _card(_f("822083663169", 2, 0.66, review=True), problems=[bad])
    fixed = repair_numbers([_khai_sinh("022083663169"), card])
    number = fixed[1]["so_dinh_danh"]
    assert number.value == "022083663169" and not number.needs_review
    assert number.raw == "822083663169"  # what was read stays visible
    kinds = [p.kind for p in fixed[1].problems]
    assert kinds == [REPAIR_KIND]  # the validator's complaint gave way to the note
    assert "822083663169" in fixed[1].problems[0].message
    assert "022083663169" in fixed[1].problems[0].message


def test_corroboration_must_fit_the_holder() -> None:
    # The card's '88' contradicts its 1983; the tờ khai's reading one digit away says 88
    # too, so it is no fit; and a birth-year contradiction alone is not repaired blindly
    # (the date may be the slip).
    card = _card(_f("022088663169", 2, 0.66, review=True))
    fixed = repair_numbers([_khai_sinh("022088663160"), card])
    assert fixed[1]["so_dinh_danh"].value == "022088663169"
    fixed = repair_numbers([_khai_sinh("022083663169"), card])
    assert fixed[1]["so_dinh_danh"].value == "022083663169"  # this one fits: 1983


def test_impossible_number_alone_gets_its_one_fit_for_review() -> None:
    fixed = repair_numbers([_card(_f("822083663169", 0, 0.66, review=True))])
    number = fixed[0]["so_dinh_danh"]
    assert number.value == "022083663169" and number.needs_review
    assert fixed[0].problems[-1].kind == REPAIR_KIND


def test_impossible_number_with_many_fits_is_left_alone() -> None:
    # Province '099' does not exist, but 019 … 096 and 090 … 096 are all one digit away.
    fixed = repair_numbers([_card(_f("099083663169", 0, 0.66, review=True))])
    assert fixed[0]["so_dinh_danh"].value == "099083663169"
    assert not fixed[0].problems


def test_doubted_digit_takes_the_card_qr_and_claims_no_mismatch() -> None:
    card = _card(_f("040198847631", 1, 0.99, source="qr"), "1998-05-12", "Nữ", "Võ Mỹ Thảo")
    documents = [_ket_hon(_f("040198847651", 0, 0.90)), card]
    assert any("040198847651" in m.message for m in cross_check(
        [(t, n, dict(f)) for t, n, f in documents]))  # without the repair: a false mismatch
    fixed = repair_numbers(documents)
    number = fixed[0]["ben_nu_so_giay_to"]
    assert number.value == "040198847631" and number.needs_review
    assert fixed[0].problems[-1].kind == REPAIR_KIND
    assert cross_check(_named(documents)) == []


def test_cleanly_read_different_digit_stays_a_mismatch() -> None:
    # A form really mistyped by one digit is read cleanly: it is the officer's to see.
    card = _card(_f("040198847631", 1, 0.99, source="qr"), "1998-05-12", "Nữ", "Võ Mỹ Thảo")
    documents = [_ket_hon(_f("040198847651", 0, 0.96)), card]
    assert repair_numbers(documents)[0]["ben_nu_so_giay_to"].value == "040198847651"
    found = cross_check(_named(documents))
    assert len(found) == 1 and "040198847651" in found[0].message


def test_doubted_digit_of_another_person_is_not_repaired() -> None:
    card = _card(_f("040198847631", 1, 0.99, source="qr"), "1998-05-12", "Nữ", "Lê Thị Hoa")
    documents = [_ket_hon(_f("040198847651", 0, 0.90)), card]
    assert repair_numbers(documents)[0]["ben_nu_so_giay_to"].value == "040198847651"


def test_planted_serial_change_is_never_repaired() -> None:
    # The generator's mistyped numbers keep the prefix and change the serial: both valid.
    card = _card(_f("040198847631", 1, 0.99, source="qr"), "1998-05-12", "Nữ", "Võ Mỹ Thảo")
    documents = [_ket_hon(_f("040198120954", 0, 0.90)), card]
    assert repair_numbers(documents)[0]["ben_nu_so_giay_to"].value == "040198120954"
    found = cross_check(_named(documents))
    assert any("040198120954" in m.message for m in found)


def test_check_dossier_repairs_a_slipped_card_number() -> None:
    to_khai = make_result([
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Họ, chữ đệm, tên người yêu cầu: Đỗ Hữu Hiếu",
        "Nơi cư trú: Thôn Phú Lộc, xã Nghĩa Đàn, tỉnh Quảng Ninh",
        "Giấy tờ tùy thân: Căn cước số 022083663169",
        "Quan hệ với người được khai sinh: Cha",
        "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
        "Họ, chữ đệm, tên: Đỗ Thanh Nhung",
        "Ngày, tháng, năm sinh: 24/10/2025",
        "Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam",
        "Làm tại: Đông Hưng, ngày 01 tháng 11 năm 2025",
    ], index=0)
    card = make_result([
        "CĂN CƯỚC",
        "IDENTITY CARD",
        "Số định danh cá nhân / Personal identification number:",
        "822083663169",
        "Họ, chữ đệm và tên khai sinh / Full name:",
        "ĐỖ HỮU HIẾU",
        "Ngày, tháng, năm sinh / Date of birth: 23/05/1983",
        "Giới tính / Sex: Nam Quốc tịch / Nationality: Việt Nam",
    ], index=1)
    out = check_dossier([to_khai, card], load_catalog(), "1.001193", date(2025, 11, 8))
    cccd = next(d for d in out.documents if d.type_id == "cccd")
    assert cccd.fields["so_dinh_danh"].value == "022083663169"
    kinds = [p.kind for p in out.completeness.problems]
    assert REPAIR_KIND in kinds and "ma_tinh_khong_hop_le" not in kinds
    assert "thong_tin_khong_khop" not in kinds


def test_number_a_few_points_below_its_line_is_doubted() -> None:
    # The bench's tạm vắng form: '…397' at 0.93 for the card QR's '…307', same holder.
    card = _card(_f("027183384307", 1, 0.99, source="qr"), "1983-03-02", "Nữ", "Võ Diệu Huyền")
    form = ("de_nghi_khai_bao_tam_vang", "Đề nghị khai báo tạm vắng", ExtractedDocument({
        "ho_ten": _f("Võ Diệu Huyền"), "ngay_sinh": _f("1983-03-02"),
        "so_dinh_danh": _f("027183384397", 0, 0.93)}))
    fixed = repair_numbers([form, card])
    number = fixed[0]["so_dinh_danh"]
    assert number.value == "027183384307" and number.needs_review
    assert number.raw == "027183384397"
    assert fixed[0].problems[-1].kind == REPAIR_KIND
    assert cross_check(_named([form, card])) == []
    # Read at 0.94 it is taken as written: a form mistyped by one digit stays a mismatch.
    form[2]["so_dinh_danh"] = _f("027183384397", 0, 0.94)
    assert repair_numbers([form, card])[0]["so_dinh_danh"].value == "027183384397"
    assert len(cross_check(_named([form, card]))) == 1
