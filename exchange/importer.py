"""Import an export package into this installation, as archive/receive and archive/keep record.

The package is checked completely before anything is written:

1. it is a ZIP whose members are exactly the manifest's, with no duplicates;
2. the XML matches its manifest checksum and the schema;
3. every object the XML lists is in the manifest with the same SHA-256, its
   key is a content-addressed key *of this dossier* (same code, agency, kind
   and digest), and its bytes, streamed, hash to that digest and size.

Any failure raises ``PackageInvalid`` naming the member. Then, as on a
reception, the objects are stored first (content-addressed: present ones are
skipped) and only then one transaction writes the agency, the procedure if
unknown here, the dossier with its original record id and code, its
documents, fields, pages, checks, stored-object rows, its audit history as
exported and an ``dossier.imported`` entry, and moves the agency's day counter
past the imported number so this installation never hands the code out again.

Importing a package whose dossier is already here with the same records
changes nothing; with different records it is an ``ImportConflict``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.audit import record_audit
from archive.reference import ensure_agency
from archive.transactions import in_write_transaction
from exchange.errors import ImportConflict, PackageInvalid
from exchange.export import CHUNK, MANIFEST, XML_NAME
from exchange.package_xml import from_xml
from exchange.snapshot import DossierData, ObjectData, ProcedureData, read_snapshot
from models.dossier_code import parse_code
from models.records import (
    Agency,
    AuditEntry,
    CheckResult,
    Document,
    Dossier,
    DossierCounter,
    FieldValue,
    Page,
    Procedure,
    StoredObjectRecord,
)
from storage import ObjectStore, parse_key

__all__ = ["Imported", "import_package", "verify_package"]

MAX_XML_BYTES = 512 * 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  (\S+)")


@dataclass(frozen=True)
class Imported:
    """What an import did: ``created`` False means the dossier was already here, unchanged."""

    code: str
    record_id: str
    created: bool
    objects_written: int


def import_package(session: Session, store: ObjectStore, package: Path, *,
                   actor: str = "system") -> Imported:
    """Verify ``package`` and record its dossier here (see module doc). Commits ``session``."""
    with _open_zip(package) as archive:
        data = _verified(archive, package.name)
        existing = read_snapshot(session, data.code)
        session.commit()
        if existing is not None:
            return _already_here(session, store, archive, data, existing, actor, package.name)
        _check_free(session, data)
        written = _put_objects(store, session, archive, data, package.name)
        try:
            in_write_transaction(session, lambda s: _record(s, data, actor, package.name))
        except IntegrityError:
            session.rollback()
            winner = read_snapshot(session, data.code)
            session.commit()
            if winner is not None and winner.canonical() == data.canonical():
                return Imported(data.code, data.record_id, False, 0)  # a concurrent import
            _forget(store, session, written)
            raise ImportConflict(data.code, "the database refused the records (its code, "
                                            "record id or files clash with another)") from None
        except BaseException:
            session.rollback()
            _forget(store, session, written)
            raise
    return Imported(data.code, data.record_id, True, len(written))


def verify_package(package: Path) -> DossierData:
    """Check a package completely without writing anything; its dossier snapshot."""
    with _open_zip(package) as archive:
        return _verified(archive, package.name)


# ----------------------------------------------------------------------------- verification


@contextlib.contextmanager
def _open_zip(package: Path) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(package)
    except FileNotFoundError:
        raise PackageInvalid(str(package), "no such file") from None
    except IsADirectoryError:
        raise PackageInvalid(str(package), "not a regular file") from None
    except PermissionError:
        raise PackageInvalid(str(package), "permission denied") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageInvalid(str(package), f"not a ZIP package ({exc})") from None
    with archive:
        yield archive


def _verified(archive: zipfile.ZipFile, name: str) -> DossierData:
    members = [info.filename for info in archive.infolist()]
    duplicates = {m for m, n in Counter(members).items() if n > 1}
    if duplicates:
        raise PackageInvalid(f"{name}:{sorted(duplicates)[0]}", "member appears twice")
    manifest = _manifest(archive, name)
    for member in members:
        if member != MANIFEST and member not in manifest:
            raise PackageInvalid(f"{name}:{member}", "not listed in the manifest")
    for listed in manifest:
        if listed not in members:
            raise PackageInvalid(f"{name}:{listed}", "listed in the manifest but missing")
    if XML_NAME not in manifest:
        raise PackageInvalid(f"{name}:{XML_NAME}", "missing")
    xml = _read_checked(archive, XML_NAME, manifest[XML_NAME], MAX_XML_BYTES, name)
    data = from_xml(xml, f"{name}:{XML_NAME}")
    _check_belongs(data, f"{name}:{XML_NAME}")
    listed = {XML_NAME}
    for obj in data.objects:
        where = f"{name}:{obj.package_path}"
        if manifest.get(obj.package_path) != obj.sha256:
            raise PackageInvalid(where, "checksum in the XML differs from the manifest")
        if obj.package_path not in listed:
            _hash_member(archive, obj.package_path, obj.sha256, obj.size, name)
            listed.add(obj.package_path)
    for extra in set(manifest) - listed:
        raise PackageInvalid(f"{name}:{extra}", "in the manifest but not in the XML")
    return data


def _manifest(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise PackageInvalid(f"{name}:{MANIFEST}", "missing") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise PackageInvalid(f"{name}:{MANIFEST}", "too large")
    try:
        text = archive.read(MANIFEST).decode("ascii")
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as exc:
        raise PackageInvalid(f"{name}:{MANIFEST}", f"unreadable ({exc})") from None
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None:
            raise PackageInvalid(f"{name}:{MANIFEST}", f"line {number} is not '<sha256>  <path>'")
        if match[2] in entries:
            raise PackageInvalid(f"{name}:{MANIFEST}", f"{match[2]} listed twice")
        entries[match[2]] = match[1]
    return entries


def _read_checked(archive: zipfile.ZipFile, member: str, sha256: str, limit: int,
                  name: str) -> bytes:
    if archive.getinfo(member).file_size > limit:
        raise PackageInvalid(f"{name}:{member}", "too large")
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageInvalid(f"{name}:{member}", f"corrupt ({exc})") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise PackageInvalid(f"{name}:{member}", "checksum mismatch: not the exported file")
    return data


def _hash_member(archive: zipfile.ZipFile, member: str, sha256: str, size: int,
                 name: str) -> None:
    """Stream one member through SHA-256, reading no more than its declared size (+1)."""
    digest = hashlib.sha256()
    seen = 0
    try:
        with archive.open(member) as stream:
            while seen <= size and (chunk := stream.read(min(CHUNK, size + 1 - seen))):
                digest.update(chunk)
                seen += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise PackageInvalid(f"{name}:{member}", f"corrupt ({exc})") from None
    if seen != size:
        raise PackageInvalid(f"{name}:{member}", f"{seen} bytes where the XML says {size}")
    if digest.hexdigest() != sha256:
        raise PackageInvalid(f"{name}:{member}", "checksum mismatch: not the exported file")


def _check_belongs(data: DossierData, where: str) -> None:
    """Every key must be this dossier's own: a package cannot write elsewhere in the store."""
    try:
        code = parse_code(data.code)
    except ValueError as exc:
        raise PackageInvalid(where, str(exc)) from None
    if code.agency_code != data.agency_code:
        raise PackageInvalid(where, f"dossier {data.code} is not of agency {data.agency_code}")
    for obj in data.objects:
        key = parse_key(obj.key)
        if key is None or (key.agency_code, key.dossier_code, key.kind, key.sha256) != (
                data.agency_code, data.code, obj.kind, obj.sha256):
            raise PackageInvalid(where, f"object key {obj.key} is not one of dossier {data.code}")
    positions = {d.position for d in data.documents}
    for ref in [p.document for p in data.pages] + [o.document for o in data.objects]:
        if ref is not None and ref not in positions:
            raise PackageInvalid(where, f"reference to document {ref}, which is not there")


