"""Label–value reading for the contract's seven document types, on text shaped like
the scan simulator's pages, with made-up OCR words and boxes (no Tesseract)."""

from __future__ import annotations

import random

import pytest

from pipeline.results import Line, PageResult, Word
from pipeline.understand.address import resolve_address
from pipeline.understand.fields import REVIEW_THRESHOLD, ExtractedDocument, extract_fields
from pipeline.understand.nlp import label_set
from scan_simulator.content import DOC_TYPES, make_page

CONTRACT_FIELDS = {
    "cccd": ["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "quoc_tich", "que_quan",
             "noi_thuong_tru", "ngay_het_han"],
    "to_khai_khai_sinh": ["nguoi_yeu_cau_ho_ten", "nguoi_yeu_cau_so_giay_to", "ho_ten",
                          "ngay_sinh", "gioi_tinh", "noi_sinh", "me_ho_ten", "cha_ho_ten",
                          "ngay_lam_don"],
    "giay_chung_sinh": ["me_ho_ten", "me_so_dinh_danh", "ngay_sinh", "gioi_tinh", "noi_sinh",
                        "ten_du_kien"],
    "to_khai_ket_hon": ["ben_nu_ho_ten", "ben_nu_ngay_sinh", "ben_nu_so_giay_to",
                        "ben_nam_ho_ten", "ben_nam_ngay_sinh", "ben_nam_so_giay_to",
                        "ngay_lam_don"],
    "to_khai_xac_nhan_hon_nhan": ["nguoi_yeu_cau_ho_ten", "ho_ten", "ngay_sinh", "gioi_tinh",
                                  "so_giay_to", "noi_cu_tru", "tinh_trang_hon_nhan",
                                  "muc_dich_su_dung", "ngay_lam_don"],
    "giay_de_nghi_ho_kinh_doanh": ["ten_ho_kinh_doanh", "dia_chi_tru_so", "nganh_nghe",
                                   "von_kinh_doanh", "chu_ho_ho_ten", "chu_ho_so_dinh_danh",
                                   "ngay_lam_don"],
    "giay_uy_quyen": ["ben_uy_quyen_ho_ten", "ben_duoc_uy_quyen_ho_ten", "noi_dung"],
}


# ---------------------------------------------------------------- building pages


def make_result(lines: list[str], index: int = 0, confidence: float = 0.95,
                word_confidence: dict[str, float] | None = None) -> PageResult:
    """A PageResult as the OCR stage would give it: words with boxes on 40-px lines."""
    words: list[Word] = []
    out: list[Line] = []
    for i, text in enumerate(lines):
        x, y = 50, 50 + 40 * i
        line_words = []
        for token in text.split():
            conf = (word_confidence or {}).get(token, confidence)
            line_words.append(Word(token, conf, (x, y, x + 11 * len(token), y + 30), i))
            x += 11 * len(token) + 11
        words += line_words
        box = (50, y, x, y + 30) if line_words else (0, 0, 0, 0)
        out.append(Line(" ".join(text.split()), box))
    return PageResult(index=index, source="ocr", text="\n".join(ln.text for ln in out),
                      confidence=confidence, rotation=0, skew_degrees=0.0, dpi=300,
                      blank=False, words=words, lines=out)


def sim_lines(doc_type: str, seed: int, long: bool = False) -> list[str]:
    spec = make_page(random.Random(seed), doc_type, long=long)
    return [ln.text + (f"    {ln.right}" if ln.right else "") for ln in spec.lines]


def after(lines: list[str], label: str, nth: int = 0) -> str:
    """Ground truth: the text after 'label: ' on the nth line starting with it."""
    found = [ln for ln in lines if ln.startswith(label + ": ")]
    return found[nth][len(label) + 2:].split("    ")[0]


def iso(ddmmyyyy: str) -> str:
    d, m, y = ddmmyyyy.split("/")
    return f"{y}-{m}-{d}"


def values(res: ExtractedDocument) -> dict[str, str]:
    return {k: f.value for k, f in res.items()}


# ---------------------------------------------------------------- each document type


