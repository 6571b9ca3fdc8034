"""Filled forms on photocopies, round 7: a garbled month word, a sex read with a slipped
mark, specks and one-mark slips in addresses, names and free text.

No Tesseract: the lines are the OCR text the bench's photocopies really gave.
"""

from __future__ import annotations

import pytest

from pipeline.understand.fields import extract_fields
from pipeline.understand.normalise import (
    find_date,
    normalise_gender,
    normalise_name,
    normalise_place,
    normalise_text,
)
from tests.test_fields import make_result

# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("raw", "want"), [
    ("Cẩm Phả, ngày 14 tháïg 11 năm 2025", "2025-11-14"),
    ("Đống Đa, ngày 11 thúng 10 năm 2025", "2025-10-11"),
])
def test_a_month_word_one_glyph_off_between_day_and_year(raw: str, want: str) -> None:
    got = find_date(raw)
    assert got is not None and (got.value, got.guessed) == (want, True)


@pytest.mark.parametrize("raw", [
    "ngày 3 tổ 10 năm 2025",  # not a month word
    "Cẩm Phả, 14 tháïg 11 năm 2025",  # no 'ngày' to vouch for it
    "ngày 14 tháïg 11 năm",  # no year
])
def test_a_garbled_month_word_without_its_frame_gives_no_date(raw: str) -> None:
    assert find_date(raw) is None


def test_a_signing_date_with_a_garbled_month_word_is_read() -> None:
    lines = ["ĐƠN ĐỀ NGHỊ KHAI BÁO TẠM VẮNG", "Họ, chữ đệm, tên: Phan Mỹ Hương",
             "Làm tại: Cẩm Phả, ngày 14 tháïg 11 năm 2025", "Ñgười yêu cầu"]
    got = extract_fields("de_nghi_khai_bao_tam_vang", [make_result(lines)])
    assert got["ngay_lam_don"].value == "2025-11-14"


# ---------------------------------------------------------------- sex


def test_a_sex_read_with_a_slipped_mark_is_proposed_for_review() -> None:
    lines = ["TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "Họ, chữ đệm, tên: Dương Đức Long",
             "Giới tính: Nảm Dân tộc: Kinh Quốc tịch: Việt Nam"]
    got = extract_fields("to_khai_thay_doi_thong_tin_cu_tru",
                         [make_result(lines, word_confidence={"Nảm": 0.28})])
    assert (got["gioi_tinh"].value, got["gioi_tinh"].needs_review) == ("Nam", True)


def test_a_sex_read_as_printed_stays_unguessed() -> None:
    assert normalise_gender("Nảm") == normalise_gender("Nam").__class__("Nam", True)
    for raw, want in (("Nam", "Nam"), ("NỮ", "Nữ"), ("Nữ", "Nữ")):
        got = normalise_gender(raw)
        assert got is not None and (got.value, got.guessed) == (want, False)


# ---------------------------------------------------------------- addresses


@pytest.mark.parametrize(("raw", "want"), [
    ("Số 93, ngõ 176„ đường Nguyễn Huệ, phường Thủy Xuân, Thành phố Huế",
     "Số 93, ngõ 176, đường Nguyễn Huệ, phường Thủy Xuân, Thành phố Huế"),
    ("Số 69, đường Quang Trung,.phường Cẩm Phả, tỉnh Bắc Ninh",
     "Số 69, đường Quang Trung, phường Cẩm Phả, tỉnh Bắc Ninh"),
    ("Khu phổ 3, phường V Vĩnh Yên, Thành phố Hồ Chí Minh",
     "Khu phố 3, phường Vĩnh Yên, Thành phố Hồ Chí Minh"),
    ("Số 248, ngỗ 185, đường Lê Lợi, phường Xuân Hương, tỉnh Khánh Hòa",
     "Số 248, ngõ 185, đường Lê Lợi, phường Xuân Hương, tỉnh Khánh Hòa"),
    ("Trung tâm Y tế tỉnh Đồng THáp", "Trung tâm Y tế tỉnh Đồng Tháp"),
])
def test_address_specks_and_one_mark_slips(raw: str, want: str) -> None:
    got = normalise_place(raw)
    assert got is not None and (got.value, got.guessed) == (want, True)


