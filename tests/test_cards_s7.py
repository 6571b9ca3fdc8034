"""Card fields lost on phone photos and photocopies (round 7, issue #3): a name or birth
date whose label OCR garbled, a birth date whose century only the calendar gives, the
number from an MRZ line 1 with one digit slipped, an MRZ expiry with two zeros misread.
Lines are the OCR of real generated cards; no OCR runs here."""

from __future__ import annotations

from datetime import date

from pipeline.understand.card_birth_label import birth_date_span
from pipeline.understand.card_century import birth_century
from pipeline.understand.card_expiry import expiry_from_mrz_slip
from pipeline.understand.card_mrz_name import mrz_name, name_span_by_mrz
from pipeline.understand.card_number import inner_glued_number, zero_led_number
from pipeline.understand.card_residence_label import residence_value_start
from pipeline.understand.fields import _milestones, extract_fields
from pipeline.understand.mrz import check_digit, line1_check, repaired_number
from tests.test_fields import make_result


def _fields(lines: list[str]) -> dict[str, tuple[str, bool]]:
    got = extract_fields("cccd", [make_result(lines)])
    return {name: (f.value, f.needs_review) for name, f in got.fields.items()}


# 1.004873-photo-01 (fourth set): number not printed legibly, 'Ngày 3inh', MRZ line 1
# with the zero of '705995' read '9' in one copy and '6' in the other.
_CARD_3INH = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VI NAM 2Ä ẶC",
    "' Phiip-.se-tpezes: SN vn",
    "CĂN CƯỚC CÔNG DÂN nẾ",
    "^^ ¡__ Họ và tên / Full name",
    "| __ NGUYÊN THU QUỲNH",
    "Ỉ NT | Ngày 3inh / Date of bựth: 01/02/1982",
    "| |_ Giới tính /Sex: NỮ Quốc tịch / Nauonaiery. Việt Nam",
    "|_ Quê quán / Piạce of origin‹",
    "xã Krông Pắc, tỉnh An Giang",
    "Ý @á %. đển : Gan sử csuứng",
    "01/02/2042 Trãi, xã Châu Thành, tỉnh Thanh Hóa",
    "Ngày tháng, năm / Dạte, mọrdh, year: 13/05/2022",
    "1DVNM1827959952048182765995<<2",
    "8202017F4262619VNM<<<<<<<<<<<4",
    "__ NGUYEN<<THU<QUYNH<<<<<<<<<<<<<",
]

# 1.014061-photo-01: 'Ngày sinh / Oate of bìh' without a colon, sex label garbled,
# the name's value empty, MRZ birth and expiry each with a slip.
_CARD_OATE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM 8. 3",
    ": Citiren lớentity Card",
    "Ề Ì ss;»e. 022201309880",
    "| Họ và tên / Fưli name",
    "t„ .__. PHAN TUẤN ĐỨC HÙNG",
    ". Ngày sinh / Oate of bìh 14/08/2001",
    "bạ, | Gið0nh/5e Nam Quốctich/Nauonamy Việt Nam",
    "1% ( Quêquán/Piaceofongn",
    "xã Qưỳnh Lưu, tỉnh Thái Nguyên",
    "Ngày, thắng, năm / Date, month, year: 19/12/2021",
    "I1DVNM2013098865922261309886<<3",
    "8198146M2698145VNM<<<<<<<<<<<2",
    "PHAN<<TUAN<DUC<HUNG<<<<<<<<<<<",
]


def test_garbled_card_fills_number_birth_and_expiry() -> None:
    got = _fields(_CARD_3INH)
    assert got["so_dinh_danh"][0] == "048182705995"
    assert got["ngay_sinh"][0] == "1982-02-01"
    assert got["ngay_het_han"][0] == "2042-02-01"
    assert got["ho_ten"][0] == "Nguyễn Thu Quỳnh"