# ----------------------------------------------------------------------------- writing


def _already_here(session: Session, store: ObjectStore, archive: zipfile.ZipFile,
                  data: DossierData, existing: DossierData, actor: str,
                  name: str) -> Imported:
    if existing.agency_code != data.agency_code or existing.record_id != data.record_id:
        raise ImportConflict(data.code, "another dossier with this code is recorded here")
    if existing.canonical() != data.canonical():
        raise ImportConflict(data.code, "already recorded here with different records "
                                        "(changed since this export?)")
    written = _put_objects(store, session, archive, data, name)  # restores lost objects
    if written:
        in_write_transaction(session, lambda s: record_audit(
            s, "dossier.import-restored", actor=actor, dossier_id=data.record_id,
            details={"package": name, "objects": written}))
    return Imported(data.code, data.record_id, False, len(written))


def _check_free(session: Session, data: DossierData) -> None:
    """Refuse before uploading anything if the records would clash (fsck-safe: no orphans)."""
    clash = session.scalars(select(Dossier.code).where(Dossier.id == data.record_id)).first()
    if clash is None and data.fingerprint:
        clash = session.scalars(
            select(Dossier.code).join(Agency, Dossier.agency_id == Agency.id)
            .where(Agency.code == data.agency_code, Dossier.fingerprint == data.fingerprint)
        ).first()
    session.commit()
    if clash is not None:
        raise ImportConflict(data.code, f"the same record or files are already here as "
                                        f"dossier {clash}")


def _put_objects(store: ObjectStore, session: Session, archive: zipfile.ZipFile,
                 data: DossierData, name: str) -> list[str]:
    """Store every object not already present; the keys written (content is re-checked)."""
    written: list[str] = []
    done: set[str] = set()
    try:
        for obj in data.objects:
            if obj.key in done:
                continue
            done.add(obj.key)
            present = store.stat(obj.key)
            if present is not None and present.sha256 == obj.sha256:
                continue
            with archive.open(obj.package_path) as stream:
                store.put_file(stream, obj.key, obj.content_type, _metadata(obj))
            written.append(obj.key)
    except (zipfile.BadZipFile, OSError) as exc:
        _forget(store, session, written)
        raise PackageInvalid(f"{name}:{obj.package_path}", f"corrupt ({exc})") from None
    except BaseException:
        _forget(store, session, written)
        raise
    return written