@pytest.mark.parametrize("seed", range(6))
def test_to_khai_khai_sinh(seed: int) -> None:
    lines = sim_lines("to_khai_khai_sinh", seed)
    res = extract_fields("to_khai_khai_sinh", [make_result(lines)])
    v = values(res)
    assert v["nguoi_yeu_cau_ho_ten"] == after(lines, "Họ, chữ đệm, tên người yêu cầu")
    assert v["nguoi_yeu_cau_so_giay_to"] == after(lines, "Giấy tờ tùy thân").split()[-1]
    assert v["ho_ten"] == after(lines, "Họ, chữ đệm, tên")
    assert v["ngay_sinh"] == iso(after(lines, "Ngày, tháng, năm sinh"))
    assert v["gioi_tinh"] == after(lines, "Giới tính")
    assert v["noi_sinh"] == after(lines, "Nơi sinh")
    assert v["me_ho_ten"] == after(lines, "Họ, chữ đệm, tên người mẹ")
    assert v["cha_ho_ten"] == after(lines, "Họ, chữ đệm, tên người cha")
    assert v["ngay_lam_don"][:3] == "202"
    assert not any(f.needs_review for f in res.values())


@pytest.mark.parametrize("seed", range(6))
def test_giay_chung_sinh(seed: int) -> None:
    lines = sim_lines("giay_chung_sinh", seed)
    v = values(extract_fields("giay_chung_sinh", [make_result(lines)]))
    assert v["me_ho_ten"] == after(lines, "Họ và tên mẹ")
    assert v["me_so_dinh_danh"] == after(lines, "Số định danh cá nhân")
    born = after(lines, "Đã sinh con vào lúc").split("ngày ")[1].split(" ")
    assert v["ngay_sinh"] == f"{born[4]}-{born[2]}-{born[0]}"
    assert v["gioi_tinh"] == after(lines, "Giới tính của con")
    assert v["noi_sinh"] == after(lines, "Tại")
    assert v["ten_du_kien"] == after(lines, "Dự kiến đặt tên con là")


@pytest.mark.parametrize("seed", range(6))
def test_to_khai_ket_hon_reads_each_party_in_its_section(seed: int) -> None:
    lines = sim_lines("to_khai_ket_hon", seed)
    v = values(extract_fields("to_khai_ket_hon", [make_result(lines)]))
    assert v["ben_nu_ho_ten"] == after(lines, "Họ, chữ đệm, tên", 0)
    assert v["ben_nam_ho_ten"] == after(lines, "Họ, chữ đệm, tên", 1)
    assert v["ben_nu_ngay_sinh"] == iso(after(lines, "Ngày, tháng, năm sinh", 0))
    assert v["ben_nam_ngay_sinh"] == iso(after(lines, "Ngày, tháng, năm sinh", 1))
    assert v["ben_nu_so_giay_to"] == after(lines, "Giấy tờ tùy thân", 0).split()[-1]
    assert v["ben_nam_so_giay_to"] == after(lines, "Giấy tờ tùy thân", 1).split()[-1]
    assert len(v["ngay_lam_don"]) == 10


@pytest.mark.parametrize("seed", range(6))
def test_to_khai_xac_nhan_hon_nhan(seed: int) -> None:
    lines = sim_lines("to_khai_xac_nhan_hon_nhan", seed)
    v = values(extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)]))
    assert v["nguoi_yeu_cau_ho_ten"] == after(lines, "Họ, chữ đệm, tên người yêu cầu")
    assert v["ho_ten"] == after(lines, "Họ, chữ đệm, tên")
    assert v["ngay_sinh"] == iso(after(lines, "Ngày, tháng, năm sinh"))
    assert v["gioi_tinh"] == after(lines, "Giới tính")
    assert v["so_giay_to"] == after(lines, "Số định danh cá nhân")
    assert v["noi_cu_tru"] == after(lines, "Nơi cư trú", 1)
    assert v["tinh_trang_hon_nhan"] == after(lines, "Tình trạng hôn nhân").rstrip(".")
    assert v["muc_dich_su_dung"] == after(
        lines, "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân").rstrip(".")


