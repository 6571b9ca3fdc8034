"""Classification, assembly, cross-checks and the completeness verdict (no Tesseract: fast).

Pages are built from the simulator's form text, so the test data reads like
real forms while the OCR step is skipped.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from models.catalog import load_catalog
from pipeline.assemble import assemble
from pipeline.classify import PageType, classify_page, title_patterns
from pipeline.crosscheck import cross_check
from pipeline.dossier_check import check_dossier, reads_pixels
from pipeline.results import Line, PageResult, Word
from pipeline.understand.fields import Field, supported_types
from pipeline.verdict import propose_procedure
from scan_simulator.content import make_page

CATALOG = load_catalog()
PATTERNS = title_patterns((t.id, t.title_patterns) for t in CATALOG.document_types.values())
TODAY = date(2026, 11, 25)


def page_from_text(index: int, text: str) -> PageResult:
    words, lines = [], []
    for number, line in enumerate(text.splitlines()):
        x = 100
        line_words = []
        for token in line.split():
            box = (x, 100 + 60 * number, x + 20 * len(token), 140 + 60 * number)
            line_words.append(Word(token, 0.96, box, number))
            x += 20 * len(token) + 20
        words.extend(line_words)
        lines.append(Line(line, (100, 100 + 60 * number, x, 140 + 60 * number)))
    return PageResult(index=index, source="ocr", text=text, confidence=0.96, rotation=0,
                      skew_degrees=0.0, dpi=300, blank=False, words=words, lines=lines)


def form_text(doc_type: str, seed: int) -> str:
    spec = make_page(random.Random(seed), doc_type)
    return "\n".join(line.text + (" " + line.right if line.right else "") for line in spec.lines)


@pytest.mark.parametrize("doc_type", ["to_khai_khai_sinh", "giay_chung_sinh", "to_khai_ket_hon",
                                      "to_khai_xac_nhan_hon_nhan", "giay_de_nghi_ho_kinh_doanh",
                                      "giay_uy_quyen"])
def test_titles_are_recognised_with_and_without_diacritics(doc_type: str) -> None:
    text = form_text(doc_type, 1)
    assert classify_page(text, PATTERNS).type_id == doc_type
    folded = text.upper().translate(str.maketrans("ĐÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÊẾỀỂỄỆÔỐỒỔỖỘƠỚỜỞỠỢƯỨỪỬỮỰ",
                                                  "DAAAAAAAAAAAAAAAAAEEEEEEOOOOOOOOOOOOUUUUUU"))
    assert classify_page(folded, PATTERNS).type_id == doc_type


def test_ocr_errors_in_titles_are_tolerated_but_body_text_is_not_a_title() -> None:
    noisy = "CONG HOA XA HOI CHU NGHIA VIET NAM\nT0 KHAl ĐĂNG KY KHAl SlNH\nKính gửi: UBND"
    assert classify_page(noisy, PATTERNS).type_id == "to_khai_khai_sinh"
    body = "Tôi là Nguyễn Văn An, căn cước công dân số 001090012345 cấp ngày 01/02/2021"
    assert classify_page(body, PATTERNS).type_id is None


@pytest.mark.parametrize("mrz", ["IDVNM0923047736992092304773699<<8",
                                 "1DVNM0923047736992092304773699<<8",   # I read as 1
                                 "lDVNM0923047736992092304773699<<8"])  # ... or as l
def test_a_card_back_is_known_by_its_machine_readable_zone(mrz: str) -> None:
    """A phone photo of a card whose title OCR lost: the MRZ line still says 'card'."""
    text = f"gu ớc\nSố định danh cá nhân: 092304773699\n{mrz}\n0405262F2905260VNM<<<<<<<<<<<4"
    assert classify_page(text, PATTERNS).type_id == "cccd"


def test_longest_title_wins() -> None:
    text = "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    assert classify_page(text, PATTERNS).type_id == "to_khai_xac_nhan_hon_nhan"


def test_untitled_pages_join_the_form_they_belong_to() -> None:
    kinds = [PageType("to_khai_khai_sinh", 1.0, "t"), PageType(None, 0.0, ""),
             PageType("cccd", 1.0, "CĂN CƯỚC CÔNG DÂN"), PageType(None, 0.0, ""),
             PageType("giay_chung_sinh", 1.0, "g")]
    texts = ["", "Tôi cam đoan ...", "", "Họ và tên mẹ: A\nCân nặng: 3 kg", ""]
    docs = assemble(kinds, texts)
    assert [(d.type_id, d.pages) for d in docs] == [
        ("to_khai_khai_sinh", [0, 1]), ("cccd", [2]), ("giay_chung_sinh", [3, 4])]


def test_lonely_untitled_pages_are_khac() -> None:
    docs = assemble([PageType(None, 0.0, ""), PageType(None, 0.0, "")], ["a", "b"])
    assert [(d.type_id, d.pages) for d in docs] == [("khac", [0, 1])]


def field(value: str, page: int = 0, confidence: float = 0.95) -> Field:
    return Field(value, confidence, page, None, "ocr", value, False)


def test_cross_check_finds_a_mismatched_number_and_name() -> None:
    docs = [
        ("to_khai_khai_sinh", "Tờ khai", {"nguoi_yeu_cau_ho_ten": field("Võ Bảo Huyền"),
                                          "nguoi_yeu_cau_so_giay_to": field("040304080571"),
                                          "me_ho_ten": field("Võ Bảo Huyền")}),
        ("giay_chung_sinh", "Giấy chứng sinh", {"me_ho_ten": field("Võ Bảo Huyên", 1),
                                                "me_so_dinh_danh": field("040304080571", 1)}),
        ("cccd", "Căn cước", {"ho_ten": field("Võ Bảo Huyền", 2),
                              "so_dinh_danh": field("040304080517", 2)}),
    ]
    found = cross_check(docs)
    messages = " | ".join(m.message for m in found)
    assert all(m.kind == "thong_tin_khong_khop" for m in found)
    assert "040304080517" in messages  # the card's number differs from both forms
    assert "Huyên" not in messages  # names differing only by a tone mark: OCR, not a mix-up


def test_cross_check_skips_values_flagged_for_review() -> None:
    shaky = Field("040304080517", 0.5, 1, None, "ocr", "04O3O408O517", True)
    docs = [("cccd", "Căn cước", {"ho_ten": field("A B"), "so_dinh_danh": field("040304080571")}),
            ("to_khai_xac_nhan_hon_nhan", "Tờ khai", {"ho_ten": field("A B", 1),
                                                      "so_giay_to": shaky})]
    assert cross_check(docs) == []


def test_verdict_for_each_contract_procedure() -> None:
    cases = {
        "1.001193": ["to_khai_khai_sinh", "giay_chung_sinh"],
        "1.000894": ["to_khai_ket_hon"],
        "1.004873": ["to_khai_xac_nhan_hon_nhan"],
        "1.001612": ["giay_de_nghi_ho_kinh_doanh"],
    }
    for code, required in cases.items():
        texts = [form_text(t, 5) for t in required]
        pages = [page_from_text(i, t) for i, t in enumerate(texts)]
        complete = check_dossier(pages, CATALOG, code, TODAY)
        assert complete.completeness.complete, (code, complete.completeness.as_dict())
        assert complete.completeness.missing == []
        assert sorted(d.type_id for d in complete.documents) == sorted(required)
        incomplete = check_dossier(pages[1:], CATALOG, code, TODAY)
        assert not incomplete.completeness.complete
        assert incomplete.completeness.missing == [required[0]]
        assert any(p.kind == "thieu_thanh_phan" for p in incomplete.completeness.problems)


def test_unreadable_required_document_is_never_complete() -> None:
    garbage = "TỜ KHAI ĐĂNG KÝ KẾT HÔN\n" + "\n".join("~~ ¦¦ ¬¬ ::" for _ in range(10))
    result = check_dossier([page_from_text(0, garbage)], CATALOG, "1.000894", TODAY)
    assert not result.completeness.complete
    assert result.completeness.missing == []
    assert any(p.kind == "khong_doc_duoc" for p in result.completeness.problems)


def test_procedure_is_proposed_from_the_papers() -> None:
    assert propose_procedure(CATALOG, {"to_khai_ket_hon", "cccd"}, TODAY) == "1.000894"
    assert propose_procedure(CATALOG, {"giay_chung_sinh", "to_khai_khai_sinh"}, TODAY) == (
        "1.001193")
    assert propose_procedure(CATALOG, {"khac"}, TODAY) is None


def test_addresses_are_resolved_to_units_before_and_after_2025() -> None:
    text = form_text("to_khai_xac_nhan_hon_nhan", 9)
    result = check_dossier([page_from_text(0, text)], CATALOG, "1.004873", TODAY)
    (doc,) = result.as_dict()["documents"]
    place = doc["fields"]["noi_cu_tru"]
    assert place["units"] is not None
    assert place["units"]["after_2025"]["province"]  # the province is always told
    assert place["units"]["after_2025"]["district"] is None  # no districts since July 2025


def _titled_required(code: str) -> list[str]:
    required = CATALOG.procedure(code).version_on(TODAY).required_types()
    return [r.type for r in required if CATALOG.document_type(r.type).title_patterns]


# Procedures whose required papers all lack a printed title (the original to be
# copied, an extract from a register) are judged by the officer; none is left out silently:
WITHOUT_TITLES = sorted(c for c in CATALOG.procedures if not _titled_required(c))


def test_procedures_without_titled_papers_are_known() -> None:
    assert WITHOUT_TITLES == ["2.000815", "2.000884", "2.000908"]


@pytest.mark.parametrize("code", sorted(set(CATALOG.procedures) - set(WITHOUT_TITLES)))
def test_every_catalogued_procedure_complete_and_incomplete(code: str) -> None:
    """Each procedure's verdict: all required papers → complete; one missing → named."""
    required = CATALOG.procedure(code).version_on(TODAY).required_types()
    titled = _titled_required(code)
    supported = set(supported_types())
    pages = [page_from_text(i, form_text(t, 11) if t in supported else
                            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                            f"{CATALOG.document_type(t).title_patterns[0]}\nNội dung")
             for i, t in enumerate(titled)]
    verdict = check_dossier(pages, CATALOG, code, TODAY).completeness
    untitled = [r.type for r in required if r.type not in titled]
    assert verdict.missing == untitled, verdict.as_dict()
    assert verdict.complete is (not untitled)
    without_first = check_dossier(pages[1:], CATALOG, code, TODAY).completeness
    assert not without_first.complete
    assert titled[0] in without_first.missing


