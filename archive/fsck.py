"""Check that the object store and the records agree, and repair what is safe to repair.

Three kinds of disagreement:

* orphan objects: in the store, but no stored-object row refers to them
  (a crash between upload and commit, or a lost transaction);
* missing objects: a row refers to an object that is gone;
* checksum mismatches: the bytes no longer hash to the recorded SHA-256;
* signature problems (when the desk's certificates are given): a searchable
  PDF whose signature no longer verifies, or that is not signed. A row's
  checksum can be rewritten along with the bytes; the signature cannot.

Repairs never lose a citizen's file. An orphan *original* is recorded: attached
to its dossier if the row exists, otherwise recorded as a new dossier in status
``received`` under the code in its key, flagged for a person. Orphan *derived*
objects (page images, OCR JSON, PDFs, metadata) are deleted: they can be made
again from the originals. A missing or corrupt derived object has its row
dropped and its dossier flagged for re-processing. A missing or corrupt
original cannot be repaired here: its dossier is flagged and fsck keeps
reporting it until a person restores the file from backup.

Run ``--repair`` when no desk is mid-reception: objects a live process has
stored but not yet committed look exactly like a crash's leftovers. Even then
nothing is lost (the live process's commit fails on the taken code and its
originals stay recorded under the recovered dossier), but the person
reviewing gets a flagged dossier to look at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive.audit import record_audit
from archive.receive import fingerprint
from archive.reference import ensure_agency
from archive.transactions import in_write_transaction
from models.dossier_code import parse_code
from models.records import CheckResult, Dossier, StoredObjectRecord, utcnow
from storage import ObjectStore, StoredObject, parse_key

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["Finding", "FsckReport", "fsck"]

DERIVED = ("page", "ocr", "pdf", "metadata")


@dataclass
class Finding:
    """One disagreement; ``repair`` says what ``--repair`` did about it (None: nothing)."""

    key: str
    kind: str | None
    dossier_code: str | None
    detail: str
    repair: str | None = None


@dataclass
class FsckReport:
    ok: bool
    orphan_objects: list[Finding] = field(default_factory=list)
    missing_objects: list[Finding] = field(default_factory=list)
    checksum_mismatches: list[Finding] = field(default_factory=list)
    signature_problems: list[Finding] = field(default_factory=list)
    repaired: bool = False
    checked_objects: int = 0
    checked_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The ``dossier fsck --json`` object (contract), findings as objects with a ``key``."""
        return {
            "ok": self.ok,
            "orphan_objects": [asdict(f) for f in self.orphan_objects],
            "missing_objects": [asdict(f) for f in self.missing_objects],
            "checksum_mismatches": [asdict(f) for f in self.checksum_mismatches],
            "signature_problems": [asdict(f) for f in self.signature_problems],
            "repaired": self.repaired,
            "checked_objects": self.checked_objects,
            "checked_rows": self.checked_rows,
        }


@dataclass
class _Row:
    key: str
    sha256: str
    size: int
    kind: str
    dossier_id: str
    dossier_code: str


def fsck(store: ObjectStore, session: Session, *, repair: bool = False,
         verify_content: bool = True, actor: str = "fsck",
         trusted: Sequence[x509.Certificate] | None = None) -> FsckReport:
    """Compare store and records; with ``repair``, fix what is safe and check again.

    ``verify_content`` re-hashes every object (reads everything); without it
    only the checksums and sizes the store recorded are compared. With
    ``trusted`` (the desk's certificates) and ``verify_content``, every
    searchable PDF must carry a signature that verifies against one of them.
    """
    report = _scan(store, session, verify_content, trusted)
    if not repair or report.ok:
        return report
    _repair_orphans(store, session, report.orphan_objects, actor)
    _repair_missing(session, report.missing_objects, actor)
    _repair_mismatches(store, session, report.checksum_mismatches, actor)
    removed = {f.key: f.repair for f in report.checksum_mismatches if f.repair}
    for finding in report.signature_problems:
        finding.repair = removed.get(finding.key)
    _repair_mismatches(store, session, [f for f in report.signature_problems if not f.repair],
                       actor, what="badly-signed")
    again = _scan(store, session, verify_content=False)
    unresolved = [m for m in report.checksum_mismatches + report.signature_problems
                  if m.repair is None]
    report.ok = not again.orphan_objects and not again.missing_objects and not unresolved
    report.repaired = True
    return report


