"""The package XML: a dossier snapshot to XML (with Decree 30/2020 Appendix VI metadata) and back.

Layout and names: ``schema/ho-so-so-hoa.xsd`` (namespace ``urn:hoso:goi-ho-so:1``)
and ``exchange/README.md``. The Appendix VI parts (``HoSo``, the first
elements of each ``VanBan``) are *derived* from the records for readers such
as an archive; import reads back only hoso's own parts, which carry every
record exactly (floats as ``repr``, times with their UTC offset), so a round
trip is lossless.

Parsing treats the file as hostile: no DTD, no entities, no network, and the
schema is checked before a single value is read.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from archive.metadata import DocumentSummary, build_metadata
from exchange.errors import PackageInvalid
from exchange.snapshot import (
    AuditData,
    CheckData,
    DocumentData,
    DossierData,
    FieldData,
    ObjectData,
    PageData,
    ProcedureData,
)
from models.catalog import Catalog

__all__ = ["NAMESPACE", "SCHEMA_PATH", "VERSION", "from_xml", "schema", "to_xml", "validate"]

NAMESPACE = "urn:hoso:goi-ho-so:1"
VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "ho-so-so-hoa.xsd"
LANGUAGE = "Tiếng Việt"

_N = f"{{{NAMESPACE}}}"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Field ids whose value fills an Appendix VI element of a document, when a type has one.
_NUMBER_FIELDS = ("so_ky_hieu", "so_va_ky_hieu")
_DATE_FIELDS = ("ngay_ban_hanh", "ngay_lam_don", "ngay_cap")
_ISSUER_FIELDS = ("co_quan_ban_hanh", "co_quan_cap", "noi_cap")


@functools.cache
def schema() -> etree.XMLSchema:
    """The package schema, loaded once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


# ----------------------------------------------------------------------------- writing


def to_xml(data: DossierData, *, catalog: Catalog, exported_at: datetime,
           software: str) -> bytes:
    """The XML of ``data`` (UTF-8, with declaration); valid against the schema by construction."""
    root = etree.Element(_N + "GoiHoSo", nsmap={None: NAMESPACE})
    root.set("PhienBan", str(VERSION))
    root.set("NgayXuat", exported_at.isoformat())
    root.set("PhanMem", software)
    _appendix_dossier(root, data, catalog)
    docs = _sub(root, "DanhSachVanBan")
    for doc in data.documents:
        _document(docs, data, doc, catalog)
    _reception(root, data)
    _verdict(root, data.result)
    pages = _sub(root, "DanhSachTrang")
    for page in data.pages:
        el = _sub(pages, "Trang")
        _attrs(el, ChiSo=page.page_index, VanBan=page.document, Nguon=page.source,
               DoTinCay=page.confidence, Xoay=page.rotation, DoNghieng=page.skew_degrees,
               Dpi=page.dpi, TrangTrang=page.blank, Rong=page.width, Cao=page.height)
        _free_text(_sub(el, "NoiDung"), page.text)
    checks = _sub(root, "DanhSachKiemTra")
    for check in data.checks:
        el = _sub(checks, "KiemTra")
        _attrs(el, Loai=check.kind, DatYeuCau=check.ok, ThoiDiem=check.created_at)
        _free_text(el, check.message)
    objects = _sub(root, "DanhSachDoiTuong")
    for obj in data.objects:
        _attrs(_sub(objects, "DoiTuong"), Loai=obj.kind, DuongDan=obj.package_path,
               Khoa=obj.key, SHA256=obj.sha256, KichThuoc=obj.size,
               KieuNoiDung=obj.content_type, Trang=obj.page_index, VanBan=obj.document,
               TenGoc=obj.original_name, TaoLuc=obj.created_at)
    trail = _sub(root, "NhatKy")
    for entry in data.audit:
        el = _sub(trail, "MucNhatKy")
        _attrs(el, ThoiDiem=entry.at, NguoiThucHien=entry.actor, HanhDong=entry.action)
        _free_text(_sub(el, "ChiTiet"), _json(entry.details))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _appendix_dossier(root: etree._Element, data: DossierData, catalog: Catalog) -> None:
    """``HoSo``: the same Appendix VI values as the metadata file kept with the dossier."""
    summaries = [DocumentSummary(d.position, d.type_id, _type_name(catalog, d.type_id),
                                 _doc_pages(data, d), d.confidence) for d in data.documents]
    proc = data.procedure
    decree = build_metadata(
        dossier_code=data.code, record_id=data.record_id, agency_code=data.agency_code,
        agency_name=data.agency_name, procedure_code=proc.code if proc else None,
        procedure_name=proc.name if proc else None, applicant_name=data.applicant_name,
        received_at=data.received_at, status=data.status, page_count=len(data.pages),
        sheet_count=None, documents=summaries, objects=[])["decree_30_2020"]
    el = _sub(root, "HoSo")
    for name, key in (("MaHoSo", "ma_ho_so"), ("TieuDeHoSo", "tieu_de_ho_so"),
                      ("ThoiHanBaoQuan", "thoi_han_bao_quan"),
                      ("CheDoSuDung", "che_do_su_dung"), ("NgonNgu", "ngon_ngu"),
                      ("ThoiGianBatDau", "thoi_gian_bat_dau"),
                      ("ThoiGianKetThuc", "thoi_gian_ket_thuc"),
                      ("TongSoVanBan", "tong_so_van_ban"), ("SoLuongTo", "so_luong_to"),
                      ("SoLuongTrang", "so_luong_trang")):
        _text(el, name, decree[key])
    for keyword in decree["tu_khoa"]:
        _text(el, "TuKhoa", keyword)
    _text(el, "TinhTrangVatLy", decree["tinh_trang_vat_ly"])
    _text(el, "GhiChu", decree["ghi_chu"])


