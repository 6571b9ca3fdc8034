"""Receiving and keeping a dossier: originals first, derived objects, one transaction.

Runs on both backends (SQLite + folder, PostgreSQL + SeaweedFS). The searchable
PDF is checked on a page read by the real OCR pipeline (Tesseract, Vietnamese).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from sqlalchemy import func, select

from archive import BadInputFile, DocumentInput, FieldInput, fsck, keep, receive
from archive.page_image import encode_page_image
from models.records import AuditEntry, Document, Dossier, FieldValue, Page, StoredObjectRecord
from pipeline.api import ocr_paths
from pipeline.options import OcrOptions
from pipeline.results import FileResult, Line, PageResult, Word
from pipeline.searchable_pdf import PdfPage, build_searchable_pdf, page_from_result
from scan_simulator.content import make_page
from scan_simulator.render import render_page
from storage import (
    AccessDenied,
    BucketMissing,
    LocalStore,
    RetryPolicy,
    S3Store,
    StorageFull,
    StorageUnavailable,
    open_store,
    parse_key,
)
from tests import test_records as records
from tests.test_records import AGENCY, Backend

backend = records.backend  # the shared fixtures (both backends, one PostgreSQL)
postgres = records.postgres

PROCEDURE = "1.001193"

# ----------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, FileResult]:
    """One generated birth-registration form, read by the real pipeline (images kept)."""
    folder = tmp_path_factory.mktemp("scan")
    image, _truth = render_page(make_page(random.Random(7), "to_khai_khai_sinh"))
    path = folder / "to-khai.png"
    image.save(path, dpi=(300, 300))
    (result,) = ocr_paths([path], OcrOptions(keep_images=True, jobs=2))
    assert result.error is None and result.pages[0].words
    return path, result


def fake_result(path: str, first_index: int, pages: int, colour: bool = False,
                dpi: int = 300) -> FileResult:
    """A FileResult with synthetic page images and words (no Tesseract: fast)."""
    out = FileResult(path=path)
    for i in range(pages):
        h, w = (1169, 826) if dpi < 200 else (3508, 2480)
        image = np.full((h, w, 3) if colour else (h, w), 255, np.uint8)
        words = [Word("Họ", 0.9, (200, 300, 260, 340), 0),
                 Word("tên:", 0.9, (275, 300, 360, 340), 0),
                 Word("Trần", 0.8, (380, 300, 470, 340), 0)]
        for word in words:
            x0, y0, x1, y1 = word.bbox
            image[y0:y1, x0:x1] = 0 if not colour else (40, 20, 200)
        image[50:60, 50 + 20 * i:60 + 20 * i] = 0  # every page different, as real scans are
        out.pages.append(PageResult(
            index=first_index + i, source="ocr", text="Họ tên: Trần", confidence=0.9,
            rotation=0, skew_degrees=0.0, dpi=dpi, blank=False, width=w, height=h,
            words=words, lines=[Line("Họ tên: Trần", (200, 300, 470, 340))], image=image))
    return out


def write_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def count(backend: Backend, model: type) -> int:
    with backend.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def keys(store: object) -> set[str]:
    return {o.key for o in store.list()}  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- searchable PDF


def test_searchable_pdf_of_a_real_ocr_page_extracts_vietnamese(
        scanned: tuple[Path, FileResult]) -> None:
    page = scanned[1].pages[0]
    pdf = build_searchable_pdf([page_from_result(page)], title="Tờ khai đăng ký khai sinh")
    assert pdf.warnings == []
    assert pdf.data.startswith(b"%PDF-1.")
    assert int(pdf.data[7:8]) >= 4
    with pdfplumber.open(io.BytesIO(pdf.data)) as doc:
        (pdf_page,) = doc.pages
        height_px, width_px = page.image.shape[:2]  # type: ignore[union-attr]
        assert pdf_page.width == pytest.approx(width_px * 72 / page.dpi, abs=0.01)
        assert pdf_page.height == pytest.approx(height_px * 72 / page.dpi, abs=0.01)
        words = [w["text"] for w in pdf_page.extract_words()]
        text = pdf_page.extract_text()
        placed = pdf_page.extract_words()
    expected = [unicodedata.normalize("NFC", w.text) for w in page.words if w.text.strip()]
    assert words == expected  # every word, in reading order, diacritics intact
    assert any(ch in text for ch in "ĐđỜờẬậ")
    assert unicodedata.is_normalized("NFC", text)
    for ocr_lines in page.text.splitlines()[:5]:
        assert ocr_lines.split()[0] in text
    first = page.words[0]
    scale = 72 / page.dpi
    assert placed[0]["x0"] == pytest.approx(first.bbox[0] * scale, abs=1.0)
    assert placed[0]["x1"] == pytest.approx(first.bbox[2] * scale, abs=1.0)


def test_searchable_pdf_keeps_colour_resolution_and_bilevel_losslessly() -> None:
    rng = np.random.default_rng(1)
    colour = np.zeros((700, 500, 3), np.uint8)
    colour[:, :250] = (0, 0, 255)  # BGR red on the left, blue on the right
    colour[:, 250:] = (255, 0, 0)
    bilevel = np.where(rng.random((1000, 800)) > 0.5, 255, 0).astype(np.uint8)
    grey = rng.integers(0, 256, (600, 400), dtype=np.uint8)
    pdf = build_searchable_pdf([PdfPage(colour, 300), PdfPage(bilevel, 400),
                                PdfPage(grey, 150)])
    assert len(pdf.warnings) == 1 and "page 3" in pdf.warnings[0] and "150 dpi" in pdf.warnings[0]
    with pikepdf.open(io.BytesIO(pdf.data)) as doc:
        assert doc.pdf_version >= "1.4"
        images = [p.Resources.XObject.Im0 for p in doc.pages]
        boxes = [[float(v) for v in p.MediaBox] for p in doc.pages]
        assert [(im.Width, im.Height) for im in images] == [(500, 700), (800, 1000), (400, 600)]
        assert boxes[0][2:] == pytest.approx([500 * 72 / 300, 700 * 72 / 300], abs=0.01)
        assert boxes[1][2:] == pytest.approx([800 * 72 / 400, 1000 * 72 / 400], abs=0.01)
        assert (images[0].ColorSpace, images[0].Filter) == ("/DeviceRGB", "/DCTDecode")
        assert (images[1].BitsPerComponent, images[1].Filter) == (1, "/FlateDecode")
        assert (images[2].ColorSpace, images[2].Filter) == ("/DeviceGray", "/DCTDecode")
        decoded = np.array(pikepdf.PdfImage(images[1]).as_pil_image().convert("L"))
        assert np.array_equal(decoded, bilevel)  # lossless
        rgb = np.array(pikepdf.PdfImage(images[0]).as_pil_image()).astype(int)
        assert np.abs(rgb[350, 100] - (255, 0, 0)).max() < 8  # still red: colour kept, RGB order
        assert np.abs(rgb[350, 400] - (0, 0, 255)).max() < 8


def test_a_page_given_as_its_jpeg_alone_makes_the_same_pdf() -> None:
    """The workers hand publish a page's JPEG without its pixels: same bytes as with them."""
    rng = np.random.default_rng(2)
    grey = rng.integers(100, 256, (600, 400), dtype=np.uint8)
    colour = np.dstack([grey, grey // 2, 255 - grey])
    words = (Word("Đăng", 0.9, (10, 10, 80, 30), 0),)
    pages = [(image, encode_page_image(image).data) for image in (grey, colour)]
    with_pixels = build_searchable_pdf([PdfPage(im, 300, words, jpeg) for im, jpeg in pages])
    alone = build_searchable_pdf([PdfPage(None, 300, words, jpeg) for _, jpeg in pages])
    assert alone.data == with_pixels.data
    with pikepdf.open(io.BytesIO(alone.data)) as doc:
        spaces = [str(p.Resources.XObject.Im0.ColorSpace) for p in doc.pages]
        sizes = [(int(p.Resources.XObject.Im0.Width), int(p.Resources.XObject.Im0.Height))
                 for p in doc.pages]
    assert spaces == ["/DeviceGray", "/DeviceRGB"] and sizes == [(400, 600), (400, 600)]
    with pytest.raises(ValueError, match="its image or its JPEG"):
        build_searchable_pdf([PdfPage(None, 300, words)])


# ----------------------------------------------------------------------------- receive


def test_receive_stores_originals_exactly_then_records(backend: Backend, tmp_path: Path) -> None:
    first = write_file(tmp_path, "Tờ khai.pdf", b"%PDF-1.4 fake scan " + os.urandom(2000))
    second = write_file(tmp_path, "cccd.jpg", os.urandom(70_000))
    with backend.sessions() as session:
        got = receive([first, second], AGENCY, PROCEDURE, backend.store, session,
                      applicant_name="Nguyễn   Văn An", actor="cán bộ B")
    assert got.created and got.code.startswith(f"{AGENCY}-") and got.code.endswith("-0001")
    assert [o.original_name for o in got.originals] == ["Tờ khai.pdf", "cccd.jpg"]
    for row, path in zip(got.originals, (first, second), strict=True):
        parsed = parse_key(row.key)
        assert parsed is not None and parsed.kind == "original"
        assert parsed.dossier_code == got.code and parsed.agency_code == AGENCY
        assert backend.store.get_bytes(row.key) == path.read_bytes()
        assert backend.store.verify(row.key)
    with backend.sessions() as session:
        dossier = session.get(Dossier, got.dossier.id)
        assert dossier is not None and dossier.status == "received"
        assert dossier.applicant_name == "Nguyễn Văn An"
        assert dossier.procedure is not None and dossier.procedure.code == PROCEDURE
        audit = session.scalars(select(AuditEntry)).all()
        assert [(a.action, a.actor) for a in audit] == [("dossier.received", "cán bộ B")]
        assert audit[0].details["files"] == ["Tờ khai.pdf", "cccd.jpg"]


def test_receiving_the_same_files_twice_keeps_one_copy_and_one_record(
        backend: Backend, tmp_path: Path) -> None:
    path = write_file(tmp_path, "scan.pdf", os.urandom(5000))
    with backend.sessions() as session:
        first = receive([path], AGENCY, PROCEDURE, backend.store, session)
        before = keys(backend.store)
        again = receive([path], AGENCY, PROCEDURE, backend.store, session)
    assert not again.created and again.dossier.id == first.dossier.id
    assert [o.key for o in again.originals] == [o.key for o in first.originals]
    assert keys(backend.store) == before
    assert count(backend, Dossier) == 1 and count(backend, StoredObjectRecord) == 1
    with backend.sessions() as session:  # another agency receiving it is a different dossier
        other = receive([path], "000.00.00.H27", PROCEDURE, backend.store, session)
    assert other.created and other.dossier.id != first.dossier.id


def test_missing_input_file_is_a_clear_error_and_writes_nothing(
        backend: Backend, tmp_path: Path) -> None:
    with backend.sessions() as session, pytest.raises(BadInputFile) as err:
        receive([tmp_path / "absent.pdf"], AGENCY, PROCEDURE, backend.store, session)
    assert "absent.pdf" in str(err.value) and "no such file" in str(err.value)
    assert keys(backend.store) == set() and count(backend, Dossier) == 0


# ----------------------------------------------------------------------------- keep


def test_keep_stores_every_derived_object_then_one_transaction(
        backend: Backend, scanned: tuple[Path, FileResult]) -> None:
    path, result = scanned
    fields = {"ho_ten": FieldInput("Nguyễn Minh Khang", 0.91, 0, (10, 20, 300, 60))}
    docs = [DocumentInput("to_khai_khai_sinh", [0], 0.97, fields)]
    with backend.sessions() as session:
        got = receive([path], AGENCY, PROCEDURE, backend.store, session)
        kept = keep(session, backend.store, got.dossier, [result], documents=docs,
                    result={"complete": False})
    kinds = sorted(parse_key(k).kind for k in kept.objects)  # type: ignore[union-attr]
    assert kinds == ["metadata", "ocr", "original", "page", "pdf"]
    assert keys(backend.store) == set(kept.objects)
    by_kind = {parse_key(k).kind: k for k in kept.objects}  # type: ignore[union-attr]
    ocr = json.loads(backend.store.get_bytes(by_kind["ocr"]))
    assert ocr["dossier_code"] == got.code and ocr["words"][0]["bbox"]
    assert ocr["text"] == result.pages[0].text
    metadata = json.loads(backend.store.get_bytes(by_kind["metadata"]))
    decree = metadata["decree_30_2020"]
    assert decree["ma_ho_so"] == got.code and decree["so_luong_trang"] == 1
    assert decree["tong_so_van_ban"] == 1 and decree["ngon_ngu"] == "Tiếng Việt"
    assert "Đăng ký khai sinh" in decree["tieu_de_ho_so"]
    listed = {o["key"]: o["sha256"] for o in metadata["hoso"]["objects"]}
    assert set(listed) == set(kept.objects) - {by_kind["metadata"]}
    assert all(parse_key(k).sha256 == sha for k, sha in listed.items())  # type: ignore[union-attr]
    pdf_bytes = backend.store.get_bytes(by_kind["pdf"])
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        assert pdf.pages[0].extract_words()[0]["text"] == result.pages[0].words[0].text
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:  # the PDF embeds the kept page image as is
        embedded = pdf.pages[0].Resources.XObject.Im0.read_raw_bytes()
    assert embedded == backend.store.get_bytes(by_kind["page"])
    with backend.sessions() as session:
        dossier = session.get(Dossier, got.dossier.id)
        assert dossier is not None
        assert (dossier.status, dossier.pages_total, dossier.pages_done) == ("done", 1, 1)
        assert dossier.result == {"complete": False}
        (page,) = dossier.pages
        assert page.text == result.pages[0].text and page.document_id is not None
        (document,) = dossier.documents
        assert document.type_id == "to_khai_khai_sinh" and document.fields[0].bbox == [
            10, 20, 300, 60]
        pdf_row = session.scalars(select(StoredObjectRecord).where(
            StoredObjectRecord.kind == "pdf")).one()
        assert pdf_row.document_id == document.id
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["dossier.received", "dossier.kept"]
    objects_before, rows_before = keys(backend.store), count(backend, StoredObjectRecord)
    with backend.sessions() as session:  # keeping the same result again adds nothing
        again = keep(session, backend.store, got.dossier, [result], documents=docs)
    assert sorted(again.objects) == sorted(kept.objects)
    assert keys(backend.store) == objects_before
    assert count(backend, StoredObjectRecord) == rows_before
    assert (count(backend, Page), count(backend, Document), count(backend, FieldValue)) == (
        1, 1, 1)
    with backend.sessions() as session:
        assert fsck(backend.store, session).ok


def test_keep_without_documents_makes_one_pdf_per_file(backend: Backend, tmp_path: Path) -> None:
    a = write_file(tmp_path, "a.pdf", os.urandom(300))
    b = write_file(tmp_path, "b.tif", os.urandom(300))
    results = [fake_result(str(a), 0, 2, colour=True), fake_result(str(b), 2, 1, dpi=150)]
    with backend.sessions() as session:
        got = receive([a, b], AGENCY, None, backend.store, session)
        kept = keep(session, backend.store, got.dossier, results)
    pdfs = [k for k in kept.objects if parse_key(k).kind == "pdf"]  # type: ignore[union-attr]
    assert len(pdfs) == 2
    assert any("150 dpi" in w for w in kept.warnings)
    pages = [len(pikepdf.open(io.BytesIO(backend.store.get_bytes(k))).pages) for k in pdfs]
    assert sorted(pages) == [1, 2]
    with backend.sessions() as session:
        docs = session.scalars(select(Document).order_by(Document.position)).all()
        assert [(d.type_id, d.first_page, d.page_count) for d in docs] == [
            ("khac", 0, 2), ("khac", 2, 1)]


# ----------------------------------------------------------------------------- bad storage


def _nothing_recorded(backend: Backend) -> None:
    assert count(backend, Dossier) == 0 and count(backend, StoredObjectRecord) == 0


def test_missing_bucket_wrong_credentials_and_server_down_write_nothing(
        seaweedfs: object, postgres: object, tmp_path: Path) -> None:
    from models.database import open_database
    from tests.servers.seaweedfs import free_ports

    path = write_file(tmp_path, "scan.pdf", os.urandom(1000))
    engine, sessions = open_database(postgres.new_database())  # type: ignore[attr-defined]
    server = seaweedfs
    backend_ = Backend("servers", "", "", None, engine, sessions)  # type: ignore[arg-type]
    bucket = server.new_bucket()  # type: ignore[attr-defined]
    (port,) = free_ports(1)
    cases = [
        (open_store(server.url(f"absent-{uuid.uuid4().hex[:8]}")), BucketMissing),  # type: ignore[attr-defined]
        (open_store(server.url(bucket, secret_key="wrong-secret")), AccessDenied),  # type: ignore[attr-defined]
        (S3Store(f"127.0.0.1:{port}", "k", "s", bucket,
                 retry_policy=RetryPolicy(attempts=2, base_delay_s=0.05)), StorageUnavailable),
    ]
    try:
        for store, error in cases:
            with sessions() as session, pytest.raises(error) as err:
                receive([path], AGENCY, PROCEDURE, store, session)
            assert "\n" not in str(err.value) and "wrong-secret" not in str(err.value)
            _nothing_recorded(backend_)
        good = open_store(server.url(bucket))  # type: ignore[attr-defined]
        assert keys(good) == set()
        with sessions() as session:
            assert fsck(good, session).ok
            got = receive([path], AGENCY, PROCEDURE, good, session)
        assert got.code.endswith("-0004")  # the three failed tries left gaps, nothing else
    finally:
        engine.dispose()


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB filesystem, so the disk really fills up."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (tests run as root in CI): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_leaves_only_what_fsck_explains_and_repairs(
        tmp_path: Path, tiny_tmpfs: Path) -> None:
    from models.database import open_database

    small = write_file(tmp_path, "small.pdf", os.urandom(1000))
    big = write_file(tmp_path, "big.pdf", os.urandom(3 * 1024 * 1024))
    store = LocalStore(tiny_tmpfs / "objects")
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with sessions() as session, pytest.raises(StorageFull) as err:
            receive([small, big], AGENCY, PROCEDURE, store, session)
        assert "storage is full" in str(err.value)
        with sessions() as session:
            report = fsck(store, session)
            assert not report.ok
            assert [f.kind for f in report.orphan_objects] == ["original"]  # the small file
            repaired = fsck(store, session, repair=True)
            assert repaired.ok
            dossier = session.scalars(select(Dossier)).one()
            assert dossier.needs_review and dossier.status == "received"
            (row,) = dossier.objects
            assert store.get_bytes(row.key) == small.read_bytes()
    finally:
        engine.dispose()
