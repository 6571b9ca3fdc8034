"""`dossier signing trial-certificate|verify`: the agency's signature on digitised copies.

``trial-certificate`` writes a self-signed PKCS#12 for a trial desk (set
``DOSSIER_SIGNING_CERT`` to it); ``verify`` checks a signed copy against the
desk's certificate. Exit 0 on success, 1 when a copy does not verify, 2 on
bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "signing", help="the agency's digital signature on digitised copies",
        description="Digitised copies are signed with the agency's certificate "
                    "(DOSSIER_SIGNING_CERT, a PKCS#12 file; DOSSIER_SIGNING_PASSWORD).")
    sub = parser.add_subparsers(dest="signing_command", metavar="SUBCOMMAND", required=True)
    trial = sub.add_parser(
        "trial-certificate", help="write a self-signed trial certificate (PKCS#12)",
        description="Write a self-signed RSA certificate for a trial desk, its subject "
                    "marked as a trial. Prints where it wrote and the SHA-256 fingerprint.")
    trial.add_argument("--agency-name", required=True, help="the agency's name (subject O, CN)")
    trial.add_argument("--out", type=Path, required=True, help="the .p12 file to write")
    trial.add_argument("--password", help="protect the file with this password")
    trial.add_argument("--force", action="store_true", help="replace an existing file")
    trial.set_defaults(run=run_trial)
    verify = sub.add_parser(
        "verify", help="check a signed copy against the desk's certificate",
        description="Verify the signature of a PDF against the configured certificate "
                    "(or --cert). Exit 0 when it verifies, 1 when not.")
    verify.add_argument("pdf", type=Path, help="the signed PDF")
    verify.add_argument("--cert", type=Path, help="a PKCS#12 or PEM/DER certificate to trust "
                        "instead of the desk's")
    verify.add_argument("--password", help="password of --cert when it is PKCS#12")
    verify.set_defaults(run=run_verify)


def run_trial(args: argparse.Namespace) -> int:
    from signing.certificate import trial_certificate, write_pkcs12

    name = " ".join(args.agency_name.split())
    if not name:
        print(f"dossier: {args.out}: --agency-name is empty", file=sys.stderr)
        return 2
    if args.out.exists() and not args.force:
        print(f"dossier: {args.out}: already exists (use --force to replace it)",
              file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"dossier: {args.out}: folder {args.out.parent} does not exist", file=sys.stderr)
        return 2
    desk = trial_certificate(name)
    try:
        write_pkcs12(desk, args.out, args.password)
    except OSError as exc:
        print(f"dossier: {args.out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    print(f"sha256 fingerprint {desk.fingerprint}")
    print(f"set DOSSIER_SIGNING_CERT={args.out.resolve()}"
          + (" and DOSSIER_SIGNING_PASSWORD" if args.password else ""))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from signing.desk import desk_signer
    from signing.errors import SigningConfigError
    from signing.verify import verify_pdf

    try:
        data = args.pdf.read_bytes()
        if args.cert is not None:
            trusted = [_certificate(args.cert, args.password)]
        else:
            from storage import open_store

            signer = desk_signer(open_store(), create=False)
            if signer is None:
                print(f"dossier: {args.pdf}: no signing certificate configured "
                      "(DOSSIER_SIGNING_CERT) and no trial one", file=sys.stderr)
                return 2
            trusted = [signer.certificate]
    except OSError as exc:
        print(f"dossier: {exc.filename or args.pdf}: cannot read: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except SigningConfigError as exc:
        print(f"dossier: {exc}", file=sys.stderr)
        return 2
    result = verify_pdf(data, trusted)
    if not result.ok:
        print(f"dossier: {args.pdf}: {result.problem}", file=sys.stderr)
        return 1
    print(f"{args.pdf}: ok, signed by {result.signer}"
          f" at {result.signed_at.isoformat() if result.signed_at else '?'}")
    print(f"  {result.reason}")
    return 0


def _certificate(path: Path, password: str | None) -> x509.Certificate:
    from cryptography import x509

    from signing.certificate import load_pkcs12
    from signing.errors import SigningConfigError

    data = path.read_bytes()
    for load in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
        try:
            return load(data)
        except ValueError:
            continue
    try:
        return load_pkcs12(path, password).certificate
    except SigningConfigError:
        raise SigningConfigError(f"{path}: not a certificate (PEM, DER or PKCS#12), "
                                 "or wrong --password") from None
