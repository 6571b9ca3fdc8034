"""The dossier generator's ground truth is right: same seed same dossier, the same person
agrees everywhere, dropped papers are exactly the missing ones, card QR codes decode to
the truth, and page indices survive shuffling and rotation. No Tesseract involved."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from scan_simulator.cards import (
    PROVINCE_CODES,
    identity_number_problems,
    make_card,
    make_citizen,
    mrz_check,
    mrz_lines,
    render_photocopy,
)
from scan_simulator.degrade import quarter_turn
from scan_simulator.dossiers import (
    CONTRACT_PROCEDURES,
    Dossier,
    make_dossier,
    required_types,
    supported_procedures,
    write_dossier,
)
from scan_simulator.truth import Place, load_truth

FAST = {"quality": "clean", "dpi": 100}
CONTRACT_FIELDS = {
    "cccd": {"so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "quoc_tich", "que_quan",
             "noi_thuong_tru", "ngay_het_han"},
    "to_khai_khai_sinh": {"nguoi_yeu_cau_ho_ten", "nguoi_yeu_cau_so_giay_to", "ho_ten",
                          "ngay_sinh", "gioi_tinh", "noi_sinh", "me_ho_ten", "cha_ho_ten",
                          "ngay_lam_don"},
    "giay_chung_sinh": {"me_ho_ten", "me_so_dinh_danh", "ngay_sinh", "gioi_tinh", "noi_sinh",
                        "ten_du_kien"},
    "to_khai_ket_hon": {"ben_nu_ho_ten", "ben_nu_ngay_sinh", "ben_nu_so_giay_to",
                        "ben_nam_ho_ten", "ben_nam_ngay_sinh", "ben_nam_so_giay_to",
                        "ngay_lam_don"},
    "to_khai_xac_nhan_hon_nhan": {"nguoi_yeu_cau_ho_ten", "ho_ten", "ngay_sinh", "gioi_tinh",
                                  "so_giay_to", "noi_cu_tru", "tinh_trang_hon_nhan",
                                  "muc_dich_su_dung", "ngay_lam_don"},
    "giay_de_nghi_ho_kinh_doanh": {"ten_ho_kinh_doanh", "dia_chi_tru_so", "nganh_nghe",
                                   "von_kinh_doanh", "chu_ho_ho_ten", "chu_ho_so_dinh_danh",
                                   "ngay_lam_don"},
}


def _pages(dossier: Dossier) -> list[Image.Image]:
    return [img for f in dossier.files for img in f.images]


def _value(dossier: Dossier, place: Place) -> str:
    return dossier.truth.documents[place.document].fields[place.field]


def _check_normalised(field: str, value: str) -> None:
    if field.startswith("ngay_") or field.endswith("_ngay_sinh"):
        date.fromisoformat(value)
    if field == "gioi_tinh":
        assert value in ("Nam", "Nữ")
    if "so_dinh_danh" in field or "so_giay_to" in field:
        assert value.isdigit() and len(value) == 12
    assert value == " ".join(value.split()), f"{field}: {value!r} has stray spaces"


def test_same_seed_same_dossier() -> None:
    a = make_dossier(11, "1.001193", shuffle=True, rotate_some=True, **FAST)
    b = make_dossier(11, "1.001193", shuffle=True, rotate_some=True, **FAST)
    assert a.truth.to_json() == b.truth.to_json()
    assert [p.tobytes() for p in _pages(a)] == [p.tobytes() for p in _pages(b)]
    c = make_dossier(12, "1.001193", shuffle=True, rotate_some=True, **FAST)
    assert c.truth.to_json() != a.truth.to_json()


@pytest.mark.parametrize("procedure", CONTRACT_PROCEDURES)
def test_complete_dossier_truth_is_consistent(procedure: str) -> None:
    d = make_dossier(random.Random(3), procedure, **FAST)
    t = d.truth
    assert t.complete and t.missing == () and t.problems == ()
    types = [doc.type for doc in t.documents]
    for required in required_types(procedure, date.fromisoformat(t.received_on)):
        assert required in types
    assert "cccd" in types
    if procedure == "1.000894":
        assert types.count("cccd") == 2
    for doc in t.documents:
        if doc.type in CONTRACT_FIELDS:
            expected = CONTRACT_FIELDS[doc.type]
            if doc.layout == "can_cuoc_2024":
                expected = expected - {"que_quan"}  # the 2024 card prints no quê quán
            assert set(doc.fields) == expected, doc.type
        for name, value in doc.fields.items():
            _check_normalised(name, value)
    assert t.links, "the same person must appear on several papers"
    for link in t.links:
        assert link.consistent
        assert len({_value(d, p) for p in link.places}) == 1, link


def test_the_same_people_across_birth_registration() -> None:
    for seed in range(6):
        t = make_dossier(seed, "1.001193", **FAST).truth
        docs = {doc.type: doc for doc in t.documents}
        tk, gcs, card = docs["to_khai_khai_sinh"], docs["giay_chung_sinh"], docs["cccd"]
        assert tk.fields["me_ho_ten"] == gcs.fields["me_ho_ten"]
        assert tk.fields["ngay_sinh"] == gcs.fields["ngay_sinh"]
        assert tk.fields["nguoi_yeu_cau_so_giay_to"] == card.fields["so_dinh_danh"]
        assert tk.fields["nguoi_yeu_cau_ho_ten"] == card.fields["ho_ten"]
        if card.role == "mother":
            assert gcs.fields["me_so_dinh_danh"] == card.fields["so_dinh_danh"]


def test_the_same_people_across_marriage_registration() -> None:
    t = make_dossier(5, "1.000894", **FAST).truth
    form = next(doc for doc in t.documents if doc.type == "to_khai_ket_hon")
    cards = {doc.role: doc for doc in t.documents if doc.type == "cccd"}
    for role, side in (("bride", "nu"), ("groom", "nam")):
        assert form.fields[f"ben_{side}_so_giay_to"] == cards[role].fields["so_dinh_danh"]
        assert form.fields[f"ben_{side}_ho_ten"] == cards[role].fields["ho_ten"]
        assert form.fields[f"ben_{side}_ngay_sinh"] == cards[role].fields["ngay_sinh"]
    assert cards["bride"].fields["gioi_tinh"] == "Nữ"
    assert cards["groom"].fields["gioi_tinh"] == "Nam"


@pytest.mark.parametrize("procedure", CONTRACT_PROCEDURES)
def test_incomplete_dossier_misses_exactly_the_dropped_type(procedure: str) -> None:
    full = make_dossier(21, procedure, **FAST).truth
    for dropped in required_types(procedure, date.fromisoformat(full.received_on)):
        t = make_dossier(21, procedure, complete=False, drop=dropped, **FAST).truth
        assert not t.complete and t.missing == (dropped,) and t.variant == "incomplete"
        remaining = sorted(doc.type for doc in t.documents)
        expected = sorted(doc.type for doc in full.documents)
        expected.remove(dropped)
        assert remaining == expected
        assert len(t.pages) == sum(len(doc.pages) for doc in t.documents)


def test_incomplete_without_drop_picks_a_required_type() -> None:
    t = make_dossier(8, "1.001193", complete=False, **FAST).truth
    assert t.missing and t.missing[0] in ("to_khai_khai_sinh", "giay_chung_sinh")
    with pytest.raises(ValueError, match="not a required component"):
        make_dossier(8, "1.001193", complete=False, drop="cccd", **FAST)


@pytest.mark.parametrize("procedure", CONTRACT_PROCEDURES)
def test_inconsistent_dossier_names_both_places(procedure: str) -> None:
    for seed in range(4):
        d = make_dossier(seed, procedure, inconsistent=True, **FAST)
        t = d.truth
        assert t.complete and t.variant == "inconsistent"
        (problem,) = t.problems
        assert problem.kind == "mismatch" and problem.message
        a, b = problem.places
        assert a.document != b.document
        assert _value(d, a) != _value(d, b)
        assert _value(d, a) in problem.message and _value(d, b) in problem.message
        broken = [k for k in t.links if not k.consistent]
        assert len(broken) == 1 and a in broken[0].places and b in broken[0].places
        for link in t.links:
            if link.consistent:
                assert len({_value(d, p) for p in link.places}) == 1


def test_identity_numbers_are_valid() -> None:
    rng = random.Random(1)
    for _ in range(200):
        c = make_citizen(rng, year_lo=1968, year_hi=2006)
        assert identity_number_problems(c.id_number, c.birth, c.gender) == []
        assert c.id_number[:3] in PROVINCE_CODES
    for seed in range(4):
        for doc in make_dossier(seed, "1.000894", **FAST).truth.documents:
            if doc.type == "cccd":
                f = doc.fields
                assert identity_number_problems(
                    f["so_dinh_danh"], date.fromisoformat(f["ngay_sinh"]), f["gioi_tinh"]) == []
    assert identity_number_problems("001190012345", date(1990, 1, 1), "Nữ") == []
    assert identity_number_problems("001090012345", date(1990, 1, 1), "Nữ")
    assert identity_number_problems("003190012345")  # 003 is not a province code
    assert identity_number_problems("12345")


def test_mrz_lines_are_well_formed() -> None:
    rng = random.Random(4)
    card = make_card(rng, make_citizen(rng, "Nữ"), date(2025, 9, 1))
    l1, l2, l3 = mrz_lines(card)
    assert all(len(line) == 30 for line in (l1, l2, l3))
    assert l1.startswith("IDVNM") and card.holder.id_number in l1
    assert l1[14] == mrz_check(l1[5:14])
    assert l2[7] == "F" and l2[6] == mrz_check(l2[:6])
    assert mrz_check("L898902C3") == "6"  # ICAO 9303 worked example


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_card_qr_decodes_to_the_truth(seed: int) -> None:
    d = make_dossier(seed, "1.004873", quality="clean", dpi=300)
    t = d.truth
    pages = _pages(d)
    card = next(doc for doc in t.documents if doc.type == "cccd")
    (index,) = card.pages
    found = zxingcpp.read_barcodes(pages[index])
    assert [r.text for r in found] == [card.qr_payload]
    number, old, name, born, sex, residence, issued = card.qr_payload.split("|")
    f = card.fields
    assert number == f["so_dinh_danh"] and name == f["ho_ten"] and sex == f["gioi_tinh"]
    assert residence == f["noi_thuong_tru"]
    assert f"{born[4:]}-{born[2:4]}-{born[:2]}" == f["ngay_sinh"]
    assert old == "" or (old.isdigit() and len(old) == 9)
    date(int(issued[4:]), int(issued[2:4]), int(issued[:2]))


def test_both_card_layouts_decode_at_200_dpi() -> None:
    kinds = set()
    rng = random.Random(9)
    while len(kinds) < 2:
        card = make_card(rng, make_citizen(rng), date(2025, 10, 1))
        if card.kind in kinds:
            continue
        kinds.add(card.kind)
        page = render_photocopy(card, dpi=200, seed=1)
        assert [r.text for r in zxingcpp.read_barcodes(page)] == [card.qr_payload]


def test_shuffling_and_rotation_keep_page_indices_right() -> None:
    kw = {"quality": "office", "dpi": 100}
    plain = make_dossier(31, "1.001193", **kw)
    for seed in (31,):
        mixed = make_dossier(seed, "1.001193", shuffle=True, rotate_some=True, **kw)
        assert any(p.rotation for p in mixed.truth.pages)
        assert sorted(i for doc in mixed.truth.documents for i in doc.pages) == list(
            range(len(mixed.truth.pages)))
        plain_pages, mixed_pages = _pages(plain), _pages(mixed)
        for doc in mixed.truth.documents:
            twin = next(x for x in plain.truth.documents
                        if x.type == doc.type and x.role == doc.role)
            assert twin.fields == doc.fields
            for k, index in enumerate(doc.pages):
                page = mixed.truth.pages[index]
                assert page.type == doc.type and mixed.truth.documents[page.document] is doc
                upright = quarter_turn(mixed_pages[index], (360 - page.rotation) % 360)
                expected = plain_pages[twin.pages[k]]
                assert np.array_equal(np.asarray(upright), np.asarray(expected))


def test_multi_page_documents_stay_together() -> None:
    for seed in range(40):
        d = make_dossier(seed, "1.004873", shuffle=True, **FAST)
        long_docs = [doc for doc in d.truth.documents if len(doc.pages) > 1]
        if long_docs:
            pages = sorted(long_docs[0].pages)
            assert pages == list(range(pages[0], pages[0] + len(pages)))
            return
    pytest.fail("no two-page form in 40 dossiers")


def test_write_dossier_round_trips(tmp_path: Path) -> None:
    d = make_dossier(2, "1.000894", quality="photocopy", rotate_some=True, layout="files",
                     dpi=100)
    paths = write_dossier(d, tmp_path)
    assert [p.name for p in paths] == list(d.truth.files)
    assert len(paths) == len(d.truth.documents)  # one file per paper
    loaded = load_truth(tmp_path)
    assert loaded.to_json() == d.truth.to_json()
    raw = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert raw["schema"] == "hoso.dossier-truth/1"
    stacked = make_dossier(2, "1.000894", quality="photocopy", dpi=100)
    (pdf,) = write_dossier(stacked, tmp_path / "stack")
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")


def test_other_catalogue_procedures_generate() -> None:
    codes = supported_procedures()
    assert set(CONTRACT_PROCEDURES) <= set(codes)
    assert len(codes) >= 8
    for code in codes:
        t = make_dossier(1, code, **FAST).truth
        assert t.documents and t.complete
        on = date.fromisoformat(t.received_on)
        assert set(required_types(code, on)) <= {doc.type for doc in t.documents}
