"""The desk's signer, from configuration: what ``keep`` signs with and ``fsck`` trusts.

* ``DOSSIER_SIGNING_CERT`` (a PKCS#12 file) and ``DOSSIER_SIGNING_PASSWORD``:
  the agency's certificate. Every machine of a multi-machine set-up must be
  given the same file, or their copies would differ.
* Not set, and the object store is a local folder (the embedded desk): a
  trial certificate is created once beside that folder, at
  ``<objects>/../signing/trial-certificate.p12`` (so
  ``$DOSSIER_HOME/signing/`` by default), and used from then on, so a trial
  desk's copies are signed too. Its subject says it is a trial. Keeping it
  next to the objects it signed means fsck finds the same one, whatever the
  working folder.
* Not set, shared object store (S3): nothing is signed and a warning is
  logged once. A trial certificate per machine would make each machine sign
  differently; a real deployment configures its agency's certificate.

Intake calls ``desk_signer(store)`` and hands the result to ``archive.keep``;
keep itself never reads the environment (tests and other callers pass their
own signer, or none).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

from signing.certificate import (
    DeskCertificate,
    SigningConfigError,
    load_pkcs12,
    trial_certificate,
    write_pkcs12,
)
from storage import LocalStore, ObjectStore

__all__ = ["ENV_CERT", "ENV_PASSWORD", "DeskSigner", "desk_signer", "trial_path"]

ENV_CERT = "DOSSIER_SIGNING_CERT"
ENV_PASSWORD = "DOSSIER_SIGNING_PASSWORD"
TRIAL_FILE = "trial-certificate.p12"

log = logging.getLogger(__name__)
_cache: dict[tuple[str, float, str | None], DeskSigner] = {}
_warned = False


@dataclass(frozen=True)
class DeskSigner:
    """The desk's certificate, and the one rule for a copy's signing time."""

    desk: DeskCertificate

    @property
    def agency_name(self) -> str:
        return self.desk.agency_name

    @property
    def certificate(self) -> x509.Certificate:
        return self.desk.certificate

    def signing_time(self, received_at: datetime) -> datetime:
        """When the dossier was received, but never before the certificate was valid.

        Fixed per dossier so a second keep gives the same bytes; a dossier
        received before its certificate existed (an older archive, a renewed
        certificate) is signed at the start of the certificate's validity.
        """
        start = self.desk.certificate.not_valid_before_utc
        return max(received_at, start).replace(microsecond=0)

    def sign_copy(self, pdf: bytes, received_at: datetime) -> bytes:
        from signing.sign import sign_pdf  # pyHanko is slow to import; only signing needs it

        return sign_pdf(pdf, self.desk, agency_name=self.agency_name,
                        signed_at=self.signing_time(received_at))


def trial_path(store: LocalStore) -> Path:
    """Where the embedded desk keeps its trial certificate: beside its object folder."""
    return store.root.parent / "signing" / TRIAL_FILE


def desk_signer(store: ObjectStore, env: Mapping[str, str] | None = None, *,
                create: bool = True) -> DeskSigner | None:
    """The configured signer, the embedded desk's trial one, or None (see the module doc).

    ``create=False`` (fsck) never makes a trial certificate: a desk that never
    signed has nothing to check. Raises ``SigningConfigError`` when the
    configured file cannot be used.
    """
    global _warned
    env = os.environ if env is None else env
    configured = env.get(ENV_CERT)
    if configured:
        return _load(Path(configured), env.get(ENV_PASSWORD) or None)
    if not isinstance(store, LocalStore):
        if not _warned:
            log.info("%s is not set and the object store is shared: copies are not signed",
                     ENV_CERT)
            _warned = True
        return None
    path = trial_path(store)
    if not path.is_file():
        if not create:
            return None
        agency = env.get("DOSSIER_AGENCY_CODE") or "000.00.00.H00"
        write_pkcs12(trial_certificate(f"Cơ quan {agency} (thử nghiệm)"), path, replace=False)
        log.info("created a trial signing certificate at %s; set %s for real use",
                 path, ENV_CERT)
    return _load(path, None)


def _load(path: Path, password: str | None) -> DeskSigner:
    try:
        stamp = path.stat().st_mtime
    except OSError as exc:
        raise SigningConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    key = (str(path.resolve()), stamp, password)
    if key not in _cache:
        _cache[key] = DeskSigner(load_pkcs12(path, password))
    return _cache[key]