# ----------------------------------------------------------------------------- scan


def _scan(store: ObjectStore, session: Session, verify_content: bool,
          trusted: Sequence[x509.Certificate] | None = None) -> FsckReport:
    if session.in_transaction():
        session.commit()
    rows = {
        key: _Row(key, sha, size, kind, dossier_id, code)
        for key, sha, size, kind, dossier_id, code in session.execute(
            select(StoredObjectRecord.key, StoredObjectRecord.sha256, StoredObjectRecord.size,
                   StoredObjectRecord.kind, StoredObjectRecord.dossier_id, Dossier.code)
            .join(Dossier, Dossier.id == StoredObjectRecord.dossier_id))
    }
    session.commit()
    # work/ holds pages of dossiers still in flight between workers; publish clears it.
    listed: dict[str, StoredObject] = {obj.key: obj for obj in store.list()
                                       if not obj.key.startswith("work/")}
    report = FsckReport(ok=True, checked_objects=len(listed), checked_rows=len(rows))
    for key, obj in listed.items():
        row = rows.get(key)
        parsed = parse_key(key)
        if row is None:
            report.orphan_objects.append(Finding(
                key, parsed.kind if parsed else None, parsed.dossier_code if parsed else None,
                "no record refers to this object"))
            continue
        problem = _compare(store, row, obj, verify_content)
        if problem:
            report.checksum_mismatches.append(Finding(key, row.kind, row.dossier_code, problem))
        if trusted is not None and verify_content and row.kind == "pdf":
            unsigned = _signature_problem(store, key, trusted)
            if unsigned:
                report.signature_problems.append(
                    Finding(key, row.kind, row.dossier_code, unsigned))
    for key, row in rows.items():
        if key not in listed:
            report.missing_objects.append(Finding(key, row.kind, row.dossier_code,
                                                  "recorded but not in the store"))
    report.ok = not (report.orphan_objects or report.missing_objects
                     or report.checksum_mismatches or report.signature_problems)
    return report


def _signature_problem(store: ObjectStore, key: str,
                       trusted: Sequence[x509.Certificate]) -> str:
    from signing.verify import verify_pdf  # pyHanko: imported only when signatures are checked

    checked = verify_pdf(store.get_bytes(key), trusted)
    return "" if checked.ok else f"signature: {checked.problem}"


def _compare(store: ObjectStore, row: _Row, obj: StoredObject, verify_content: bool) -> str:
    if obj.sha256 and obj.sha256 != row.sha256:
        return f"store records sha256 {obj.sha256}, database {row.sha256}"
    if obj.size != row.size:
        return f"size {obj.size} in the store, {row.size} recorded"
    if verify_content and not store.verify(row.key):
        return "content does not hash to its recorded sha256"
    return ""


# ----------------------------------------------------------------------------- repair


def _repair_orphans(store: ObjectStore, session: Session, orphans: list[Finding],
                    actor: str) -> None:
    originals: dict[str, list[Finding]] = {}
    for finding in orphans:
        if finding.kind == "original" and finding.dossier_code:
            originals.setdefault(finding.dossier_code, []).append(finding)
        elif finding.kind in DERIVED:
            store.delete(finding.key)
            finding.repair = "deleted (derived; re-made from the originals when re-processed)"
        # anything else is not ours: reported, never touched
    for code, findings in sorted(originals.items()):
        in_write_transaction(session, lambda s, c=code, f=findings: _record_originals(
            store, s, c, f, actor))