@pytest.mark.parametrize("seed", range(6))
def test_giay_de_nghi_ho_kinh_doanh(seed: int) -> None:
    lines = sim_lines("giay_de_nghi_ho_kinh_doanh", seed)
    v = values(extract_fields("giay_de_nghi_ho_kinh_doanh", [make_result(lines)]))
    caps = after(lines, "Tôi là")
    assert caps == caps.upper()
    assert v["chu_ho_ho_ten"] == " ".join(w.capitalize() for w in caps.split())
    assert v["chu_ho_so_dinh_danh"] == after(lines, "Số định danh cá nhân")
    assert v["ten_ho_kinh_doanh"] == after(lines, "1. Tên hộ kinh doanh")
    assert v["dia_chi_tru_so"] == after(lines, "2. Địa chỉ trụ sở hộ kinh doanh")
    assert v["nganh_nghe"] == after(lines, "3. Ngành, nghề kinh doanh")
    assert v["von_kinh_doanh"] == after(lines, "4. Vốn kinh doanh").split()[0].replace(".", "")


@pytest.mark.parametrize(("seed", "long"), [(0, False), (1, True), (2, False), (3, True)])
def test_giay_uy_quyen(seed: int, long: bool) -> None:
    lines = sim_lines("giay_uy_quyen", seed, long)
    v = values(extract_fields("giay_uy_quyen", [make_result(lines)]))
    assert v["ben_uy_quyen_ho_ten"] == after(lines, "Họ và tên", 0)
    assert v["ben_duoc_uy_quyen_ho_ten"] == after(lines, "Họ và tên", 1)
    mandate = lines[lines.index("III. NỘI DUNG ỦY QUYỀN:") + 1]
    assert v["noi_dung"] == mandate.rstrip(".")


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_every_contract_field_has_labels_and_is_found(doc_type: str) -> None:
    specs = {f.name for f in label_set(doc_type).fields}
    assert set(CONTRACT_FIELDS[doc_type]) <= specs
    for seed in range(20):
        res = extract_fields(doc_type, [make_result(sim_lines(doc_type, seed, seed % 4 == 0))])
        missing = [f for f in CONTRACT_FIELDS[doc_type] if not res.get(f) or not res[f].value]
        assert missing == [], (seed, missing)


def test_cccd_has_labels_for_every_contract_field() -> None:
    assert set(CONTRACT_FIELDS["cccd"]) <= {f.name for f in label_set("cccd").fields}


# ---------------------------------------------------------------- geometry and confidence


def test_field_box_page_and_confidence_come_from_the_value_words() -> None:
    lines = ["TỜ KHAI ĐĂNG KÝ KHAI SINH", "Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn An"]
    page = make_result(lines, index=4, word_confidence={"Văn": 0.80})
    f = extract_fields("to_khai_khai_sinh", [page])["nguoi_yeu_cau_ho_ten"]
    assert f.page == 4 and f.source == "ocr" and f.raw == "Nguyễn Văn An"
    value_words = [w for w in page.words if w.line == 1][-3:]
    assert f.bbox == (value_words[0].bbox[0], value_words[0].bbox[1],
                      value_words[-1].bbox[2], value_words[-1].bbox[3])
    assert 0.80 < f.confidence < 0.95


def test_fields_across_pages_keep_their_page() -> None:
    lines = sim_lines("giay_uy_quyen", 5, long=True)
    cut = len(lines) // 2
    pages = [make_result(lines[:cut], index=7), make_result(lines[cut:], index=8)]
    res = extract_fields("giay_uy_quyen", pages)
    assert res["ben_uy_quyen_ho_ten"].page == 7
    assert {f.page for f in res.values()} <= {7, 8}


def test_date_value_is_narrowed_to_the_date_words() -> None:
    lines = ["GIẤY CHỨNG SINH", "Đã sinh con vào lúc: 10 giờ 30 phút, ngày 05 tháng 03 năm 2024"]
    f = extract_fields("giay_chung_sinh", [make_result(lines)])["ngay_sinh"]
    assert f.value == "2024-03-05" and f.raw == "ngày 05 tháng 03 năm 2024"


# ---------------------------------------------------------------- OCR-like noise


