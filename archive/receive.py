"""Receive a dossier: keep the citizen's files first, then create its record.

Order matters, because nothing handed in may be lost:

1. hash every file (streaming) and return the existing dossier if this agency
   already recorded exactly these files (dedupe by SHA-256);
2. reserve a dossier code: the (agency, day) counter is bumped and committed
   on its own, so the code is known before anything is uploaded (keys
   contain it) and is never handed out twice;
3. store the originals, exactly as received, under content-addressed keys;
4. one transaction: the dossier row, one stored-object row per original, and
   an audit entry.

A crash after 3 leaves originals no row refers to; ``archive.fsck`` finds them
and, with ``--repair``, records them as a dossier flagged for a person, under
the code reserved in step 2. A crash before 3 leaves only a gap in the day's
numbering.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.audit import record_audit
from archive.errors import BadInputFile, DossierConflict
from archive.reference import ensure_agency, procedure_row
from archive.transactions import in_write_transaction
from models.dossier_code import allocate_code, local_day
from models.records import Agency, Dossier, StoredObjectRecord, utcnow
from storage import ObjectStore, StoredObject, object_key, sha256_file
from webhooks.outbox import add_event

__all__ = ["Received", "fingerprint", "original_extension", "receive"]

_EXT_RE = re.compile(r"[a-z0-9]{1,10}")


@dataclass(frozen=True)
class Received:
    """The dossier a reception produced, and whether it is new or a repeat."""

    dossier: Dossier
    created: bool
    originals: list[StoredObjectRecord]

    @property
    def code(self) -> str:
        return self.dossier.code


def fingerprint(sha256s: Sequence[str]) -> str:
    """One SHA-256 for a set of file digests: "these files", whatever order they came in.

    Order-free so that a dossier fsck recovers from its originals (whose upload
    order is not recorded anywhere) is recognised when the same files come again.
    """
    return hashlib.sha256("\n".join(sorted(sha256s)).encode("ascii")).hexdigest()


def original_extension(path: Path) -> str:
    """The file's extension for its key (lower case), or ``bin`` when it has none we accept."""
    ext = path.suffix.lower().lstrip(".")
    return ext if _EXT_RE.fullmatch(ext) else "bin"


def receive(files: Sequence[str | os.PathLike[str]], agency_code: str, procedure: str | None,
            store: ObjectStore, session: Session, *, applicant_name: str | None = None,
            actor: str = "desk", received_at: datetime | None = None,
            due_at: datetime | None = None) -> Received:
    """Keep ``files`` and record them as one dossier of ``procedure`` at ``agency_code``.

    Commits ``session`` (more than once): pass a session without pending work.
    Storage failures raise the store's typed errors (``storage.StorageError``)
    before any row is written.
    """
    paths = [_readable(Path(f)) for f in files]
    if not paths:
        raise BadInputFile("(no files)", "a dossier needs at least one file")
    digests = [_sha256(p) for p in paths]
    print_ = fingerprint(digests)
    received_at = received_at or utcnow()
    if session.in_transaction():
        session.commit()
    existing = _existing(session, agency_code, print_)
    if existing is not None:
        session.commit()
        return Received(existing, False, _originals(session, existing))
    procedure_id = None
    if procedure:
        procedure_id = in_write_transaction(session, lambda s: procedure_row(s, procedure).id)
    day = local_day(received_at)

    def reserve(s: Session) -> str:
        ensure_agency(s, agency_code)
        return allocate_code(s, agency_code, day)

    code = in_write_transaction(session, reserve)
    stored = [
        _put_original(store, path, digest, agency_code, day.year, code)
        for path, digest in zip(paths, digests, strict=True)
    ]

    def record(s: Session) -> Received:
        agency = s.scalars(select(Agency).where(Agency.code == agency_code)).one()
        dossier = Dossier(code=code, agency_id=agency.id, procedure_id=procedure_id,
                          applicant_name=_nfc(applicant_name), status="received",
                          received_at=received_at, due_at=due_at, fingerprint=print_)
        s.add(dossier)
        s.flush()
        rows = _object_rows(dossier.id, paths, stored)
        s.add_all(rows)
        record_audit(s, "dossier.received", actor=actor, dossier_id=dossier.id, details={
            "code": code, "procedure": procedure, "files": [_nfc(p.name) for p in paths],
            "sha256": digests,
        })
        add_event(s, dossier, "received")
        return Received(dossier, True, rows)

    try:
        return in_write_transaction(session, record)
    except IntegrityError:
        session.rollback()
        winner = _existing(session, agency_code, print_)
        session.commit()
        if winner is None:
            raise DossierConflict(f"dossier {code} could not be recorded: "
                                  "its code or files clash with another record") from None
        _drop_duplicate_originals(store, session, winner, code, stored, actor)
        return Received(winner, False, _originals(session, winner))


