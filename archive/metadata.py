"""The metadata file kept with each dossier.

Decree 30/2020/NĐ-CP (Appendix VI) lists the information an electronic file
(hồ sơ) carries when it is kept and later handed to the archive: its code,
title, retention period, access regime, language, start and end dates, how
many documents and pages it holds, keywords, physical state and notes. We
fill in the fields that apply to a reception-desk dossier under
``decree_30_2020`` (Vietnamese names, as the Appendix writes them, in
snake_case) and add our own under ``hoso``: where every object is, with its
SHA-256, so the file alone is enough to re-check the whole dossier.

The JSON is deterministic (sorted keys, no generation time) so keeping the
same result twice yields the same bytes and therefore the same
content-addressed object.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.dossier_code import VIETNAM_TZ

__all__ = ["DocumentSummary", "ObjectSummary", "build_metadata", "metadata_bytes"]

SCHEMA = "hoso.dossier-metadata/1"


@dataclass(frozen=True)
class DocumentSummary:
    position: int
    type_id: str
    type_name: str
    pages: Sequence[int]
    confidence: float


@dataclass(frozen=True)
class ObjectSummary:
    kind: str
    key: str
    sha256: str
    size: int
    content_type: str
    page: int | None = None
    document: int | None = None
    name: str | None = None


def build_metadata(*, dossier_code: str, record_id: str, agency_code: str, agency_name: str,
                   procedure_code: str | None, procedure_name: str | None,
                   applicant_name: str | None, received_at: Any, status: str,
                   page_count: int, sheet_count: int | None,
                   documents: Sequence[DocumentSummary], objects: Sequence[ObjectSummary],
                   low_dpi_pages: Sequence[int] = (),
                   extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The metadata document as a dict (see module doc for the layout)."""
    received_local = received_at.astimezone(VIETNAM_TZ)
    title = f"Hồ sơ {procedure_name}" if procedure_name else "Hồ sơ tiếp nhận"
    if applicant_name:
        title += f" của {applicant_name}"
    decree = {
        "ma_ho_so": dossier_code,
        "tieu_de_ho_so": title,
        "thoi_han_bao_quan": None,  # set by the agency's retention schedule, not by the desk
        "che_do_su_dung": "Hạn chế",  # holds personal data (Decree 13/2023): restricted
        "ngon_ngu": "Tiếng Việt",
        "thoi_gian_bat_dau": received_local.date().isoformat(),
        "thoi_gian_ket_thuc": received_local.date().isoformat(),
        "tong_so_van_ban": len(documents),
        "so_luong_to": sheet_count,
        "so_luong_trang": page_count,
        "tu_khoa": [k for k in (procedure_name, procedure_code) if k],
        "tinh_trang_vat_ly": "Bản số hóa từ bản giấy do công dân nộp",
        "ghi_chu": (f"Trang dưới 200 dpi: {', '.join(str(p) for p in low_dpi_pages)}"
                    if low_dpi_pages else None),
        "co_quan_tiep_nhan": {"ma": agency_code, "ten": agency_name},
    }
    ours = {
        "schema": SCHEMA,
        "record_id": record_id,
        "status": status,
        "received_at": received_at.isoformat(),
        "procedure": procedure_code,
        "applicant_name": applicant_name,
        "documents": [
            {"position": d.position, "type": d.type_id, "name": d.type_name,
             "pages": list(d.pages), "confidence": round(d.confidence, 4)}
            for d in documents
        ],
        "objects": [
            {k: v for k, v in vars(o).items() if v is not None} for o in objects
        ],
        **dict(extra or {}),
    }
    return {"decree_30_2020": decree, "hoso": ours}


def metadata_bytes(metadata: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, every string NFC, keys sorted: same content, same bytes."""
    return json.dumps(_nfc(metadata), ensure_ascii=False, sort_keys=True, indent=1).encode()


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value
