"""Tests of the procedure catalogue (catalog/ data and models/catalog.py)."""

from __future__ import annotations

import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml

from models.catalog import (
    Catalog,
    CatalogError,
    NoVersionError,
    RequiredType,
    load_catalog,
)

REPO = Path(__file__).resolve().parent.parent
CUTOVER = date(2025, 7, 1)

REQUIRED_CODES = {
    "1.001193",
    "1.000894",
    "1.000656",
    "1.004873",
    "2.000815",
    "2.000884",
    "2.000908",
    "2.000635",
    "1.001612",
    "1.013978",
    "1.013225",
    "1.004222",
    "1.004194",
    "1.014061",
}

CONTRACT_TYPES = {
    "cccd": [
        "so_dinh_danh",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "quoc_tich",
        "que_quan",
        "noi_thuong_tru",
        "ngay_het_han",
    ],
    "to_khai_khai_sinh": [
        "nguoi_yeu_cau_ho_ten",
        "nguoi_yeu_cau_so_giay_to",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "noi_sinh",
        "me_ho_ten",
        "cha_ho_ten",
        "ngay_lam_don",
    ],
    "giay_chung_sinh": [
        "me_ho_ten",
        "me_so_dinh_danh",
        "ngay_sinh",
        "gioi_tinh",
        "noi_sinh",
        "ten_du_kien",
    ],
    "to_khai_ket_hon": [
        "ben_nu_ho_ten",
        "ben_nu_ngay_sinh",
        "ben_nu_so_giay_to",
        "ben_nam_ho_ten",
        "ben_nam_ngay_sinh",
        "ben_nam_so_giay_to",
        "ngay_lam_don",
    ],
    "to_khai_xac_nhan_hon_nhan": [
        "nguoi_yeu_cau_ho_ten",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "so_giay_to",
        "noi_cu_tru",
        "tinh_trang_hon_nhan",
        "muc_dich_su_dung",
        "ngay_lam_don",
    ],
    "giay_de_nghi_ho_kinh_doanh": [
        "ten_ho_kinh_doanh",
        "dia_chi_tru_so",
        "nganh_nghe",
        "von_kinh_doanh",
        "chu_ho_ho_ten",
        "chu_ho_so_dinh_danh",
        "ngay_lam_don",
    ],
    "giay_uy_quyen": ["ben_uy_quyen_ho_ten", "ben_duoc_uy_quyen_ho_ten", "noi_dung"],
    "khac": [],
}