def test_a_card_page_without_pixels_has_its_qr_read_from_the_pixels_given() -> None:
    """Workers keep only the JPEG of a page whose own text is no card; publish hands the
    decoded JPEG in for a card page, and the QR code is read as in one process."""
    from tests.test_fields import CARD_2016, QR_2016, make_result
    from tests.test_qr import qr_image

    page = make_result(CARD_2016, index=0)
    assert page.image is None
    asked: list[int] = []

    def pixels(p: PageResult) -> np.ndarray:
        asked.append(p.index)
        return qr_image(QR_2016)

    with_qr = check_dossier([page], CATALOG, None, TODAY, pixels=pixels)
    card = next(d for d in with_qr.documents if d.type_id == "cccd")
    assert asked == [0] and card.fields["so_dinh_danh"].source == "qr"
    without = check_dossier([page], CATALOG, None, TODAY)
    card = next(d for d in without.documents if d.type_id == "cccd")
    assert card.fields["so_dinh_danh"].source == "ocr"


def test_only_a_card_by_its_own_text_keeps_its_pixels() -> None:
    from tests.test_fields import CARD_2016

    assert reads_pixels("\n".join(CARD_2016), CATALOG)
    assert not reads_pixels(form_text("to_khai_khai_sinh", 1), CATALOG)
    assert not reads_pixels("", CATALOG)