def _record_originals(store: ObjectStore, session: Session, code: str, findings: list[Finding],
                      actor: str) -> None:
    """Attach orphan originals to their dossier, creating it (flagged) if it never committed."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one_or_none()
    created = dossier is None
    if dossier is None:
        parsed = parse_key(findings[0].key)
        assert parsed is not None
        agency = ensure_agency(session, parsed.agency_code)
        digests = [parse_key(f.key).sha256 for f in findings]  # type: ignore[union-attr]
        print_ = fingerprint(digests)
        if session.scalars(select(Dossier.id).where(
                Dossier.agency_id == agency.id, Dossier.fingerprint == print_)).first():
            print_ = None  # the same files are recorded elsewhere too: a person decides
        try:
            day = parse_code(code).day.isoformat()
        except ValueError:
            day = "unknown"
        dossier = Dossier(
            code=code, agency_id=agency.id, status="received", received_at=utcnow(),
            fingerprint=print_, needs_review=True,
            review_reason=(f"recovered by fsck: originals were stored (code day {day}) but the "
                           "record was never committed; check the files and the procedure"))
        session.add(dossier)
        session.flush()
    else:
        dossier.needs_review = True
        dossier.review_reason = "fsck attached originals that had no record row"
    for finding in findings:
        stat = store.stat(finding.key)
        if stat is None:
            finding.repair = None
            continue
        name = stat.metadata.get("original-name")
        digest = parse_key(finding.key).sha256  # type: ignore[union-attr]
        session.add(StoredObjectRecord(
            dossier_id=dossier.id, key=finding.key, sha256=digest, size=stat.size,
            content_type=stat.content_type, kind="original",
            original_name=unquote(name) if name else None))
        finding.repair = ("recorded as new dossier (status received, flagged for review)"
                          if created else "attached to its dossier (flagged for review)")
    record_audit(session, "fsck.recovered-originals", actor=actor, dossier_id=dossier.id,
                 details={"code": code, "keys": [f.key for f in findings],
                          "created_dossier": created})


def _repair_missing(session: Session, missing: list[Finding], actor: str) -> None:
    for finding in missing:
        if finding.kind in DERIVED:
            in_write_transaction(session, lambda s, f=finding: _drop_derived_row(
                s, f, "missing", actor))
            finding.repair = "row removed; dossier flagged for re-processing"
        else:
            in_write_transaction(session, lambda s, f=finding: _flag_original(s, f, actor))


def _repair_mismatches(store: ObjectStore, session: Session, mismatches: list[Finding],
                       actor: str, what: str = "corrupt") -> None:
    for finding in mismatches:
        if finding.kind in DERIVED:
            in_write_transaction(session, lambda s, f=finding: _drop_derived_row(
                s, f, what, actor))
            store.delete(finding.key)
            finding.repair = f"{what} derived object removed; dossier flagged for re-processing"
        else:
            in_write_transaction(session, lambda s, f=finding: _flag_original(s, f, actor))


def _dossier_id(session: Session, key: str) -> str:
    return session.scalars(select(StoredObjectRecord.dossier_id)
                           .where(StoredObjectRecord.key == key)).one()


def _drop_derived_row(session: Session, finding: Finding, what: str, actor: str) -> None:
    dossier_id = _dossier_id(session, finding.key)
    row = session.scalars(select(StoredObjectRecord)
                          .where(StoredObjectRecord.key == finding.key)).one()
    session.delete(row)
    session.execute(update(Dossier).where(Dossier.id == dossier_id)
                    .values(needs_reprocessing=True, updated_at=utcnow()))
    session.add(CheckResult(dossier_id=dossier_id, kind="fsck", ok=False,
                            message=f"{finding.kind} object {what}: {finding.key}; re-process"))
    record_audit(session, f"fsck.{what}-derived", actor=actor, dossier_id=dossier_id,
                 details={"key": finding.key, "kind": finding.kind})


def _flag_original(session: Session, finding: Finding, actor: str) -> None:
    """An original is missing or altered: flag the dossier for a person; keep reporting it."""
    dossier_id = _dossier_id(session, finding.key)
    reason = f"original {finding.key}: {finding.detail}; restore it from backup"
    session.execute(update(Dossier).where(Dossier.id == dossier_id)
                    .values(needs_review=True, review_reason=reason, updated_at=utcnow()))
    session.add(CheckResult(dossier_id=dossier_id, kind="fsck", ok=False, message=reason))
    record_audit(session, "fsck.original-problem", actor=actor, dossier_id=dossier_id,
                 details={"key": finding.key, "detail": finding.detail})