@pytest.mark.parametrize("raw", [
    "khu Phổ Yên, tỉnh Thái Nguyên",  # a name, not the unit word
    "đường Ngô Quyền, phường V, tỉnh Vĩnh Long",  # a family name; a ward named 'V'
    "xã A Lưới, Thành phố Huế",  # a unit whose name starts with a lone letter
    "Khu pho 3",  # written without marks: left so
])
def test_addresses_the_slip_rules_leave_alone(raw: str) -> None:
    got = normalise_place(raw)
    assert got is not None and got.value == raw


# ---------------------------------------------------------------- names and free text


def test_an_impossible_plain_syllable_behind_a_kinh_family_name() -> None:
    got = normalise_name("Trần Diệu Loah")
    assert got is not None and (got.value, got.guessed) == ("Trần Diệu Loan", True)


@pytest.mark.parametrize("raw", ["Y Bih Niê", "Lê Y Bih", "Nguyen Van Ah"])
def test_names_outside_the_kinh_syllable_rules_are_kept(raw: str) -> None:
    got = normalise_name(raw)
    assert got is not None and got.value == raw


@pytest.mark.parametrize(("raw", "want"), [
    ("HỘ KINH DOANH TẠP HÓA.TRANG", "HỘ KINH DOANH TẠP HÓA TRANG"),
    ("Öã đăng ký kết hôn, nhưng đã.ly hôn", "Đã đăng ký kết hôn, nhưng đã ly hôn"),
])
def test_a_dot_glued_between_syllables_is_a_space(raw: str, want: str) -> None:
    got = normalise_text(raw)
    assert got is not None and (got.value, got.guessed) == (want, True)


@pytest.mark.parametrize("raw", ["TP.HCM", "Tp.Hồ Chí Minh", "hoso@gmail.com"])
def test_abbreviations_and_plain_addresses_keep_their_dot(raw: str) -> None:
    got = normalise_text(raw)
    assert got is not None and got.value == raw


# ---------------------------------------------------------------- the name under the signature


def _signed_form(value: str, signed: str) -> list[str]:
    return ["GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT", f"Tên người sử dụng đất: {value}",
            "Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)", signed]


def _land_user(lines: list[str], conf: dict[str, float]) -> str:
    got = extract_fields("giay_chung_nhan_quyen_su_dung_dat",
                         [make_result(lines, word_confidence=conf)])
    return got["nguoi_su_dung_dat_ho_ten"].value


def test_the_signature_reading_a_mark_more_clearly_wins() -> None:
    # Real word confidences of 1.013225-photocopy-02: 'Ngấn' 0.42 beside 'Ngân' 0.96.
    lines = _signed_form("Nguyễn Thu Ngấn", "Nguyễn Thu Ngân")
    assert _land_user(lines, {"Ngấn": 0.42}) == "Nguyễn Thu Ngân"


def test_a_tie_or_a_small_lead_keeps_the_form_reading() -> None:
    # 'Thư'/'Thu' both at 0.96 (1.000656-photocopy-01): a mark cannot be guessed.
    assert _land_user(_signed_form("Phạm Thư Quỳnh", "Phạm Thu Quỳnh"), {}) == (
        "Phạm Thư Quỳnh")
    conf = {"Phương": 0.95, "Phượng": 0.96}  # 1.001193-photocopy-02: the form was right
    assert _land_user(_signed_form("Hồ Ngọc Phương", "Hồ Ngọc Phượng"), conf) == (
        "Hồ Ngọc Phương")


def test_a_signature_of_other_letters_changes_nothing() -> None:
    conf = {"Ngấn": 0.42}
    assert _land_user(_signed_form("Nguyễn Thu Ngấn", "Nguyễn Thu Hà"), conf) == (
        "Nguyễn Thu Ngấn")


def test_two_signers_side_by_side_each_give_their_name() -> None:
    from pipeline.understand.signed_name import signature_names

    caption = "(Ký, ghi rõ họ, chữ đệm, tên) (Ký, ghi rõ họ, chữ đệm, tên)"
    # Word boxes of 1.000894-photo-00 (held set): the columns lie 460 px apart.
    names = [("Lý", 0.96, 495, 547), ("Mỹ", 0.96, 564, 633), ("Hằng", 0.96, 650, 771),
             ("Lý", 0.96, 1233, 1285), ("Minh", 0.96, 1301, 1418),
             ("Tuấn", 0.95, 1433, 1548), ("Nghĩa", 0.96, 1566, 1702)]
    got = signature_names([(caption, []), (" ".join(w[0] for w in names), names)])
    assert [n for n, _ in got] == ["Lý Mỹ Hằng", "Lý Minh Tuấn Nghĩa"]
    assert got[1][1] == [0.96, 0.96, 0.95, 0.96]