def test_birth_after_label_without_colon_then_sex_and_expiry_follow() -> None:
    got = _fields(_CARD_OATE)
    assert got["ngay_sinh"][0] == "2001-08-14"
    assert got["gioi_tinh"][0] == "Nam"  # number's 4th digit and the MRZ's 'M' agree
    assert got["ngay_het_han"][0] == "2026-08-14"  # MRZ '269814' + check 5: one slip
    assert got["ho_ten"][0] == "Phan Tuấn Đức Hùng"


# ---------------------------------------------------------------- name by the MRZ


def test_name_found_by_mrz_past_specks() -> None:
    lines = ["'_ Mọ và tên / Fựil naene", "Ằ Ỏ HOÀNG DIỆU PHƯƠNG",
             "Quê quá» / Piace of ortqgin", "HOANG<<D1EU<PHUONG<<<<<<<<<<<<"]
    letters = mrz_name(lines)
    assert letters == "HOANGDIEUPHUONG"
    i, start, end = name_span_by_mrz(lines, letters)  # type: ignore[misc]
    assert (i, lines[i][start:end]) == (1, "HOÀNG DIỆU PHƯƠNG")


def test_name_by_mrz_never_takes_another_capital_line() -> None:
    lines = ["CĂN CƯỚC CÔNG DÂN", "CỤC TRƯỞNG CỤC CẢNH SÁT", "TRAN<<KHANH<YEN<<<<<<<<<<<<<<<"]
    assert name_span_by_mrz(lines, "TRANKHANHYEN") is None
    assert mrz_name(["IDVNM0859620792092085962079<<1"]) is None  # line 1 is no name


def test_printed_name_read_well_is_kept() -> None:
    lines = ["Họ và tên / Full name:", "LÊ VĂN AN", "LE<<VAN<ANH<<<<<<<<<<<<<<<<<"]
    assert _fields(lines)["ho_ten"][0] == "Lê Văn An"


# ---------------------------------------------------------------- birth label


def test_birth_label_needs_one_line_with_a_full_date() -> None:
    assert birth_date_span(["Ngày, tháng, năm / Date, month, year: 19/12/2021"]) is None
    assert birth_date_span(["Nơi đăng ký khai sinh / Place of birth: 01/02/1990"]) is None
    two = ["Ngày 3inh / Date of bựth: 01/02/1982", "Ngày sinh / Oate of bìh 14/08/2001"]
    assert birth_date_span(two) is None


# ---------------------------------------------------------------- century


def test_century_from_the_calendar_or_the_expiry() -> None:
    today = date(2026, 11, 26)
    assert birth_century("820201", None, _milestones, today) == 1900  # 2082 is to come
    assert birth_century("010814", None, _milestones, today) == 2000  # 1901: 125 years
    assert birth_century("100101", None, _milestones, today) is None  # 1910 or 2010
    assert birth_century("100101", "2035-01-01", _milestones, today) == 2000  # 25th
    assert birth_century("100101", "2050-01-01", _milestones, today) == 2000  # 40th
    assert birth_century("100101", "2031-06-01", _milestones, today) is None


# ---------------------------------------------------------------- MRZ repairs


def test_number_repaired_only_when_both_checks_hold() -> None:
    assert repaired_number(["1DVNM1827959952048182765995<<2"]) == "048182705995"
    assert repaired_number(["1DVNM1827959952048182765995<<3"]) is None  # c12 fails
    assert repaired_number(["1DVNM1827959952048182765995"]) is None  # no c12 to confirm
    assert repaired_number(["1DVNM1827959952048182765985<<2"]) is None  # two places differ


def test_mrz_expiry_with_two_zeros_misread() -> None:
    wanted = _milestones("1998-03-03")
    assert check_digit("380303") == 9
    # 1.000894-photo-03: '380303' read '386363', its check digit 9 intact.
    assert expiry_from_mrz_slip(["9863631F3863639VNM<<<<<<<<<<<0"], wanted, None) == (
        "2038-03-03", 0)
    # Two slips that are not loop confusions: nothing.
    assert expiry_from_mrz_slip(["9803031F3813139VNM<<<<<<<<<<<0"], wanted, None) is None