def test_labels_without_diacritics_and_colon_spacing() -> None:
    lines = ["TO KHAI DANG KY KHAI SINH", "Ho, chu dem, ten nguoi yeu cau : NGUYEN VAN AN",
             "Ngay, thang, nam sinh:12/03/1990", "Gioi tinh: Nu Dan toc: Kinh"]
    v = values(extract_fields("to_khai_khai_sinh", [make_result(lines)]))
    assert v["nguoi_yeu_cau_ho_ten"] == "Nguyen Van An"
    assert v["ngay_sinh"] == "1990-03-12" and v["gioi_tinh"] == "Nữ"


def test_label_with_ocr_errors_is_matched_approximately() -> None:
    lines = ["Ngảy, thảng, nắm sirh: 12/03/1990", "Họ, chữ đệm, tên người mẹ: Lê Thị Lan"]
    res = extract_fields("to_khai_khai_sinh", [make_result(lines)])
    assert res["ngay_sinh"].value == "1990-03-12"
    assert res["ngay_sinh"].confidence < res["me_ho_ten"].confidence  # approximate label


def test_digit_confusions_in_numbers_are_repaired_and_lower_confidence() -> None:
    lines = ["Số định danh cá nhân: O79O9OOOl234", "Ngày, tháng, năm sinh: l2/O3/199O"]
    res = extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)])
    assert res["so_giay_to"].value == "079090001234"
    assert res["ngay_sinh"].value == "1990-03-12"
    assert res["so_giay_to"].confidence < 0.95


def test_low_ocr_confidence_marks_for_review() -> None:
    lines = ["Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn An"]
    f = extract_fields("to_khai_khai_sinh", [make_result(lines, confidence=0.6)])[
        "nguoi_yeu_cau_ho_ten"]
    assert f.value == "Nguyễn Văn An" and f.confidence < REVIEW_THRESHOLD and f.needs_review


# ---------------------------------------------------------------- handwriting and garbage


def test_handwritten_value_is_flagged_not_returned_as_garbage() -> None:
    lines = ["Họ, chữ đệm, tên người yêu cầu: Ngiyễr Vẵr Ăr", "Nơi sinh: Bệnh viện Đa khoa"]
    noisy = {"Ngiyễr": 0.21, "Vẵr": 0.33, "Ăr": 0.18}
    res = extract_fields("to_khai_khai_sinh", [make_result(lines, word_confidence=noisy)])
    f = res["nguoi_yeu_cau_ho_ten"]
    assert f.needs_review and f.value == "" and f.raw == "Ngiyễr Vẵr Ăr"
    assert not res["noi_sinh"].needs_review


@pytest.mark.parametrize("scrawl", ["~~ }{ ##/ ^^", "xkcd grr wvq", "l|1 ;; ~~ ."])
def test_garbage_characters_are_flagged(scrawl: str) -> None:
    lines = [f"Nơi sinh: {scrawl}", f"Họ, chữ đệm, tên người mẹ: {scrawl}"]
    res = extract_fields("to_khai_khai_sinh", [make_result(lines)])
    for name in ("noi_sinh", "me_ho_ten"):
        assert res[name].needs_review and res[name].value == ""


def test_blank_dotted_line_is_flagged() -> None:
    lines = ["Họ, chữ đệm, tên người cha: ..............................",
             "Nơi cư trú: ......"]
    f = extract_fields("to_khai_khai_sinh", [make_result(lines)])["cha_ho_ten"]
    assert f.needs_review and f.value == ""


def test_absent_label_means_absent_field_and_unknown_type_is_empty() -> None:
    res = extract_fields("to_khai_khai_sinh", [make_result(["Một trang không có nhãn."])])
    assert dict(res) == {} and res.problems == []
    assert extract_fields("khac", [make_result(["Họ và tên: An"])]) == {}


# ---------------------------------------------------------------- identity cards

