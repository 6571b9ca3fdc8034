"""The agency's signing certificate: a configured PKCS#12 file, or a trial one for a test desk.

Decree 30/2020/NĐ-CP wants the agency's own digital signature on every
electronic copy made from paper. A real desk configures the certificate its
agency was issued (``DOSSIER_SIGNING_CERT``, ``DOSSIER_SIGNING_PASSWORD``).
A trial desk has none, so ``trial_certificate`` makes a self-signed one whose
subject says plainly that it is a trial (``OU``), so nobody mistakes its
signatures for a legal one.

RSA keys are used on purpose: RSA PKCS#1 v1.5 signatures are deterministic, so
signing the same PDF twice gives the same bytes and the same content-addressed
key (ECDSA as ``cryptography`` does it is randomised).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing.errors import SigningConfigError

__all__ = ["TRIAL_UNIT", "DeskCertificate", "SigningConfigError", "load_pkcs12",
           "trial_certificate", "write_pkcs12"]

TRIAL_UNIT = "Chứng thư số thử nghiệm - không có giá trị pháp lý"
TRIAL_YEARS = 10


@dataclass(frozen=True)
class DeskCertificate:
    """A certificate with its private key, as loaded from (or written to) a PKCS#12 file."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...] = ()
    path: Path | None = None

    @property
    def agency_name(self) -> str:
        """The organisation the certificate names (O, else CN): the agency that signs."""
        for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
            found = self.certificate.subject.get_attributes_for_oid(oid)
            if found:
                return str(found[0].value)
        return self.certificate.subject.rfc4514_string()

    @property
    def is_trial(self) -> bool:
        units = self.certificate.subject.get_attributes_for_oid(
            NameOID.ORGANIZATIONAL_UNIT_NAME)
        return any(u.value == TRIAL_UNIT for u in units)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER certificate, hex: what a person compares by eye."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def pkcs12_bytes(self, password: str | None = None) -> bytes:
        encryption = (serialization.BestAvailableEncryption(password.encode())
                      if password else serialization.NoEncryption())
        return pkcs12.serialize_key_and_certificates(
            b"hoso", self.key, self.certificate, list(self.chain) or None, encryption)


def load_pkcs12(path: Path, password: str | None) -> DeskCertificate:
    """Read a PKCS#12 file; a missing file, wrong password or non-RSA key is a one-line error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None)
    except ValueError as exc:
        raise SigningConfigError(
            f"{path}: not a PKCS#12 file, or wrong DOSSIER_SIGNING_PASSWORD") from exc
    if cert is None or key is None:
        raise SigningConfigError(f"{path}: holds no certificate with its private key")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningConfigError(
            f"{path}: the key is not RSA (needed for deterministic signatures)")
    return DeskCertificate(cert, key, tuple(chain), path)


def trial_certificate(agency_name: str, *, now: datetime | None = None,
                      key_size: int = 2048) -> DeskCertificate:
    """A self-signed certificate for ``agency_name``, marked as a trial in its OU."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TRIAL_UNIT),
        x509.NameAttribute(NameOID.COMMON_NAME, agency_name),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # a day back: a dossier received just before the certificate existed still signs
        # inside its validity (see signing.desk: the signing time is never before it)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * TRIAL_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return DeskCertificate(cert, key)


def write_pkcs12(desk: DeskCertificate, path: Path, password: str | None = None, *,
                 replace: bool = True) -> bool:
    """Write atomically with mode 0600; with ``replace=False`` an existing file wins.

    Returns False when ``replace`` is off and another process wrote the file
    first (several workers may start at once on a fresh trial desk).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".p12-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(desk.pkcs12_bytes(password))
        os.chmod(tmp, 0o600)
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # fails if the file exists: first writer wins
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


def short_fingerprint(cert: x509.Certificate) -> str:
    """The first 16 hex digits of the SHA-256 fingerprint (for messages)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()[:16]
