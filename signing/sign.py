"""Sign a digitised copy: PDF bytes in, the same PDF with the agency's PAdES signature out.

Decree 30/2020/NĐ-CP (Appendix I) asks that the agency's digital signature on
an electronic copy not be shown as an image and give the form of copy, the
agency's name and the signing time in ISO 8601, Vietnam time. So the field is
invisible, and the signature dictionary says it in readable entries:

* ``/Reason``: ``SAO Y (bản sao điện tử số hóa từ bản giấy); <agency>; <time>``
  (all three together, so a viewer that shows only the reason shows what the
  decree lists);
* ``/Name``: the agency's name;
* ``/M`` and the CMS ``signing-time`` attribute: the same instant.

The signature is appended as an incremental update: the original bytes, its
text layer and its images are untouched, byte for byte.

The output is a pure function of the inputs, because copies are stored under
the SHA-256 of their bytes and a dossier may be kept twice (a redelivered
message, reprocessing): the signing time is given, RSA PKCS#1 v1.5 is
deterministic, and the two things pyHanko would otherwise draw at random or
from the clock (the second half of the trailer ``/ID`` and the info
dictionary's ``/ModDate``) are derived from the input and the signing time.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from asn1crypto import algos, keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from models.dossier_code import VIETNAM_TZ
from signing.certificate import DeskCertificate

__all__ = ["FIELD_NAME", "FORM_OF_COPY", "iso_vietnam", "reason_text", "sign_pdf"]

FIELD_NAME = "SaoY"
FORM_OF_COPY = "SAO Y (bản sao điện tử số hóa từ bản giấy)"


def iso_vietnam(moment: datetime) -> str:
    """``yyyy-mm-ddThh:mm:ss+07:00``: the decree's format for the signing time."""
    if moment.tzinfo is None:
        raise ValueError("signing time must be timezone-aware")
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def reason_text(agency_name: str, signed_at: datetime) -> str:
    return f"{FORM_OF_COPY}; {agency_name}; {iso_vietnam(signed_at)}"


def sign_pdf(pdf: bytes, desk: DeskCertificate, *, agency_name: str,
             signed_at: datetime) -> bytes:
    """Return ``pdf`` with an invisible PAdES-B-B signature of ``desk`` appended."""
    iso_vietnam(signed_at)  # refuses a naive time: "local time" differs between machines
    at = signed_at.astimezone(VIETNAM_TZ).replace(microsecond=0)
    signer = _signer_for(desk)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        reason=reason_text(agency_name, at), name=agency_name)
    seed = hashlib.sha256(pdf + desk.fingerprint.encode() + at.isoformat().encode()).digest()
    writer = _StableWriter(io.BytesIO(pdf), at, seed[:16])
    pdf_signer = _AtTimeSigner(meta, signer=signer, at=at, size_key=desk.fingerprint)
    out = pdf_signer.sign_pdf(writer, bytes_reserved=_RESERVED.get(desk.fingerprint))
    return out.getvalue()


# Room for the signature container, by certificate: pyHanko sizes it by signing a dummy
# digest first (a third of a signature's cost). The size depends only on the certificate
# chain and the key (the digest, the signing-time attribute and an RSA signature have a
# fixed length), so the first estimate serves every later copy, byte for byte the same.
_RESERVED: dict[str, int] = {}
_SIGNERS: dict[str, _RsaSigner] = {}


def _signer_for(desk: DeskCertificate) -> _RsaSigner:
    """One signer per certificate: building it parses the chain again (a tenth of a
    signature's cost), and it holds nothing that changes between signatures."""
    found = _SIGNERS.get(desk.fingerprint)
    if found is None:
        found = _SIGNERS[desk.fingerprint] = _RsaSigner(desk)
    return found


class _RsaSigner(signers.SimpleSigner):
    """RSA PKCS#1 v1.5 with the key already loaded.

    pyHanko's ``SimpleSigner`` re-parses the private key for every signature
    (and signs twice: once to size the placeholder), and ``cryptography``'s
    RSA key check makes each parse cost ~0.2 s; this signs with the key we hold.
    """

    def __init__(self, desk: DeskCertificate) -> None:
        def asn1(cert: object) -> asn1_x509.Certificate:
            return asn1_x509.Certificate.load(
                cert.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]

        der_key = desk.key.private_bytes(serialization.Encoding.DER,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        super().__init__(
            signing_cert=asn1(desk.certificate), signing_key=keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in desk.chain]),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}))
        self._key = desk.key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


class _StableWriter(IncrementalPdfFileWriter):
    """An incremental writer whose ``/ID`` and ``/ModDate`` come from its inputs, not chance."""

    def __init__(self, stream: io.BytesIO, at: datetime, id_part: bytes) -> None:
        super().__init__(stream, strict=False)
        self._at = at
        first = self._document_id[0]
        if "/ID" not in self.prev.trailer:
            first = generic.ByteStringObject(hashlib.sha256(id_part).digest()[:16])
        self._document_id = generic.ArrayObject([first, generic.ByteStringObject(id_part)])

    def _update_meta(self) -> None:
        super()._update_meta()  # sets /ModDate to the clock...
        if self._info is not None:  # ...which would make every signing differ
            info = self._info.get_object()
            if "/ModDate" in info:
                info["/ModDate"] = generic.pdf_date(self._at)


class _AtTimeSigner(signers.PdfSigner):
    """pyHanko reads the clock for the signing time; a copy's signing time is given instead."""

    def __init__(self, meta: signers.PdfSignatureMetadata, *, signer: signers.Signer,
                 at: datetime, size_key: str) -> None:
        super().__init__(meta, signer=signer)
        self._at = at
        self._size_key = size_key

    def init_signing_session(self, pdf_out: IncrementalPdfFileWriter,  # type: ignore[override]
                             existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._at
        estimate = session.estimate_signature_container_size
        size_key = self._size_key

        async def remembered(*args: object, **kwargs: object) -> int:
            _RESERVED[size_key] = reserved = await estimate(*args, **kwargs)
            return reserved

        session.estimate_signature_container_size = remembered  # type: ignore[method-assign]
        return session