CARD_2016 = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
    "CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card", "Số / No.: 079090001234",
    "Họ và tên / Full name:", "NGUYỄN VĂN AN", "Ngày sinh / Date of birth: 12/03/1990",
    "Giới tính / Sex: Nam Quốc tịch / Nationality: Việt Nam",
    "Quê quán / Place of origin:", "Xã Tân Phú, Đức Thọ, Hà Tĩnh",
    "Nơi thường trú / Place of residence: Số 5, đường Lê Lợi,",
    "phường Bến Thành, Quận 1, TP. Hồ Chí Minh", "Có giá trị đến: 12/03/2030",
]
CARD_2024 = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CĂN CƯỚC", "IDENTITY CARD",
    "Số định danh cá nhân / Personal identification number", "001305012345",
    "Họ, chữ đệm và tên khai sinh / Full name", "TRẦN THỊ BÍCH NGỌC",
    "Ngày, tháng, năm sinh / Date of birth: 05/01/2005", "Giới tính / Sex: Nữ",
    "Quốc tịch / Nationality: Việt Nam", "Nơi cư trú / Place of residence",
    "Thôn Phú Lộc, xã Yên Thế, tỉnh Bắc Ninh", "Nơi đăng ký khai sinh / Place of birth",
    "Xã Yên Thế, tỉnh Bắc Giang", "Có giá trị đến / Date of expiry: 05/01/2030",
]
QR_2016 = ("079090001234|123456789|Nguyễn Văn An|12031990|Nam|"
           "Số 5, đường Lê Lợi, phường Bến Thành, Quận 1, TP. Hồ Chí Minh|01022021")


def test_cccd_2016_card_values_same_line_and_next_line() -> None:
    res = extract_fields("cccd", [make_result(CARD_2016)])
    assert values(res) == {
        "so_dinh_danh": "079090001234", "ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-03-12",
        "gioi_tinh": "Nam", "quoc_tich": "Việt Nam", "que_quan": "Xã Tân Phú, Đức Thọ, Hà Tĩnh",
        "noi_thuong_tru": "Số 5, đường Lê Lợi, phường Bến Thành, Quận 1, TP. Hồ Chí Minh",
        "ngay_het_han": "2030-03-12",
    }
    assert res.problems == []
    assert all(f.source == "ocr" for f in res.values())


def test_cccd_2024_card() -> None:
    res = extract_fields("cccd", [make_result(CARD_2024)])
    v = values(res)
    assert v["so_dinh_danh"] == "001305012345" and v["ho_ten"] == "Trần Thị Bích Ngọc"
    assert v["ngay_sinh"] == "2005-01-05" and v["gioi_tinh"] == "Nữ"
    assert v["noi_thuong_tru"] == "Thôn Phú Lộc, xã Yên Thế, tỉnh Bắc Ninh"
    assert v["noi_dang_ky_khai_sinh"] == "Xã Yên Thế, tỉnh Bắc Giang"
    assert "que_quan" not in v  # the 2024 card has no quê quán (see __init__)
    assert v["ngay_het_han"] == "2030-01-05"


def test_cccd_prefers_qr_and_agrees() -> None:
    res = extract_fields("cccd", [make_result(CARD_2016, index=2)], qr_payloads=[QR_2016])
    assert res.problems == []
    for name in ("so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "noi_thuong_tru"):
        assert res[name].source == "qr" and res[name].page == 2
    assert res["ho_ten"].bbox is not None  # the printed value's box is kept
    assert res["quoc_tich"].source == "ocr"
    assert res["ngay_cap"].value == "2021-02-01" and res["so_cmnd_cu"].value == "123456789"


def test_cccd_qr_disagreement_is_a_problem() -> None:
    other = QR_2016.replace("079090001234", "079090001235").replace("Văn An|", "Văn Anh|")
    res = extract_fields("cccd", [make_result(CARD_2016)], qr_payloads=["garbage", other])
    assert res["so_dinh_danh"].value == "079090001235"
    problems = [p for p in res.problems if p.kind == "qr_khac_noi_dung_in"]
    assert len(problems) == 2
    assert any("079090001234" in p.message and "079090001235" in p.message for p in problems)


def test_cccd_malformed_qr_falls_back_to_ocr() -> None:
    res = extract_fields("cccd", [make_result(CARD_2016)], qr_payloads=["079|broken"])
    assert res["ho_ten"].source == "ocr" and res["ho_ten"].value == "Nguyễn Văn An"


def test_cccd_number_inconsistent_with_printed_birth_and_sex() -> None:
    card = [ln.replace("12/03/1990", "12/03/1991").replace("Sex: Nam", "Sex: Nữ")
            for ln in CARD_2016]
    res = extract_fields("cccd", [make_result(card)])
    assert {p.kind for p in res.problems} == {"nam_sinh_khong_khop",
                                               "gioi_tinh_the_ky_khong_khop"}


def test_bad_province_code_on_a_form_is_a_problem() -> None:
    lines = ["Số định danh cá nhân: 003090001234"]
    res = extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)])
    assert [p.kind for p in res.problems] == ["ma_tinh_khong_hop_le"]