def _readable(path: Path) -> Path:
    if not path.exists():
        raise BadInputFile(str(path), "no such file")
    if not path.is_file():
        raise BadInputFile(str(path), "not a regular file")
    if not os.access(path, os.R_OK):
        raise BadInputFile(str(path), "permission denied")
    return path


def _sha256(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:
        raise BadInputFile(str(path), exc.strerror or str(exc)) from None


def _nfc(text: str | None) -> str | None:
    return None if text is None else " ".join(unicodedata.normalize("NFC", text).split())


def _existing(session: Session, agency_code: str, print_: str) -> Dossier | None:
    return session.scalars(
        select(Dossier).join(Agency).where(Agency.code == agency_code,
                                           Dossier.fingerprint == print_)
    ).one_or_none()


def _originals(session: Session, dossier: Dossier) -> list[StoredObjectRecord]:
    return list(session.scalars(
        select(StoredObjectRecord)
        .where(StoredObjectRecord.dossier_id == dossier.id, StoredObjectRecord.kind == "original")
        .order_by(StoredObjectRecord.id)
    ))


def _put_original(store: ObjectStore, path: Path, digest: str, agency_code: str, year: int,
                  code: str) -> StoredObject:
    """Stream one original to the store; the key is checked against the digest on upload."""
    key = object_key(agency_code, year, code, digest, "original", original_extension(path))
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    name = quote(unicodedata.normalize("NFC", path.name), safe="")[:512]
    return store.put_file(path, key, content_type, {"original-name": name, "kind": "original"})


def _object_rows(dossier_id: str, paths: Sequence[Path],
                 stored: Sequence[StoredObject]) -> list[StoredObjectRecord]:
    """One row per distinct key (the same file handed in twice is kept once)."""
    rows: dict[str, StoredObjectRecord] = {}
    for path, obj in zip(paths, stored, strict=True):
        rows.setdefault(obj.key, StoredObjectRecord(
            dossier_id=dossier_id, key=obj.key, sha256=obj.sha256, size=obj.size,
            content_type=obj.content_type, kind="original",
            original_name=unicodedata.normalize("NFC", path.name)))
    return list(rows.values())


def _drop_duplicate_originals(store: ObjectStore, session: Session, winner: Dossier, code: str,
                              stored: Sequence[StoredObject], actor: str) -> None:
    """Another desk recorded the same files first: remove our copies, once theirs are safe.

    Our copies are byte-identical to the winner's (same SHA-256); deleting them
    only after checking the winner's objects exist means nothing is ever lost.
    """
    theirs = {row.sha256: row.key for row in _originals(session, winner)}
    for obj in stored:
        their_key = theirs.get(obj.sha256)
        if their_key is None or store.stat(their_key) is None:
            return  # leave ours for fsck to explain rather than risk losing a file
    for obj in stored:
        if obj.key not in theirs.values():  # never delete a key the winner refers to
            store.delete(obj.key)
    in_write_transaction(session, lambda s: record_audit(
        s, "dossier.code-voided", actor=actor, dossier_id=winner.id,
        details={"voided_code": code, "reason": "same files recorded concurrently"}))

