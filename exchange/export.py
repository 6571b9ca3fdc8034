"""Export one dossier as a ZIP package: its XML, every stored object, a checksum manifest.

Layout (stable, see exchange/README.md)::

    ho-so.xml                       records + Decree 30/2020 Appendix VI metadata
    objects/<kind>/<sha256>.<ext>   every stored object of the dossier
    manifest-sha256.txt             "<sha256>  <path>" for every other member

Every object is exported, not only the originals and PDFs: page images, OCR
JSON and the metadata file cannot be re-made byte for byte (OCR results
depend on the Tesseract build), and the records point at them by key, so an
import without them would not be the same dossier.

Objects are streamed from the store into the ZIP and hashed on the way; an
object whose bytes no longer match its record stops the export (a package
must never carry a corrupt copy under a good checksum). The ZIP is written
next to its destination under a temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from archive.audit import record_audit
from archive.transactions import in_write_transaction
from exchange.errors import DossierNotFound, ExportFailed
from exchange.package_xml import to_xml
from exchange.snapshot import DossierData, ObjectData, read_snapshot
from models.catalog import Catalog, load_catalog
from models.records import utcnow
from storage import ObjectMissing, ObjectStore, StorageError

__all__ = ["MANIFEST", "SOFTWARE", "XML_NAME", "export_dossier", "package_name"]

XML_NAME = "ho-so.xml"
MANIFEST = "manifest-sha256.txt"
SOFTWARE = "hoso 0.1"
CHUNK = 1024 * 1024
# Already compressed: deflating them again costs time and saves nothing.
_STORED_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff", "image/jp2")


def package_name(code: str) -> str:
    """File name of a dossier's package."""
    return f"{code}.zip"


def export_dossier(session: Session, store: ObjectStore, code: str, destination: Path, *,
                   agency_code: str | None = None, actor: str = "system",
                   catalog: Catalog | None = None) -> Path:
    """Write ``destination/<code>.zip`` and return its path.

    ``agency_code`` limits the lookup to one agency (another agency's dossier
    is then "not found"). Records an audit entry ``dossier.exported``.
    Raises ``DossierNotFound``, ``ExportFailed`` or the store's ``StorageError``.
    """
    data = read_snapshot(session, code, agency_code)
    session.commit()
    if data is None:
        raise DossierNotFound(code)
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / package_name(code)
    partial = destination / f".{target.name}.part"
    try:
        checksums = _write_zip(partial, store, data, catalog or load_catalog())
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    in_write_transaction(session, lambda s: record_audit(
        s, "dossier.exported", actor=actor, dossier_id=data.record_id,
        details={"package": target.name, "bytes": target.stat().st_size,
                 "objects": len(data.objects), "xml_sha256": checksums[XML_NAME]}))
    return target


def _write_zip(path: Path, store: ObjectStore, data: DossierData,
               catalog: Catalog) -> dict[str, str]:
    checksums: dict[str, str] = {}
    exported_at = utcnow()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        xml = to_xml(data, catalog=catalog, exported_at=exported_at, software=SOFTWARE)
        archive.writestr(_info(XML_NAME, exported_at, deflate=True), xml)
        checksums[XML_NAME] = hashlib.sha256(xml).hexdigest()
        for obj in data.objects:
            if obj.package_path in checksums:
                continue  # two rows, one object: impossible by key, harmless if it happens
            _copy_object(archive, store, obj)
            checksums[obj.package_path] = obj.sha256
        manifest = "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))
        archive.writestr(_info(MANIFEST, exported_at, deflate=True), manifest.encode("ascii"))
    return checksums


def _copy_object(archive: zipfile.ZipFile, store: ObjectStore, obj: ObjectData) -> None:
    """Stream one object into the ZIP, checking it against its record as it passes."""
    info = _info(obj.package_path, obj.created_at,
                 deflate=obj.content_type not in _STORED_TYPES)
    info.file_size = obj.size  # lets zipfile choose ZIP64 up front for very large scans
    digest = hashlib.sha256()
    size = 0
    try:
        with store.open(obj.key) as source, archive.open(info, "w") as sink:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
    except ObjectMissing:
        raise ExportFailed(obj.key, "object missing from the store (run dossier fsck)") from None
    except StorageError as exc:
        raise ExportFailed(obj.key, str(exc)) from None
    if digest.hexdigest() != obj.sha256 or size != obj.size:
        raise ExportFailed(obj.key, f"stored bytes do not match the record (sha256 "
                                    f"{digest.hexdigest()[:12]}…, {size} bytes; run dossier fsck)")


def _info(name: str, moment: datetime, *, deflate: bool) -> zipfile.ZipInfo:
    local = moment.astimezone()  # ZIP times are local wall-clock times, 1980 or later
    info = zipfile.ZipInfo(name, date_time=(max(local.year, 1980), local.month, local.day,
                                            local.hour, local.minute, local.second))
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info