# ---------------------------------------------------------------- addresses


def test_address_resolved_before_and_after_2025() -> None:
    m = resolve_address("Số 5, đường Lê Lợi, phường Bến Thành, Quận 1, Thành phố Hồ Chí Minh")
    assert m is not None and m.text.startswith("Số 5")
    assert m.before_2025 is not None and m.before_2025.district == "Quận 1"
    assert m.after_2025 is not None and m.after_2025.commune == "Phường Bến Thành"
    assert m.province == "Thành phố Hồ Chí Minh"


def test_address_without_diacritics() -> None:
    m = resolve_address("Thon Dong Hoa, xa Quynh Luu, tinh Nghe An")
    assert m is not None and m.province == "Tỉnh Nghệ An"
    assert m.text == "Thon Dong Hoa, xa Quynh Luu, tinh Nghe An"


def test_unresolvable_address() -> None:
    assert resolve_address("") is None
    assert resolve_address("không có địa chỉ nào ở đây") is None


# ---------------------------------------------------------------- real photocopy OCR
# Lines below are Tesseract's text of generated card photocopies and forms
# (bench/dossier_accuracy.py --qualities photocopy), kept with their OCR errors.

PHOTOCOPY_2021_FRONT = [
    "CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card", "s¿No. 089305504787",
    "Họ và tên / Full name:", "LÊ PHƯƠNG NGỌC PHƯƠNG",
    "Ngày sinh / Date of birth: 11/03/2005:",
    "- Giới tính /Sex: NữỮ Quốc tịch / Nationality: Việt Nam",
    "ể ậ Quê quán / Place of erigin:", "LẤ&- ;¿À | phường Hoàn Kiếm, tỉnh Đắk Lắk",
    "TẢ Án Nơi thường trú / Place of residence: Bản Nà Lầu, xã Krông",
    "Pắc, tỉnh Lâm Đồng -", "Có giá trị đến / Date of exory:", "11/03/2030", "ˆ _ 2 : 3",
]


def test_photocopied_card_labels_behind_junk_and_misread_glosses() -> None:
    v = values(extract_fields("cccd", [make_result(PHOTOCOPY_2021_FRONT)]))
    assert v["que_quan"] == "phường Hoàn Kiếm, tỉnh Đắk Lắk"  # junk trimmed, one line only
    assert v["noi_thuong_tru"] == "Bản Nà Lầu, xã Krông Pắc, tỉnh Lâm Đồng"
    assert v["quoc_tich"] == "Việt Nam"
    assert v["ngay_het_han"] == "2030-03-11"  # the gloss is consumed, the date is below


def test_card_gloss_misread_before_colon() -> None:
    lines = ["Giới tính / Sex: Nam Quốc tịch / Nationatity: Việt Nam",
             "Quê quán / Piàce of origin:", "xã Nghĩa Đàn, tỉnh Đồng Tháp ờ",
             "Có giá trị đến Date c! e«xp", "17/11/2029"]
    v = values(extract_fields("cccd", [make_result(lines)]))
    assert v["quoc_tich"] == "Việt Nam"
    assert v["que_quan"] == "xã Nghĩa Đàn, tỉnh Đồng Tháp"
    assert v["ngay_het_han"] == "2029-11-17"


def test_card_expiry_without_its_label_is_the_milestone_birthday() -> None:
    lines = ["só¿xo 068201376681", "Ê Ngày sinh / Date of birth: 24/12/2001 $",
             "Nơi thường trú / Place of residence: Số 148, đường Phan",
             "9444/95 Đình Phùng, phường Cẩm Phả, Thành phố Cần", "24/12/2026 Tng",
             "Ngày„ tháng, năm / Date, month, year: 04/01/2023"]
    res = extract_fields("cccd", [make_result(lines)])
    assert res["ngay_het_han"].value == "2026-12-24"  # the 25th birthday, not the issue date
    assert not res["ngay_het_han"].needs_review