def test_number_repaired_with_its_leading_zero_misread() -> None:
    # 1.004222-photo-03 (third set): '087168679078' read '687…', the tail's 0 read '6'.
    assert repaired_number(["1DVNM1686796784687168679078<<5"]) == "087168679078"


# ---------------------------------------------------------------- leading zero


def test_number_with_its_zero_read_as_a_letter() -> None:
    lines = ["Số định danh cá nhân / Persenal sdeotificaton nụmber", "Đ27080165356",
             "¡_ Ngày, tháng, năm sinh / Date of bùth: 11/04/1980"]
    assert zero_led_number(lines, "1980-04-11", "Nam") == (1, 0, 12, "027080165356")
    assert zero_led_number(lines, "1981-04-11", "Nam") is None  # year digits disagree
    assert zero_led_number(lines, "1980-04-11", "Nữ") is None  # sex digit disagrees
    assert zero_led_number(lines, None, "Nam") is None


def test_card_number_leading_zero_lost() -> None:
    got = _fields(["CĂN CƯỚC", "ý. ị SỐ định danh cá rưiên / Perxonaal len tk atior: ratrde+-",
                   "__ 87168679078", "___ LƯƠNG THU DIỆU NGÂN",
                   "Ngày, tháng, năm sinh / Date of birth: 27/02/1968",
                   "Giới tính / Sex: NỮ Quốc tịch / Nationality: Việt Nam"])
    assert got["so_dinh_danh"] == ("087168679078", True)


# ---------------------------------------------------------------- stray digit inside


def test_stray_digit_inside_the_number_picked_by_the_mrz_check() -> None:
    # 1.003677-photo-00 (fourth set): '092085962079' read '0982085962079'; dropping the
    # '9' (082…) or the '8' (092…) both fit 1985 and Nam, the MRZ line 1 ends '<<1'.
    texts = ["_' ss;we. 0982085962079", "I1DVNMô6859626792692085962679<<1"]
    assert line1_check(texts) == 1
    found = inner_glued_number(texts, "1985-10-11", "Nam", 1)
    assert found is not None and found.number == "092085962079"
    other = inner_glued_number(texts, "1985-10-11", "Nam", 8)
    assert other is not None and other.number == "082085962079"
    assert inner_glued_number(texts, "1985-10-11", "Nam", None) is None
    assert inner_glued_number(texts, "1985-10-11", "Nam", 3) is None
    assert line1_check(["8510116M2510114VNM<<<<<<<<<<<2"]) is None  # line 2 is not line 1


# ---------------------------------------------------------------- residence


def test_residence_after_a_garbled_label() -> None:
    # 1.001193-photo-02 (third set): 'Nơi' lost, 'Piace' for 'Place'.
    lines = ["(| Giớitính/Sex Nam Quốc tịch / Natlonalty Việt Nam",
             "cư trú / Piace of residence: Thôn Thượng Đồng, xã Tân", "Phú, tỉnh Bắc Ninh",
             "Nơi đăng ký khai sinh / Piace of bírth: phường Hải Châu, tỉnh"]
    assert residence_value_start(lines) == (1, 29)
    assert _fields(lines)["noi_thuong_tru"][0] == "Thôn Thượng Đồng, xã Tân Phú, tỉnh Bắc Ninh"


def test_residence_cut_short_after_a_garbled_label_is_left_empty() -> None:
    lines = ["Nơt thường trú / Place of resdence Số 222, đường Nguyễn",
             "Ý @á %. đển : Gan sử csuứng"]
    assert residence_value_start(lines) == (0, 35)
    assert not _fields(lines).get("noi_thuong_tru", ("", True))[0]
