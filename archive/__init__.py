"""The service that keeps a received dossier: originals first, records after, fsck to check.

    received = receive(paths, agency_code, "1.001193", store, session)
    kept = keep(session, store, received.dossier, ocr_results, documents=...)
    report = fsck(store, session, repair=False)
"""

from archive.errors import ArchiveError, BadInputFile, DossierConflict
from archive.fsck import FsckReport, fsck
from archive.keep import DocumentInput, FieldInput, Kept, keep
from archive.receive import Received, receive
from archive.reference import UnknownProcedure, ensure_agency, sync_procedures

__all__ = [
    "ArchiveError",
    "BadInputFile",
    "DocumentInput",
    "DossierConflict",
    "FieldInput",
    "FsckReport",
    "Kept",
    "Received",
    "UnknownProcedure",
    "ensure_agency",
    "fsck",
    "keep",
    "receive",
    "sync_procedures",
]