def test_card_expiry_from_the_mrz_check_digit() -> None:
    lines = ["Ngày sinh / Date of birth: 11/03/2005", "TDVNM30559047875689305504787<<8",
             "8583116F3003116VNM<<<<<<<<<<<6"]
    assert values(extract_fields("cccd", [make_result(lines)]))["ngay_het_han"] == "2030-03-11"
    broken = [lines[0], lines[1], "8583116F3003117VNM<<<<<<<<<<<6"]  # check digit fails
    assert "ngay_het_han" not in values(extract_fields("cccd", [make_result(broken)]))


def test_card_without_expiry() -> None:
    lines = ["Ngày sinh / Date of birth: 01/01/1960",
             "Có giá trị đến / Date of expiry: Không thời hạn"]
    res = extract_fields("cccd", [make_result(lines)])
    # Dates are YYYY-MM-DD (contract): no date, read (not for review), and a flag saying why.
    assert res["ngay_het_han"].value == "" and not res["ngay_het_han"].needs_review
    assert res["khong_thoi_han"].value == "Có" and res["khong_thoi_han"].raw == "Không thời hạn"


def test_value_wrapped_at_the_right_margin_goes_on() -> None:
    lines = ["Tình trạng hôn nhân: Hiện tại chưa đăng ký kết hôn với ai.",
             "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân: Để làm thủ tục:",
             "mua bán nhà đất.",
             "Tôi cam đoan những nội dung khai trên đây là đúng sự thật, được sự"]
    v = values(extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)]))
    assert v["muc_dich_su_dung"] == "Để làm thủ tục mua bán nhà đất"
    assert v["tinh_trang_hon_nhan"] == "Hiện tại chưa đăng ký kết hôn với ai"


def test_short_value_is_not_glued_to_the_next_line() -> None:
    lines = ["Mục đích sử dụng: Để đăng ký kết hôn.",
             "Trong thời gian cư trú tại phường Hải Châu từ năm 2018 đến nay, tôi",
             "không đăng ký kết hôn với ai; đề nghị Ủy ban nhân dân xác nhận."]
    v = values(extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)]))
    assert v["muc_dich_su_dung"] == "Để đăng ký kết hôn"


def test_gender_read_exactly_with_zero_word_confidence() -> None:
    lines = ["Giới tính: Nữ Dân tộc: Thái Quốc tịch: Việt Nam"]
    res = extract_fields("to_khai_xac_nhan_hon_nhan",
                         [make_result(lines, word_confidence={"Nữ": 0.0, "tính:": 0.0})])
    assert res["gioi_tinh"].value == "Nữ"


def test_business_form_wrapped_date_money_words_and_joined_name() -> None:
    lines = ["Tôi là: ĐỖ HỮU HOÀNG-TUẤN.", "4. Vốn kinh doanh: 410.009.000 đồng",
             "(Bằng chữ: Bốn trăm mười triệu đồng)", "5. Số lượng lao động: 3 người",
             "Làm tại: Hải Châu, ngày 30 tháng 09 năm", "2025", "Chủ hộ kinh doanh"]
    res = extract_fields("giay_de_nghi_ho_kinh_doanh", [make_result(lines)])
    assert res["chu_ho_ho_ten"].value == "Đỗ Hữu Hoàng Tuấn"
    assert res["ngay_lam_don"].value == "2025-09-30"
    assert res["von_kinh_doanh"].value == "410000000" and res["von_kinh_doanh"].needs_review


def test_money_agreeing_with_words_is_trusted() -> None:
    lines = ["4. Vốn kinh doanh: 170.000.000 đồng.", "(Bằng chữ: Một trăm bảy mươi triệu đồng)"]
    res = extract_fields("giay_de_nghi_ho_kinh_doanh", [make_result(lines)])
    assert res["von_kinh_doanh"].value == "170000000"
    assert not res["von_kinh_doanh"].needs_review


def test_family_name_tone_mark_repaired_so_documents_agree() -> None:
    lines = ["Họ và tên mẹ: Đình Mỹ Nhung", "Tại: Trung tâm Ÿ tế Thành phố Hải Phòng"]
    v = values(extract_fields("giay_chung_sinh", [make_result(lines)]))
    assert v["me_ho_ten"] == "Đinh Mỹ Nhung"
    assert v["noi_sinh"] == "Trung tâm Y tế Thành phố Hải Phòng"