def _metadata(obj: ObjectData) -> dict[str, str]:
    if obj.kind == "original" and obj.original_name:
        name = quote(unicodedata.normalize("NFC", obj.original_name), safe="")[:512]
        return {"original-name": name, "kind": "original"}
    return {"kind": obj.kind}


def _forget(store: ObjectStore, session: Session, keys: list[str]) -> None:
    """Remove what this import stored when its records were refused: no orphans for fsck.

    A key some row refers to is kept: a concurrent import of the same package
    may have stored it too, and committed first.
    """
    if not keys:
        return
    with contextlib.suppress(Exception):
        referenced = set(session.scalars(select(StoredObjectRecord.key)
                                         .where(StoredObjectRecord.key.in_(keys))))
        session.commit()
        for key in keys:
            if key not in referenced:
                with contextlib.suppress(Exception):
                    store.delete(key)


def _record(s: Session, data: DossierData, actor: str, package: str) -> None:
    agency = ensure_agency(s, data.agency_code, data.agency_name)
    dossier = Dossier(
        id=data.record_id, code=data.code, agency_id=agency.id,
        procedure_id=_procedure_id(s, data.procedure), applicant_name=data.applicant_name,
        status=data.status, received_at=data.received_at, due_at=data.due_at,
        pages_done=data.pages_done, pages_total=data.pages_total, result=data.result,
        fingerprint=data.fingerprint, needs_review=data.needs_review,
        needs_reprocessing=data.needs_reprocessing, review_reason=data.review_reason,
        updated_at=data.updated_at)
    s.add(dossier)
    _move_counter(s, data.code)
    s.flush()
    documents: dict[int, Document] = {}
    for doc in data.documents:
        row = Document(dossier_id=dossier.id, position=doc.position, type_id=doc.type_id,
                       first_page=doc.first_page, page_count=doc.page_count,
                       confidence=doc.confidence)
        row.fields = [FieldValue(field_id=f.field_id, value=f.value, confidence=f.confidence,
                                 source=f.source, page=f.page, bbox=f.bbox,
                                 corrected_by=f.corrected_by, corrected_at=f.corrected_at)
                      for f in doc.fields]
        s.add(row)
        documents[doc.position] = row
    s.flush()

    def doc_id(position: int | None) -> int | None:
        return documents[position].id if position is not None else None

    s.add_all(Page(dossier_id=dossier.id, page_index=p.page_index, document_id=doc_id(p.document),
                   source=p.source, text=p.text, confidence=p.confidence, rotation=p.rotation,
                   skew_degrees=p.skew_degrees, dpi=p.dpi, blank=p.blank, width=p.width,
                   height=p.height) for p in data.pages)
    s.add_all(CheckResult(dossier_id=dossier.id, kind=c.kind, message=c.message, ok=c.ok,
                          created_at=c.created_at) for c in data.checks)
    seen: set[str] = set()
    for o in data.objects:
        if o.key not in seen:
            seen.add(o.key)
            s.add(StoredObjectRecord(
                dossier_id=dossier.id, key=o.key, sha256=o.sha256, size=o.size,
                content_type=o.content_type, kind=o.kind, page_index=o.page_index,
                document_id=doc_id(o.document), original_name=o.original_name,
                created_at=o.created_at))
    s.add_all(AuditEntry(at=a.at, actor=a.actor, action=a.action, dossier_id=dossier.id,
                         details=a.details) for a in data.audit)
    s.flush()  # the history first, so the import entry is the last one
    record_audit(s, "dossier.imported", actor=actor, dossier_id=dossier.id, details={
        "package": package, "objects": len(seen), "history_entries": len(data.audit)})


def _procedure_id(s: Session, proc: ProcedureData | None) -> int | None:
    """This installation's row for the procedure; the package's own copy if it has none."""
    if proc is None:
        return None
    found = s.scalars(select(Procedure.id).where(Procedure.code == proc.code)).first()
    if found is not None:
        return found
    row = Procedure(code=proc.code, name=proc.name, domain=proc.domain,
                    version_effective_from=proc.effective_from)
    s.add(row)
    s.flush()
    return row.id


def _move_counter(s: Session, code: str) -> None:
    """Make the (agency, day) counter at least the imported number: never hand it out again."""
    parsed = parse_code(code)
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = DossierCounter.__table__
    s.execute(insert(table).values(agency_code=parsed.agency_code, day=parsed.day,
                                   last_number=parsed.number)
              .on_conflict_do_update(
                  index_elements=[table.c.agency_code, table.c.day],
                  set_={"last_number": case((table.c.last_number < parsed.number,
                                             parsed.number), else_=table.c.last_number)}))
