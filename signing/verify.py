"""Does a signed copy still verify against the desk's certificate(s)?

Used by ``dossier fsck`` and the tests. Only the given certificates are
trusted (never the operating system's list): a copy is ours when it was signed
by the agency's certificate, unchanged since, and nothing was appended after
the signature (an incremental update after signing is a change to the copy).
Revocation is not checked here: the desk has no network at fsck time, and a
trial certificate has no revocation service.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

__all__ = ["Verification", "verify_pdf"]


@dataclass(frozen=True)
class Verification:
    """``ok`` only when intact, by a trusted certificate and covering the whole file."""

    ok: bool
    problem: str  # empty when ok; else why not, in one line
    signer: str | None = None
    signed_at: datetime | None = None
    reason: str | None = None  # the signature's /Reason (form of copy, agency, time)


def verify_pdf(pdf: bytes, trusted: Sequence[x509.Certificate]) -> Verification:
    """Check every signature of ``pdf``; the first problem found is reported."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises many types on a damaged file
        return Verification(False, f"not a readable PDF ({type(exc).__name__})")
    if not signatures:
        return Verification(False, "not signed")
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trusted],
        allow_fetching=False, revocation_mode="soft-fail")
    last = None
    for embedded in signatures:
        try:
            with _quiet_pyhanko():
                status = validate_pdf_signature(embedded, context)
        except (SignatureValidationError, ValueError, KeyError) as exc:
            return Verification(False, f"signature cannot be checked: {exc}")
        subject = status.signing_cert.subject.native
        signer = subject.get("organization_name") or subject.get("common_name") or ""
        reason = embedded.sig_object.get("/Reason")
        common = {"signer": signer, "signed_at": status.signer_reported_dt,
                  "reason": str(reason) if reason is not None else None}
        if not (status.intact and status.valid):
            return Verification(False, "signature does not match the content "
                                       "(changed after signing)", **common)
        if not status.trusted:
            return Verification(False, "signed by a certificate that is not the desk's",
                                **common)
        last = (status, common)
    assert last is not None
    status, common = last
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Verification(False, "bytes were added after the signature", **common)
    return Verification(True, "", **common)


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs an untrusted signer with a traceback; here that is an answer, not an error."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