def test_address_with_stray_quote_and_comma() -> None:
    lines = ["Họ, chữ đệm, tên: Đỗ Thanh Linh",
             "Nơi cư trú:'Thôn Phú Lộc, phường Ba Đình, Thành phố, Hà Nội"]
    v = values(extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines)]))
    assert v["noi_cu_tru"] == "Thôn Phú Lộc, phường Ba Đình, Thành phố Hà Nội"


def test_impossible_syllable_goes_to_review() -> None:
    lines = ["2. Địa chỉ trụ sở hộ kinh doanh: Thôn Thượng Đồng, xã Yêh Thế, tỉnh",
             "Nghệ An", "3. Ngành, nghề kinh doanh: Dịch vụ ăn uống"]
    res = extract_fields("giay_de_nghi_ho_kinh_doanh", [make_result(lines)])
    assert res["dia_chi_tru_so"].needs_review  # 'Yêh' cannot be Vietnamese: OCR for 'Yên'
    assert not res["nganh_nghe"].needs_review
    card = extract_fields("cccd", [make_result(["Quê quán: xã Ea Kar, tỉnh Đắk Lắk"])])
    assert not card["que_quan"].needs_review


def test_speck_after_a_card_label_is_not_the_value() -> None:
    lines = ["Quê quán / Place of origìn `", "xã Châu Thành, tỉnh Lâm.Đồng",
             "Nơi thường trú / Place of residence: Số 165, ngõ 177, đường ."]
    v = values(extract_fields("cccd", [make_result(lines)]))
    assert v["que_quan"] == "xã Châu Thành, tỉnh Lâm Đồng"


def test_residence_wrapped_on_a_form_and_prose_after_it() -> None:
    lines = ["Họ, chữ đệm, tên: Huỳnh Diệu Vy",
             "Nơi cư trú: Số 197, ngõ 129, đường Trần Phú, phường Ba Đình, tỉnh An", "Giang",
             "Nơi cư trú: Thôn Phú Lộc, phường Ba Đình, Thành phố Hà Nội, Việt Nam",
             "Trong thời gian cư trú tại phường Hải Châu từ năm 2018 đến nay."]
    v = values(extract_fields("to_khai_xac_nhan_hon_nhan", [make_result(lines[:3])]))
    assert v["noi_cu_tru"] == "Số 197, ngõ 129, đường Trần Phú, phường Ba Đình, tỉnh An Giang"
    v = values(extract_fields("to_khai_xac_nhan_hon_nhan",
                              [make_result([lines[0], *lines[3:]])]))
    assert v["noi_cu_tru"] == "Thôn Phú Lộc, phường Ba Đình, Thành phố Hà Nội, Việt Nam"


def test_card_address_wraps_whatever_the_page_margin() -> None:
    lines = ["Nơi thường trú / Place of residence: Số 148, đường Phan",
             "Đình Phùng, phường Cẩm Phả, Thành phố Cần Thơ",
             "Đặc điểm nhân dạng / Personal identification: Nốt ruồi C:1cm trên sau đuôi mắt phải"]
    v = values(extract_fields("cccd", [make_result(lines)]))
    assert v["noi_thuong_tru"] == ("Số 148, đường Phan Đình Phùng, phường Cẩm Phả, "
                                   "Thành phố Cần Thơ")


def test_card_address_cut_short_by_ocr_agrees_with_qr() -> None:
    lines = ["Số / No.: 079090001234", "Nơi thường trú / Place of residence: Số 5, đường Lê Lợi,"]
    res = extract_fields("cccd", [make_result(lines)], qr_payloads=[QR_2016])
    assert res.problems == []
    assert res["noi_thuong_tru"].value.endswith("TP. Hồ Chí Minh")


def test_junk_inside_a_value_goes_to_review() -> None:
    lines = ["Nơi thường trú / Place of residence: Số 135, ngõ 153, đường s.$</%%9s9 Hùng",
             "Vương, phường Thủy Xuân, Thành phố Hồ Chí"]
    res = extract_fields("cccd", [make_result(lines)])
    assert res["noi_thuong_tru"].needs_review