def _document(parent: etree._Element, data: DossierData, doc: DocumentData,
              catalog: Catalog) -> None:
    el = _sub(parent, "VanBan")
    _attrs(el, ViTri=doc.position, MaLoai=doc.type_id)
    values = {f.field_id: f.value for f in doc.fields}
    name = _type_name(catalog, doc.type_id)
    person = next((v for k, v in values.items() if k.endswith("ho_ten") and v), None)
    issued = next((values[k] for k in _DATE_FIELDS if _DATE.fullmatch(values.get(k, ""))),
                  None)
    _text(el, "MaDinhDanhVanBan", f"{data.code}.{doc.position + 1:03d}")
    _text(el, "TenLoaiVanBan", name)
    _text(el, "SoVaKyHieu", next((values[k] for k in _NUMBER_FIELDS if values.get(k)), None))
    _text(el, "NgayThangNamVanBan", issued)
    _text(el, "TenCoQuanBanHanh", next((values[k] for k in _ISSUER_FIELDS if values.get(k)),
                                       None))
    _text(el, "TrichYeuNoiDung", f"{name} của {person}" if person else name)
    _text(el, "NgonNgu", LANGUAGE)
    _text(el, "SoLuongTrang", doc.page_count)
    _text(el, "TrangDau", doc.first_page)
    _text(el, "DoTinCay", doc.confidence)
    fields = _sub(el, "DanhSachTruong")
    for item in doc.fields:
        f = _sub(fields, "Truong")
        _attrs(f, Ma=item.field_id, DoTinCay=item.confidence, Nguon=item.source,
               Trang=item.page, Khung=" ".join(_number(n) for n in item.bbox)
               if item.bbox is not None else None,
               NguoiSua=item.corrected_by, SuaLuc=item.corrected_at)
        _free_text(f, item.value)


def _reception(root: etree._Element, data: DossierData) -> None:
    el = _sub(root, "TiepNhan")
    _text(el, "MaBanGhi", data.record_id)
    _attrs(_sub(el, "CoQuanTiepNhan"), Ma=data.agency_code, Ten=data.agency_name)
    if data.procedure is not None:
        p = data.procedure
        _attrs(_sub(el, "ThuTuc"), Ma=p.code, Ten=p.name, LinhVuc=p.domain,
               HieuLucTu=p.effective_from)
    _text(el, "NguoiNop", data.applicant_name)
    _text(el, "TrangThai", data.status)
    _text(el, "ThoiDiemTiepNhan", data.received_at)
    _text(el, "HanTraKetQua", data.due_at)
    _text(el, "SoTrangDaXuLy", data.pages_done)
    _text(el, "TongSoTrang", data.pages_total)
    _text(el, "DauVanTay", data.fingerprint)
    _text(el, "CanXemLai", data.needs_review)
    _text(el, "CanXuLyLai", data.needs_reprocessing)
    _text(el, "LyDoXemLai", data.review_reason)
    _text(el, "CapNhatLuc", data.updated_at)
    if data.result is not None:
        _free_text(_sub(el, "KetQuaXuLy"), _json(data.result))