CONTRACT_REQUIRED = {
    "1.001193": {"to_khai_khai_sinh", "giay_chung_sinh"},
    "1.000894": {"to_khai_ket_hon"},
    "1.004873": {"to_khai_xac_nhan_hon_nhan"},
    "1.001612": {"giay_de_nghi_ho_kinh_doanh"},
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# ---------------------------------------------------------------- the real catalogue


def test_default_folder_is_repo_catalog(catalog: Catalog) -> None:
    assert catalog.folder.resolve() == (REPO / "catalog").resolve()
    assert load_catalog(REPO / "catalog").procedures.keys() == catalog.procedures.keys()


def test_all_required_procedures_present(catalog: Catalog) -> None:
    assert set(catalog.procedures) >= REQUIRED_CODES
    assert len(catalog.procedures) >= 15


def test_every_field_filled(catalog: Catalog) -> None:
    for proc in catalog.procedures.values():
        assert proc.name and proc.domain and proc.legal_basis, proc.code
        assert proc.publishing_decision or "unverified" in (proc.notes or ""), proc.code
        for v in proc.versions:
            assert v.agency and v.result and v.source, proc.code
            assert v.level in {"xa", "huyen", "tinh", "trung_uong"}
            assert v.fee.description, proc.code
            if v.processing_time.unit == "same_day":
                assert v.processing_time.cutoff is not None
            else:
                assert v.processing_time.value, proc.code
            assert v.components, proc.code
            for c in v.components:
                assert c.name and c.source and c.quantity.count >= 1, (proc.code, c.type)
                assert c.required or c.condition or c.mode == "xuat_trinh", (proc.code, c.type)


def test_no_district_level_after_cutover(catalog: Catalog) -> None:
    for proc in catalog.procedures.values():
        assert proc.version_on(CUTOVER).level != "huyen", proc.code


def test_same_day_procedures_use_15h_cutoff(catalog: Catalog) -> None:
    birth = catalog.procedure("1.001193").version_on(date(2025, 11, 25))
    assert birth.processing_time.unit == "same_day"
    assert birth.processing_time.cutoff is not None
    assert birth.processing_time.cutoff.isoformat(timespec="minutes") == "15:00"
    for code in ("2.000815", "2.000884", "2.000908", "2.000635"):
        pt = catalog.procedure(code).current.processing_time
        assert pt.unit == "same_day" and pt.cutoff is not None, code


def test_contract_document_types_and_fields(catalog: Catalog) -> None:
    for type_id, fields in CONTRACT_TYPES.items():
        dt = catalog.document_type(type_id)
        assert dt.name
        assert list(dt.fields) == fields, type_id
        if type_id != "khac":
            assert dt.title_patterns, type_id


def test_document_type_ids_and_patterns_are_clean(catalog: Catalog) -> None:
    for type_id, dt in catalog.document_types.items():
        assert type_id.isascii() and type_id == type_id.lower(), type_id
        for pattern in dt.title_patterns:
            assert pattern == pattern.upper(), pattern
            assert unicodedata.is_normalized("NFC", pattern)


def test_every_used_type_is_declared(catalog: Catalog) -> None:
    for proc in catalog.procedures.values():
        for v in proc.versions:
            assert v.type_ids() <= catalog.document_types.keys(), proc.code


@pytest.mark.parametrize("code", sorted(CONTRACT_REQUIRED))
def test_contract_procedures_require_exactly_contract_types(catalog: Catalog, code: str) -> None:
    proc = catalog.procedure(code)
    for v in proc.versions:
        assert {r.type for r in v.required_types()} == CONTRACT_REQUIRED[code]


def test_birth_certificate_substitutes_are_alternatives(catalog: Catalog) -> None:
    v = catalog.procedure("1.001193").version_on(date(2025, 11, 25))
    by_type = {r.type: r for r in v.required_types()}
    req = by_type["giay_chung_sinh"]
    assert set(req.alternatives) == {"van_ban_nguoi_lam_chung", "giay_cam_doan_viec_sinh"}
    assert req.accepts("giay_cam_doan_viec_sinh") and req.accepts("giay_chung_sinh")
    assert not req.accepts("to_khai_khai_sinh")
    for alt in req.alternatives:
        assert catalog.document_type(alt).title_patterns


def test_identity_cards_are_never_required(catalog: Catalog) -> None:
    for proc in catalog.procedures.values():
        for v in proc.versions:
            for c in v.components:
                if c.type == "cccd":
                    assert not c.required, proc.code
            assert "cccd" not in {r.type for r in v.required_types()}, proc.code
    for code in CONTRACT_REQUIRED:
        v = catalog.procedure(code).current
        modes = {c.mode for c in v.components if c.type == "cccd"}
        assert modes == {"xuat_trinh"}, code


def test_power_of_attorney_is_conditional(catalog: Catalog) -> None:
    seen = 0
    for proc in catalog.procedures.values():
        for v in proc.versions:
            for c in v.components:
                if c.type == "giay_uy_quyen":
                    seen += 1
                    assert not c.required and c.condition, proc.code
    assert seen >= 5


def test_versions_resolve_by_date(catalog: Catalog) -> None:
    land = catalog.procedure("1.013978")
    before, after = land.version_on(date(2025, 6, 30)), land.version_on(CUTOVER)
    assert before is not after
    assert before.level == "huyen" and after.level == "xa"
    assert "04/ĐK" in before.components[0].name and "Mẫu số 15" in after.components[0].name

    hkd = catalog.procedure("1.001612")
    assert hkd.version_on(date(2024, 1, 1)).level == "huyen"
    assert hkd.version_on(date(2025, 7, 2)).level == "xa"
    assert hkd.version_on(date(2030, 1, 1)) is hkd.current

    with pytest.raises(NoVersionError, match=r"1\.001612.*2020-01-01"):
        hkd.version_on(date(2020, 1, 1))


def test_unknown_lookups_raise_clear_key_errors(catalog: Catalog) -> None:
    with pytest.raises(KeyError, match=r"unknown procedure code '9\.999999'"):
        catalog.procedure("9.999999")
    with pytest.raises(KeyError, match="unknown document type 'giay_khong_co'"):
        catalog.document_type("giay_khong_co")


def test_required_type_is_a_tuple_with_alternatives() -> None:
    r = RequiredType("a", ("b",))
    assert r.type == "a" and r.alternatives == ("b",) and r.accepts("b")


def test_catalog_text_is_nfc_on_disk() -> None:
    for path in (REPO / "catalog").rglob("*"):
        if path.suffix in {".yaml", ".md"}:
            text = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", text), path


# ---------------------------------------------------------------- broken catalogues


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the real document types plus one small, valid procedure file."""
    shutil.copy(REPO / "catalog" / "document_types.yaml", tmp_path / "document_types.yaml")
    (tmp_path / "procedures").mkdir()
    _write_proc(tmp_path, _procedure())
    load_catalog(tmp_path)  # the baseline is valid
    return tmp_path


def _version(start: str, end: str | None, comp_type: str = "to_khai_ket_hon") -> dict:
    return {
        "effective_from": date.fromisoformat(start),
        "effective_to": date.fromisoformat(end) if end else None,
        "level": "xa",
        "agency": "Ủy ban nhân dân cấp xã",
        "source": "Luật Hộ tịch 2014, Điều 18",
        "processing_time": {"unit": "same_day", "cutoff": "15:00"},
        "fee": {"free": True, "amount_vnd": 0, "description": "Miễn lệ phí"},
        "result": "Giấy chứng nhận kết hôn",
        "components": [
            {
                "type": comp_type,
                "name": "Tờ khai đăng ký kết hôn",
                "quantity": {"count": 1, "form": "ban_chinh"},
                "mode": "nop",
                "required": True,
                "source": "Luật Hộ tịch 2014, Điều 18",
            }
        ],
    }


def _procedure(code: str = "1.000894", versions: list[dict] | None = None) -> dict:
    return {
        "code": code,
        "name": "Đăng ký kết hôn",
        "domain": "Hộ tịch",
        "publishing_decision": None,
        "legal_basis": ["Luật Hộ tịch 2014"],
        "notes": "Quyết định công bố: unverified",
        "versions": versions or [_version("2016-01-01", None)],
    }


def _write_proc(folder: Path, data: dict, name: str | None = None) -> Path:
    path = folder / "procedures" / f"{name or data['code']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_rejects_unknown_type_id(mini: Path) -> None:
    _write_proc(mini, _procedure(versions=[_version("2016-01-01", None, "giay_khong_ton_tai")]))
    with pytest.raises(
        CatalogError, match=r"1\.000894\.yaml.*unknown document type.*giay_khong_ton_tai"
    ):
        load_catalog(mini)


def test_rejects_unknown_alternative(mini: Path) -> None:
    data = _procedure()
    data["versions"][0]["components"][0]["alternatives"] = ["giay_ma"]
    _write_proc(mini, data)
    with pytest.raises(CatalogError, match=r"unknown document type.*giay_ma"):
        load_catalog(mini)


def test_rejects_overlapping_versions(mini: Path) -> None:
    versions = [_version("2016-01-01", "2025-07-01"), _version("2025-07-01", None)]
    _write_proc(mini, _procedure(versions=versions))
    with pytest.raises(CatalogError, match=r"1\.000894\.yaml.*versions overlap"):
        load_catalog(mini)


def test_rejects_open_ended_version_before_another(mini: Path) -> None:
    versions = [_version("2016-01-01", None), _version("2025-07-01", None)]
    _write_proc(mini, _procedure(versions=versions))
    with pytest.raises(CatalogError, match="versions overlap"):
        load_catalog(mini)


def test_rejects_unordered_versions(mini: Path) -> None:
    versions = [_version("2025-07-01", None), _version("2016-01-01", "2025-06-30")]
    _write_proc(mini, _procedure(versions=versions))
    with pytest.raises(CatalogError, match="not in order"):
        load_catalog(mini)


def test_rejects_non_nfc_text(mini: Path) -> None:
    data = _procedure()
    data["name"] = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    path = _write_proc(mini, data)
    assert not unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))
    with pytest.raises(CatalogError, match=r"1\.000894\.yaml.*'name' is not Unicode NFC"):
        load_catalog(mini)


def test_rejects_non_nfc_document_types(mini: Path) -> None:
    types_path = mini / "document_types.yaml"
    text = types_path.read_text(encoding="utf-8")
    types_path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"document_types\.yaml.*not Unicode NFC"):
        load_catalog(mini)


def test_rejects_unknown_key(mini: Path) -> None:
    data = _procedure()
    data["versions"][0]["components"][0]["bat_buoc"] = True
    _write_proc(mini, data)
    with pytest.raises(
        CatalogError, match=r"unknown key 'bat_buoc' at versions\[0\]\.components\[0\]"
    ):
        load_catalog(mini)


def test_rejects_unknown_top_level_key(mini: Path) -> None:
    data = _procedure()
    data["ten_khac"] = "x"
    _write_proc(mini, data)
    with pytest.raises(CatalogError, match="unknown key 'ten_khac' at <root>"):
        load_catalog(mini)


def test_rejects_code_file_mismatch(mini: Path) -> None:
    (mini / "procedures" / "1.000894.yaml").unlink()
    _write_proc(mini, _procedure(), name="1.000895")
    with pytest.raises(CatalogError, match=r"1\.000895\.yaml: code '1\.000894' does not match"):
        load_catalog(mini)


def test_rejects_unquoted_code(mini: Path) -> None:
    path = mini / "procedures" / "1.000894.yaml"
    text = path.read_text(encoding="utf-8").replace("code: '1.000894'", "code: 1.000894")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"1\.000894\.yaml: code"):
        load_catalog(mini)


def test_rejects_required_and_conditional(mini: Path) -> None:
    data = _procedure()
    data["versions"][0]["components"][0]["condition"] = "Khi có yêu cầu"
    _write_proc(mini, data)
    with pytest.raises(CatalogError, match="both required and conditional"):
        load_catalog(mini)


def test_rejects_blank_decision_without_unverified_note(mini: Path) -> None:
    data = _procedure()
    data["notes"] = None
    _write_proc(mini, data)
    with pytest.raises(CatalogError, match="publishing_decision is empty"):
        load_catalog(mini)


def test_rejects_same_day_without_cutoff(mini: Path) -> None:
    data = _procedure()
    data["versions"][0]["processing_time"] = {"unit": "same_day"}
    _write_proc(mini, data)
    with pytest.raises(CatalogError, match="cutoff"):
        load_catalog(mini)


def test_rejects_duplicate_document_type(mini: Path) -> None:
    types_path = mini / "document_types.yaml"
    data = yaml.safe_load(types_path.read_text(encoding="utf-8"))
    data["types"].append(dict(data["types"][0]))
    types_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="'cccd' is defined twice"):
        load_catalog(mini)


def test_rejects_invalid_yaml(mini: Path) -> None:
    (mini / "procedures" / "1.000894.yaml").write_text("code: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"1\.000894\.yaml: invalid YAML"):
        load_catalog(mini)


def test_rejects_unquoted_cutoff(mini: Path) -> None:
    path = mini / "procedures" / "1.000894.yaml"
    text = path.read_text(encoding="utf-8").replace("cutoff: '15:00'", "cutoff: 15:00")
    assert "cutoff: 15:00" in text
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match="quoted time"):
        load_catalog(mini)
