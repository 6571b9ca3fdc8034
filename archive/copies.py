"""A document's signed searchable copy: made by ``keep``, or ahead of it where a page was read.

``keep`` makes one signed searchable PDF per document, and in the workers it runs
on one thread at the end of the dossier while the other cores wait: for a
dossier of one-sheet forms, signing is half of that tail. A page whose own title
says it is a whole document (a tờ khai, a giấy chứng sinh) can have its copy made
by the worker that read it, beside the other pages. ``keep`` uses such a
*prepared* copy only when the dossier's documents confirm it: the same page
alone, the same title, subject and signer. Otherwise it makes the copy itself.
The bytes are the same either way, since a copy is a pure function of those
inputs (the signing time is the dossier's): a prepared copy can be a wasted
effort, never a different archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from models.catalog import Catalog
from pipeline.searchable_pdf import PdfPage, build_searchable_pdf

if TYPE_CHECKING:
    from signing.desk import DeskSigner

__all__ = ["PreparedCopy", "copy_title", "make_copy", "prepare_copy", "signer_id"]


@dataclass(frozen=True)
class PreparedCopy:
    """A one-page document's copy, and what it was made for."""

    title: str
    subject: str | None
    signed_by: str | None  # the signing certificate's fingerprint; None: not signed
    data: bytes
    warnings: tuple[str, ...] = ()

    def fits(self, title: str, subject: str | None, signer: DeskSigner | None) -> bool:
        """Whether ``keep`` would make exactly these bytes for this document."""
        return (self.title, self.subject, self.signed_by) == (title, subject, signer_id(signer))


def signer_id(signer: DeskSigner | None) -> str | None:
    return signer.desk.fingerprint if signer is not None else None


def copy_title(dossier_code: str, type_id: str, catalog: Catalog) -> str:
    """The copy's PDF title: the dossier code and the document type's name."""
    found = catalog.document_types.get(type_id)
    return f"{dossier_code} - {found.name if found is not None else type_id}"


def make_copy(pages: Sequence[PdfPage], *, title: str, subject: str | None,
              signer: DeskSigner | None, received_at: datetime) -> tuple[bytes, list[str]]:
    """The searchable PDF of ``pages``, signed by ``signer`` (at the dossier's signing
    time) when there is one, and the warnings its making gave."""
    pdf = build_searchable_pdf(pages, title=title, subject=subject)
    data = signer.sign_copy(pdf.data, received_at) if signer is not None else pdf.data
    return data, list(pdf.warnings)


def prepare_copy(page: PdfPage, *, title: str, subject: str | None,
                 signer: DeskSigner | None, received_at: datetime) -> PreparedCopy:
    """The copy ``keep`` would make for a document of this one page."""
    data, warnings = make_copy([page], title=title, subject=subject, signer=signer,
                               received_at=received_at)
    return PreparedCopy(title, subject, signer_id(signer), data, tuple(warnings))