def _verdict(root: etree._Element, result: dict[str, Any] | None) -> None:
    verdict = (result or {}).get("completeness")
    if not isinstance(verdict, dict):
        return
    el = _sub(root, "KetLuan")
    el.set("Du", _value(bool(verdict.get("complete"))))
    for missing in verdict.get("missing") or []:
        _text(el, "ThieuThanhPhan", str(missing))
    for problem in verdict.get("problems") or []:
        item = _sub(el, "VanDe")
        item.set("Loai", str(problem.get("kind", "")))
        _free_text(item, str(problem.get("message", "")))


def _doc_pages(data: DossierData, doc: DocumentData) -> list[int]:
    pages = [p.page_index for p in data.pages if p.document == doc.position]
    return pages or list(range(doc.first_page, doc.first_page + doc.page_count))


def _type_name(catalog: Catalog, type_id: str) -> str:
    found = catalog.document_types.get(type_id)
    return found.name if found is not None else type_id


def _sub(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, _N + name)


def _text(parent: etree._Element, name: str, value: Any) -> None:
    """A child element holding ``value``; nothing at all for None (optional elements)."""
    if value is None:
        return
    _sub(parent, name).text = _checked(name, _value(value))


def _attrs(el: etree._Element, **values: Any) -> None:
    for name, value in values.items():
        if value is not None:
            el.set(name, _checked(name, _value(value)))


def _free_text(el: etree._Element, text: str) -> None:
    """Text that XML 1.0 can carry as is; otherwise base64 of its UTF-8 (``MaHoa``)."""
    if _NOT_XML.search(text):
        el.set("MaHoa", "base64")
        el.text = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
    else:
        el.text = text


def _checked(name: str, text: str) -> str:
    if _NOT_XML.search(text):
        raise ValueError(f"{name}: value holds a character XML cannot carry")
    return text


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _number(value: float | int) -> str:
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# ----------------------------------------------------------------------------- reading


def validate(xml: bytes, name: str) -> etree._ElementTree:
    """Parse ``xml`` safely and check it against the schema; ``PackageInvalid`` naming ``name``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, remove_blank_text=True)
    try:
        tree = etree.ElementTree(etree.fromstring(xml, parser))
    except etree.XMLSyntaxError as exc:
        raise PackageInvalid(name, f"not well-formed XML: {exc}") from None
    if tree.docinfo.doctype:
        raise PackageInvalid(name, "a DOCTYPE is not allowed")
    checker = schema()
    if not checker.validate(tree):
        error = checker.error_log.last_error
        raise PackageInvalid(name, f"does not match {SCHEMA_PATH.name}: line {error.line}: "
                                   f"{error.message}")
    return tree


def from_xml(xml: bytes, name: str) -> DossierData:
    """The snapshot carried by a package's XML (validated first)."""
    root = validate(xml, name).getroot()
    try:
        return _read(root)
    except (ValueError, KeyError, TypeError) as exc:  # valid XML, inconsistent values
        raise PackageInvalid(name, f"inconsistent content: {exc}") from None


