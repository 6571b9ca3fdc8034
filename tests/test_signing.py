"""Signed digitised copies (issue #8): PAdES signature of the agency on each searchable PDF.

Real parts only: real RSA keys and certificates (cryptography), real pyHanko
signing and validation, real pdfplumber extraction, a real SQLite database
and object folder for keep and fsck.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import select

from archive import fsck, keep, receive
from cli.main import main as dossier
from models.database import open_database
from models.dossier_code import VIETNAM_TZ
from models.records import Dossier, StoredObjectRecord
from pipeline.results import FileResult, Line, PageResult, Word
from pipeline.searchable_pdf import PdfPage, build_searchable_pdf
from signing.certificate import DeskCertificate, load_pkcs12, trial_certificate, write_pkcs12
from signing.desk import DeskSigner, desk_signer, trial_path
from signing.errors import SigningConfigError
from signing.sign import FORM_OF_COPY, sign_pdf
from signing.verify import verify_pdf
from storage import LocalStore, parse_key

AGENCY = "000.00.00.H26"
AGENCY_NAME = "UBND phường Bến Thành"
SIGNED_AT = datetime(2026, 11, 25, 2, 30, 15, tzinfo=UTC)  # 09:30:15 in Vietnam
WORDS = ["Họ", "và", "tên:", "Nguyễn", "Thị", "Hương"]

# ----------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def desk() -> DeskCertificate:
    return trial_certificate(AGENCY_NAME)


@pytest.fixture(scope="module")
def other_desk() -> DeskCertificate:
    return trial_certificate(AGENCY_NAME)  # same name, another key: must not be trusted


def page(index: int = 0, dpi: int = 200) -> PageResult:
    """A small synthetic page with Vietnamese words drawn as black boxes (no Tesseract)."""
    h, w = 700, 1000
    image = np.full((h, w), 255, np.uint8)
    words, x = [], 60
    for text in WORDS:
        box = (x, 100, x + 30 * len(text), 140)
        image[box[1]:box[3], box[0]:box[2]] = 0
        words.append(Word(text, 0.9, box, 0))
        x = box[2] + 20
    image[600:610, 50 + 15 * index:60 + 15 * index] = 0
    return PageResult(index=index, source="ocr", text=" ".join(WORDS), confidence=0.9,
                      rotation=0, skew_degrees=0.0, dpi=dpi, blank=False, width=w, height=h,
                      words=words, lines=[Line(" ".join(WORDS), (60, 100, x, 140))], image=image)


def searchable_pdf() -> bytes:
    p = page()
    return build_searchable_pdf([PdfPage(p.image, p.dpi, tuple(p.words))],  # type: ignore[arg-type]
                                title="thử").data


def text_of(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def signature_dictionary(data: bytes) -> pikepdf.Dictionary:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (field,) = pdf.Root.AcroForm.Fields
        assert field.FT == "/Sig" and list(field.Rect) == [0, 0, 0, 0]  # invisible
        sig = field.V
        return {k: (str(v) if not isinstance(v, pikepdf.Array) else [int(i) for i in v])
                for k, v in sig.items() if k != "/Contents"}


@pytest.fixture(scope="module")
def signed(desk: DeskCertificate) -> tuple[bytes, bytes]:
    original = searchable_pdf()
    return original, sign_pdf(original, desk, agency_name=AGENCY_NAME, signed_at=SIGNED_AT)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[LocalStore, object]]:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'hoso.sqlite3'}")
    try:
        yield LocalStore(tmp_path / "objects"), sessions
    finally:
        engine.dispose()


def keep_one(store: LocalStore, sessions: object, tmp_path: Path,
             signer: DeskSigner | None) -> tuple[str, list[str]]:
    """Receive one (opaque) original and keep one synthetic page; return code and keys."""
    original = tmp_path / "scan.pdf"
    if not original.exists():
        original.write_bytes(os.urandom(200))
    result = FileResult(path=str(original), pages=[page()])
    with sessions() as session:  # type: ignore[operator]
        got = receive([original], AGENCY, None, store, session)
        kept = keep(session, store, got.dossier, [result], signer=signer)
    return got.code, kept.objects


def pdf_key(keys: list[str]) -> str:
    (key,) = [k for k in keys if parse_key(k).kind == "pdf"]  # type: ignore[union-attr]
    return key


# ----------------------------------------------------------------------------- sign and verify


def test_signed_pdf_verifies_with_the_signers_certificate_and_keeps_the_original_bytes(
        desk: DeskCertificate, signed: tuple[bytes, bytes]) -> None:
    original, data = signed
    assert data.startswith(original) and len(data) > len(original)  # incremental update
    checked = verify_pdf(data, [desk.certificate])
    assert checked.ok, checked.problem
    assert checked.signer == AGENCY_NAME
    assert checked.signed_at == SIGNED_AT


def test_one_changed_byte_in_the_signed_range_fails(
        desk: DeskCertificate, signed: tuple[bytes, bytes]) -> None:
    original, data = signed
    tampered = bytearray(data)
    tampered[original.index(b"stream") + 40] ^= 0x01  # inside the page image
    checked = verify_pdf(bytes(tampered), [desk.certificate])
    assert not checked.ok and "changed after signing" in checked.problem
    assert not verify_pdf(original, [desk.certificate]).ok  # and an unsigned copy is no copy


def test_another_certificate_as_trust_root_fails(
        other_desk: DeskCertificate, desk: DeskCertificate,
        signed: tuple[bytes, bytes]) -> None:
    checked = verify_pdf(signed[1], [other_desk.certificate])
    assert not checked.ok and "not the desk's" in checked.problem
    assert verify_pdf(signed[1], [other_desk.certificate, desk.certificate]).ok


def test_bytes_appended_after_the_signature_are_reported(
        desk: DeskCertificate, signed: tuple[bytes, bytes]) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed[1]))  # a later revision, appended
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(signed[1])
    checked = verify_pdf(out.getvalue(), [desk.certificate])
    assert not checked.ok and "added after the signature" in checked.problem


def test_text_layer_extracts_the_same_vietnamese_after_signing(
        signed: tuple[bytes, bytes]) -> None:
    original, data = signed
    before, after = text_of(original), text_of(data)
    assert after == before
    assert "Nguyễn Thị Hương" in after


def test_signature_dictionary_gives_form_of_copy_agency_and_iso_time(
        signed: tuple[bytes, bytes]) -> None:
    sig = signature_dictionary(signed[1])
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sig["/Name"] == AGENCY_NAME
    reason = sig["/Reason"]
    assert reason.startswith(FORM_OF_COPY) and "SAO Y" in reason and AGENCY_NAME in reason
    assert re.search(r"\b2026-11-25T09:30:15\+07:00$", reason), reason
    assert sig["/M"].startswith("D:20261125093015+07'00")
    byte_range = sig["/ByteRange"]
    assert byte_range[0] == 0 and byte_range[2] + byte_range[3] == len(signed[1])


def test_signing_is_deterministic_for_the_same_input(
        desk: DeskCertificate, signed: tuple[bytes, bytes]) -> None:
    original, data = signed
    assert sign_pdf(original, desk, agency_name=AGENCY_NAME, signed_at=SIGNED_AT) == data
    later = sign_pdf(original, desk, agency_name=AGENCY_NAME,
                     signed_at=SIGNED_AT + timedelta(seconds=1))
    assert later != data and verify_pdf(later, [desk.certificate]).ok


def test_remembered_signature_room_gives_the_same_bytes_as_a_fresh_estimate(
        desk: DeskCertificate, signed: tuple[bytes, bytes]) -> None:
    """The container's room is estimated once per certificate; later copies reuse it and
    must come out byte for byte as if estimated afresh (content-addressed keys)."""
    from signing import sign as signing_module

    original, data = signed
    assert desk.fingerprint in signing_module._RESERVED
    reused = sign_pdf(original, desk, agency_name=AGENCY_NAME, signed_at=SIGNED_AT)
    signing_module._RESERVED.clear()
    fresh = sign_pdf(original, desk, agency_name=AGENCY_NAME, signed_at=SIGNED_AT)
    assert reused == fresh == data


def test_naive_signing_time_is_refused(desk: DeskCertificate) -> None:
    with pytest.raises(ValueError, match="timezone"):
        sign_pdf(searchable_pdf(), desk, agency_name=AGENCY_NAME,
                 signed_at=datetime(2026, 11, 25, 9, 0))


# ----------------------------------------------------------------------------- keep and fsck


def test_keep_twice_stores_one_signed_copy_under_the_same_key(
        desk: DeskCertificate, embedded: tuple[LocalStore, object], tmp_path: Path) -> None:
    store, sessions = embedded
    signer = DeskSigner(desk)
    code, first = keep_one(store, sessions, tmp_path, signer)
    again_code, second = keep_one(store, sessions, tmp_path, signer)
    assert again_code == code and sorted(second) == sorted(first)
    key = pdf_key(first)
    assert len([o for o in store.list() if parse_key(o.key).kind == "pdf"]) == 1  # type: ignore[union-attr]
    checked = verify_pdf(store.get_bytes(key), [desk.certificate])
    assert checked.ok, checked.problem
    with sessions() as session:  # type: ignore[operator]
        received_at = session.scalars(select(Dossier.received_at)).one()
        assert checked.signed_at == received_at.astimezone(VIETNAM_TZ).replace(microsecond=0)
        assert fsck(store, session, trusted=[desk.certificate]).ok


def test_fsck_reports_a_tampered_signed_copy(
        desk: DeskCertificate, embedded: tuple[LocalStore, object], tmp_path: Path) -> None:
    store, sessions = embedded
    _code, keys = keep_one(store, sessions, tmp_path, DeskSigner(desk))
    key = pdf_key(keys)
    path = store.root / key
    assert path.is_file()
    data = bytearray(path.read_bytes())
    data[data.index(b"stream") + 40] ^= 0x01
    path.write_bytes(bytes(data))
    with sessions() as session:  # type: ignore[operator]
        report = fsck(store, session, trusted=[desk.certificate])
        assert not report.ok
        assert [f.key for f in report.signature_problems] == [key]
        assert "changed after signing" in report.signature_problems[0].detail
        assert "signature_problems" in report.as_dict()
        assert fsck(store, session).signature_problems == []  # no trust given: not checked


def test_fsck_reports_an_unsigned_copy_and_repair_sends_it_back_for_reprocessing(
        desk: DeskCertificate, embedded: tuple[LocalStore, object], tmp_path: Path) -> None:
    store, sessions = embedded
    _code, keys = keep_one(store, sessions, tmp_path, None)  # kept before signing existed
    key = pdf_key(keys)
    with sessions() as session:  # type: ignore[operator]
        report = fsck(store, session, trusted=[desk.certificate])
        assert not report.ok and report.checksum_mismatches == []
        assert [(f.key, f.detail) for f in report.signature_problems] == [
            (key, "signature: not signed")]
        repaired = fsck(store, session, repair=True, trusted=[desk.certificate])
        assert repaired.ok and repaired.signature_problems[0].repair
        assert not store.exists(key)
        dossier = session.scalars(select(Dossier)).one()
        assert dossier.needs_reprocessing
        assert session.scalars(select(StoredObjectRecord.key)
                               .where(StoredObjectRecord.key == key)).first() is None
    _code, keys = keep_one(store, sessions, tmp_path, DeskSigner(desk))  # re-processed: signed
    with sessions() as session:  # type: ignore[operator]
        assert fsck(store, session, trusted=[desk.certificate]).ok


# ----------------------------------------------------------------------------- configuration


def test_embedded_desk_creates_one_trial_certificate_beside_its_objects(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "home" / "objects")
    assert desk_signer(store, {}, create=False) is None  # fsck never creates one
    first = desk_signer(store, {})
    assert first is not None and first.desk.is_trial
    path = trial_path(store)
    assert path == tmp_path / "home" / "signing" / "trial-certificate.p12"
    assert path.stat().st_mode & 0o077 == 0
    again = desk_signer(store, {})
    assert again is not None and again.desk.fingerprint == first.desk.fingerprint
    assert desk_signer(object(), {}) is None  # type: ignore[arg-type]  # shared store: none


def test_configured_certificate_replaces_the_trial_one_and_bad_settings_are_one_line(
        tmp_path: Path, desk: DeskCertificate) -> None:
    p12 = tmp_path / "agency.p12"
    write_pkcs12(desk, p12, "mật khẩu")
    store = LocalStore(tmp_path / "objects")
    env = {"DOSSIER_SIGNING_CERT": str(p12), "DOSSIER_SIGNING_PASSWORD": "mật khẩu"}
    signer = desk_signer(store, env)
    assert signer is not None and signer.desk.fingerprint == desk.fingerprint
    assert not trial_path(store).exists()
    with pytest.raises(SigningConfigError, match=str(p12)):
        desk_signer(store, {**env, "DOSSIER_SIGNING_PASSWORD": "sai"})
    with pytest.raises(SigningConfigError, match="cannot read"):
        desk_signer(store, {"DOSSIER_SIGNING_CERT": str(tmp_path / "none.p12")})
    assert load_pkcs12(p12, "mật khẩu").agency_name == AGENCY_NAME


def test_signing_time_is_never_before_the_certificate(desk: DeskCertificate) -> None:
    signer = DeskSigner(desk)
    start = desk.certificate.not_valid_before_utc
    assert signer.signing_time(start - timedelta(days=400)) == start
    later = start + timedelta(days=3, microseconds=5)
    assert signer.signing_time(later) == later.replace(microsecond=0)


# ----------------------------------------------------------------------------- CLI


def test_cli_trial_certificate_and_verify(tmp_path: Path, desk: DeskCertificate,
                                          signed: tuple[bytes, bytes],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "trial.p12"
    assert dossier(["signing", "trial-certificate", "--agency-name", "UBND xã Thử",
                    "--out", str(out), "--password", "pw"]) == 0
    printed = capsys.readouterr().out
    made = load_pkcs12(out, "pw")
    assert made.is_trial and made.agency_name == "UBND xã Thử"
    assert str(out) in printed and made.fingerprint in printed
    assert dossier(["signing", "trial-certificate", "--agency-name", "X",
                    "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(out) in err and "exists" in err

    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed[1])
    tampered = bytearray(signed[1])
    tampered[signed[0].index(b"stream") + 40] ^= 1
    bad.write_bytes(bytes(tampered))
    cert = tmp_path / "desk.p12"
    write_pkcs12(desk, cert)
    assert dossier(["signing", "verify", str(good), "--cert", str(cert)]) == 0
    assert "SAO Y" in capsys.readouterr().out
    assert dossier(["signing", "verify", str(bad), "--cert", str(cert)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err
    assert dossier(["signing", "verify", str(good), "--cert", str(out)]) == 2  # wrong password
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(out) in err


def test_cli_fsck_json_lists_signature_problems(
        embedded: tuple[LocalStore, object], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    store, sessions = embedded
    signer = desk_signer(store, {})  # the embedded desk's trial certificate
    assert signer is not None
    keep_one(store, sessions, tmp_path, signer)
    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"sqlite:///{tmp_path / 'hoso.sqlite3'}")
    monkeypatch.setenv("DOSSIER_STORAGE_URL", store.root.as_uri())
    monkeypatch.delenv("DOSSIER_SIGNING_CERT", raising=False)
    assert dossier(["fsck", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["signature_problems"] == []
    other = tmp_path / "other.p12"
    write_pkcs12(trial_certificate("Cơ quan khác"), other)
    monkeypatch.setenv("DOSSIER_SIGNING_CERT", str(other))  # copies signed by someone else
    assert dossier(["fsck", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and len(report["signature_problems"]) == 1
    assert "not the desk's" in report["signature_problems"][0]["detail"]
