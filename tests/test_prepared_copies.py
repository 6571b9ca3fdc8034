"""One-page copies made ahead by the OCR worker: the same bytes as keep's own, used only
when they fit, carried in the page blob."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from archive import keep, receive
from archive.copies import PreparedCopy, copy_title, prepare_copy
from archive.page_image import encode_page_image
from intake.page_codec import decode_kept_result, decode_page_blob, encode_result
from models.catalog import load_catalog
from models.database import open_database
from pipeline.dossier_check import standalone_type
from pipeline.results import FileResult, Line, PageResult, Word
from pipeline.searchable_pdf import PdfPage
from signing.certificate import trial_certificate
from signing.desk import DeskSigner
from signing.verify import verify_pdf
from storage import LocalStore, parse_key

AGENCY = "000.00.00.H26"
TEXT = "TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên: Nguyễn Văn An"


def _page(seed: int = 0) -> PageResult:
    """A grey page with sensor noise (kept as JPEG, as scans are) and a few words."""
    rng = np.random.default_rng(seed)
    image = rng.normal(235, 10, (600, 800)).clip(0, 255).astype(np.uint8)
    image[100:140, 60:400] = 30
    words = [Word("Nguyễn", 0.93, (60, 100, 200, 140), 0),
             Word("Văn", 0.9, (210, 100, 300, 140), 0)]
    return PageResult(index=0, source="ocr", text=TEXT, confidence=0.9, rotation=0,
                      skew_degrees=0.0, dpi=200, blank=False, width=800, height=600, words=words,
                      lines=[Line("Nguyễn Văn", (60, 100, 300, 140))], image=image)


@pytest.fixture(scope="module")
def signer() -> DeskSigner:
    return DeskSigner(trial_certificate("UBND phường Bến Thành"))


def _kept_pdf(tmp_path: Path, signer: DeskSigner | None,
              prepared: dict[int, PreparedCopy] | None) -> tuple[bytes, str, object]:
    """Keep one dossier of one page (JPEG made ahead, pixels gone, as in publish); return
    the stored copy's bytes, the dossier code and the dossier row."""
    store = LocalStore(tmp_path / "objects")
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'hoso.sqlite3'}")
    original = tmp_path / "scan.pdf"
    original.write_bytes(os.urandom(200))
    page = _page()
    kept = encode_page_image(page.image)  # type: ignore[arg-type]
    page.image = None
    try:
        with sessions() as session:
            got = receive([original], AGENCY, None, store, session)
            files = [FileResult(path=str(original), pages=[page])]
            result = keep(session, store, got.dossier, files, signer=signer,
                          encoded_images={0: kept}, prepared=prepared)
            dossier = got.dossier
    finally:
        engine.dispose()
    (key,) = [k for k in result.objects if parse_key(k).kind == "pdf"]  # type: ignore[union-attr]
    return store.get_bytes(key), got.code, dossier


def _prepared(code: str, dossier: object, signer: DeskSigner | None,
              type_id: str = "khac") -> PreparedCopy:
    page = _page()
    kept = encode_page_image(page.image)  # type: ignore[arg-type]
    return prepare_copy(PdfPage(None, page.dpi, tuple(page.words), kept.data),
                        title=copy_title(code, type_id, load_catalog()), subject=None,
                        signer=signer, received_at=dossier.received_at)  # type: ignore[attr-defined]


def test_a_copy_made_ahead_is_byte_for_byte_the_one_keep_makes(tmp_path: Path,
                                                                signer: DeskSigner) -> None:
    own, code, dossier = _kept_pdf(tmp_path, signer, None)
    # keep() without documents files the page as one 'khac' document: the same guess here.
    ahead = _prepared(code, dossier, signer)
    assert ahead.data == own
    assert ahead.fits(copy_title(code, "khac", load_catalog()), None, signer)


def test_keep_uses_a_copy_that_fits_and_makes_its_own_otherwise(tmp_path: Path,
                                                                 signer: DeskSigner) -> None:
    own, code, dossier = _kept_pdf(tmp_path / "a", signer, None)
    ahead = _prepared(code, dossier, signer)
    marked = PreparedCopy(ahead.title, ahead.subject, ahead.signed_by, ahead.data + b"%used\n")
    used, _, _ = _kept_pdf(tmp_path / "b", signer, {0: marked})
    assert used == marked.data  # same dossier code (same original, own database): it fits
    # Another type's title, or no signature where keep signs: made afresh, and signed.
    wrong_type = PreparedCopy(copy_title(code, "to_khai_khai_sinh", load_catalog()),
                              ahead.subject, ahead.signed_by, b"%PDF-not-this\n")
    unsigned = PreparedCopy(ahead.title, ahead.subject, None, b"%PDF-unsigned\n")
    for name, bogus in (("c", wrong_type), ("d", unsigned)):
        made = _kept_pdf(tmp_path / name, signer, {0: bogus})[0]
        assert made != bogus.data and len(made) == len(own)
        checked = verify_pdf(made, [signer.desk.certificate])
        assert checked.ok, checked.problem


def test_the_page_blob_carries_the_copy_and_old_readers_still_read_the_page(
        signer: DeskSigner) -> None:
    page = _page()
    kept = encode_page_image(page.image)  # type: ignore[arg-type]
    copy = PreparedCopy("000.00.00.H26-261126-0001 - Tờ khai", "Đăng ký khai sinh",
                        signer.desk.fingerprint, b"%PDF-1.7 bytes", ("page 1: 150 dpi",))
    blob = encode_result(page, kept, pixels=False, copy=copy)
    back, carried, got = decode_page_blob(blob)
    assert got == copy and carried == kept and back.image is None
    assert back.text == page.text and back.words == page.words
    assert decode_kept_result(blob)[1] == kept
    assert decode_page_blob(encode_result(page, kept, pixels=False))[2] is None


def test_only_a_titled_page_that_stands_alone_gets_a_copy_ahead() -> None:
    catalog = load_catalog()
    assert standalone_type(TEXT, catalog) == "to_khai_khai_sinh"
    assert standalone_type("Họ và tên: Nguyễn Văn An\nNơi cư trú: phường Bến Thành",
                           catalog) is None  # untitled: continues the page before
    assert standalone_type("CĂN CƯỚC CÔNG DÂN\nCitizen Identity Card\nSố / No.: 001090012345",
                           catalog) is None  # a card: its back follows