def _read(root: etree._Element) -> DossierData:
    rec = _one(root, "TiepNhan")
    agency = _one(rec, "CoQuanTiepNhan")
    proc = rec.find(_N + "ThuTuc")
    code = _req(_one(root, "HoSo"), "MaHoSo")
    result = _opt(rec, "KetQuaXuLy")
    documents = [
        DocumentData(
            position=int(el.get("ViTri")), type_id=el.get("MaLoai"),
            first_page=int(_req(el, "TrangDau")), page_count=int(_req(el, "SoLuongTrang")),
            confidence=float(_req(el, "DoTinCay")),
            fields=[FieldData(
                field_id=f.get("Ma"), value=_free(f), confidence=float(f.get("DoTinCay")),
                source=f.get("Nguon"), page=_int(f.get("Trang")),
                bbox=[_parse_number(n) for n in f.get("Khung").split()]
                if f.get("Khung") is not None else None,
                corrected_by=f.get("NguoiSua"), corrected_at=_time(f.get("SuaLuc")))
                for f in _one(el, "DanhSachTruong").iterchildren(_N + "Truong")])
        for el in _one(root, "DanhSachVanBan").iterchildren(_N + "VanBan")]
    pages = [
        PageData(page_index=int(el.get("ChiSo")), document=_int(el.get("VanBan")),
                 source=el.get("Nguon"), text=_free(_one(el, "NoiDung")),
                 confidence=float(el.get("DoTinCay")), rotation=int(el.get("Xoay")),
                 skew_degrees=float(el.get("DoNghieng")), dpi=int(el.get("Dpi")),
                 blank=_bool(el.get("TrangTrang")), width=int(el.get("Rong")),
                 height=int(el.get("Cao")))
        for el in _one(root, "DanhSachTrang").iterchildren(_N + "Trang")]
    checks = [CheckData(el.get("Loai"), _free(el), _bool(el.get("DatYeuCau")),
                        _time(el.get("ThoiDiem")))
              for el in _one(root, "DanhSachKiemTra").iterchildren(_N + "KiemTra")]
    objects = [
        ObjectData(key=el.get("Khoa"), sha256=el.get("SHA256"), size=int(el.get("KichThuoc")),
                   content_type=el.get("KieuNoiDung"), kind=el.get("Loai"),
                   page_index=_int(el.get("Trang")), document=_int(el.get("VanBan")),
                   original_name=el.get("TenGoc"), created_at=_time(el.get("TaoLuc")))
        for el in _one(root, "DanhSachDoiTuong").iterchildren(_N + "DoiTuong")]
    for obj, el in zip(objects, _one(root, "DanhSachDoiTuong"), strict=True):
        if obj.package_path != el.get("DuongDan"):
            raise ValueError(f"object {obj.key}: path {el.get('DuongDan')} is not its own")
    audit = [AuditData(_time(el.get("ThoiDiem")), el.get("NguoiThucHien"), el.get("HanhDong"),
                       json.loads(_free(_one(el, "ChiTiet"))))
             for el in _one(root, "NhatKy").iterchildren(_N + "MucNhatKy")]
    return DossierData(
        record_id=_req(rec, "MaBanGhi"), code=code, agency_code=agency.get("Ma"),
        agency_name=agency.get("Ten"),
        procedure=ProcedureData(proc.get("Ma"), proc.get("Ten"), proc.get("LinhVuc"),
                                date.fromisoformat(proc.get("HieuLucTu"))
                                if proc.get("HieuLucTu") else None)
        if proc is not None else None,
        applicant_name=_opt(rec, "NguoiNop"), status=_req(rec, "TrangThai"),
        received_at=_time(_req(rec, "ThoiDiemTiepNhan")),
        due_at=_time(_opt(rec, "HanTraKetQua")),
        pages_done=int(_req(rec, "SoTrangDaXuLy")), pages_total=int(_req(rec, "TongSoTrang")),
        result=json.loads(result) if result is not None else None,
        fingerprint=_opt(rec, "DauVanTay"), needs_review=_bool(_req(rec, "CanXemLai")),
        needs_reprocessing=_bool(_req(rec, "CanXuLyLai")),
        review_reason=_opt(rec, "LyDoXemLai"), updated_at=_time(_req(rec, "CapNhatLuc")),
        documents=documents, pages=pages, checks=checks, objects=objects, audit=audit)


def _one(parent: etree._Element, name: str) -> etree._Element:
    found = parent.find(_N + name)
    if found is None:
        raise KeyError(name)
    return found


def _req(parent: etree._Element, name: str) -> str:
    return _one(parent, name).text or ""


def _opt(parent: etree._Element, name: str) -> str | None:
    found = parent.find(_N + name)
    if found is None:
        return None
    return _free(found)


def _free(el: etree._Element) -> str:
    text = el.text or ""
    if el.get("MaHoa") == "base64":
        return base64.b64decode(text, validate=True).decode("utf-8", "surrogatepass")
    return text


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def _bool(text: str | None) -> bool:
    return text in ("true", "1")


def _time(text: str | None) -> datetime | None:  # type: ignore[return]
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text} has no UTC offset")
    return moment


def _parse_number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
