"""Each page is read from its original by the worker that OCRs it: same pages, same errors.

``split`` only counts pages now; ``ocr_one`` reads its own page. The outcome
must equal reading the files in turn (``pipeline.api.ocr_paths``, what
``dossier process`` reports): a file that fails part-way keeps the pages
before the bad one and its error, later pages are dropped, and the next
file's pages are numbered on from there. The files here are born-digital
(text layer), so no Tesseract runs and the test is quick.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from archive import receive
from intake import steps
from intake.originals import LocalOriginals
from intake.work_area import WorkArea
from models.catalog import load_catalog
from models.database import open_database
from pipeline.api import ocr_paths
from pipeline.ingest import iter_pages, open_pages, read_page
from pipeline.options import OcrOptions
from storage import sha256_file
from storage.local import LocalStore

AGENCY = "000.00.00.H26"


def _text_pdf(path: Path, sizes: list[tuple[float, float]], blank: int | None = None) -> Path:
    """One page per size (points), each saying which page it is, except page ``blank``
    (1-based): no text, so it is drawn for OCR."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for number, (width, height) in enumerate(sizes, start=1):
        content = ("" if number == blank else
                   f"BT /F0 14 Tf 72 {height - 100} Td (Trang so {number} cua ho so) Tj ET")
        page = pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, width, height],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F0=font)),
            Contents=pdf.make_stream(content.encode())))
        pdf.pages.append(page)
    pdf.save(path)
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    a4 = (595.0, 842.0)
    bad_middle = _text_pdf(tmp_path / "giua-hong.pdf", [a4, (14400.0, 14400.0), a4], blank=2)
    good = _text_pdf(tmp_path / "tot.pdf", [a4, a4])
    not_a_pdf = tmp_path / "hong.pdf"
    not_a_pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    return [bad_middle, not_a_pdf, good]


def test_a_page_read_alone_equals_the_page_read_in_turn(tmp_path: Path) -> None:
    options = OcrOptions()
    pdf = _text_pdf(tmp_path / "ba-trang.pdf", [(595.0, 842.0)] * 3)
    tiff = tmp_path / "fax.tif"
    frames = [Image.new("L", (300, 200), shade) for shade in (0, 128, 255)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(200, 200))
    for path in (pdf, tiff):
        in_turn = list(iter_pages(path, options))
        assert open_pages(path, options) == len(in_turn) == 3
        for number, page in enumerate(in_turn):
            alone = read_page(path, number, options)
            assert alone is not None and alone.file_page == page.file_page == number
            if page.image is not None:
                assert alone.image is not None and (alone.image == page.image).all()
            else:
                assert alone.text_layer is not None and page.text_layer is not None
                assert alone.text_layer.text == page.text_layer.text
    assert read_page(pdf, 3, options) is None


def test_workers_read_each_page_themselves_and_match_reading_in_turn(
        tmp_path: Path, files: list[Path]) -> None:
    reference = ocr_paths(files, OcrOptions(keep_images=True))
    store = LocalStore(tmp_path / "objects", fsync=False)
    _, sessions = open_database(f"sqlite:///{tmp_path / 'hoso.sqlite3'}")
    ctx = steps.Context(store=store, sessions=sessions, catalog=load_catalog(),
                        options=OcrOptions(), originals=LocalOriginals(max_files=1))
    with sessions() as session:
        received = receive(files, AGENCY, None, store, session)
        dossier_id, code = received.dossier.id, received.dossier.code
        keys = {row.sha256: row.key for row in received.originals}
    sent: list[tuple[int, steps.PageSource]] = []
    published: list[bool] = []
    steps.split(ctx, dossier_id, [steps.SourceFile(keys[sha256_file(p)], str(p)) for p in files],
                send_page=lambda index, source: sent.append((index, source)),
                send_publish=lambda: published.append(True))
    # Every page of every readable file is sent, the broken one's pages included:
    # nobody knows a page is bad before reading it.
    assert [index for index, _ in sent] == [0, 1, 2, 3, 4]
    assert [source.number for _, source in sent] == [0, 1, 2, 0, 1]
    for index, source in reversed(sent):  # any order: workers race
        steps.ocr_one(ctx, dossier_id, index, send_publish=lambda: published.append(True),
                      source=source)
    assert published == [True]
    area = WorkArea(store, code)
    manifest = area.get_manifest()
    assert manifest is not None
    got, encoded, _ = steps._file_results(area, manifest)
    assert encoded == {}  # text-layer pages keep no image
    assert [f.path for f in got] == [str(p) for p in files]
    for mine, theirs in zip(got, reference, strict=True):
        assert (mine.error is None) == (theirs.error is None)
        if theirs.error is not None:
            assert mine.error is not None
            assert (mine.error.kind, mine.error.message) == (theirs.error.kind,
                                                             theirs.error.message)
        assert [(p.index, p.text, p.source) for p in mine.pages] == \
               [(p.index, p.text, p.source) for p in theirs.pages]
    # The bad page ends its file: page 3 of the first file was read but is dropped,
    # and the good file's pages come right after page 1.
    assert [p.index for f in got for p in f.pages] == [0, 1, 2]
    assert "Trang so 1" in got[0].pages[0].text and got[0].error is not None
    assert got[0].error.kind.value == "too-large"


def test_a_message_queued_before_the_upgrade_still_reads_its_stored_page(
        tmp_path: Path) -> None:
    """An OCR message without a source (sent by the earlier split, which stored the page
    in the work area) is still served from the work area."""
    path = _text_pdf(tmp_path / "mot-trang.pdf", [(595.0, 842.0)])
    store = LocalStore(tmp_path / "objects", fsync=False)
    _, sessions = open_database(f"sqlite:///{tmp_path / 'hoso.sqlite3'}")
    ctx = steps.Context(store=store, sessions=sessions, catalog=load_catalog(),
                        options=OcrOptions())
    with sessions() as session:
        received = receive([path], AGENCY, None, store, session)
        dossier_id, code = received.dossier.id, received.dossier.code
    area = WorkArea(store, code)
    area.put_input(0, next(iter_pages(path, OcrOptions())))
    steps.ocr_one(ctx, dossier_id, 0, send_publish=lambda: None)
    page, _, _ = area.get_page(0)
    assert "Trang so 1" in page.text


def test_local_originals_fetch_once_evict_unused_and_retry_after_a_failure(
        tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects", fsync=False)
    keys = [store.put_bytes(bytes([n]) * 1000, f"originals/{n}.pdf").key for n in range(3)]
    cache = LocalOriginals(max_files=2)
    with cache.path(store, keys[0]) as first:
        with cache.path(store, keys[0]) as again:
            assert again == first  # one copy for every page of one original
        with cache.path(store, keys[1]) as second:
            pass
        with cache.path(store, keys[2]) as third:
            assert second.exists()
    # Over the limit, the least recently used copy not in use went: the second one
    # (the first was still being read when the limit was passed).
    assert first.exists() and not second.exists() and third.exists()
    assert len(list(first.parent.iterdir())) == 2
    missing = "originals/missing.pdf"
    with pytest.raises(Exception), cache.path(store, missing):  # noqa: B017 - the store's own
        pass
    store.put_bytes(b"late", missing)
    with cache.path(store, missing) as late:
        assert late.read_bytes() == b"late"  # a failed fetch is tried again, not remembered


def test_pages_read_by_several_threads_at_once_equal_pages_read_in_turn(
        tmp_path: Path) -> None:
    """Worker threads read their own pages at the same time; PDFium is not thread-safe,
    so its use is serialised by one lock per process (without it this crashes or
    garbles pages now and then)."""
    from concurrent.futures import ThreadPoolExecutor

    options = OcrOptions()
    pdf = _text_pdf(tmp_path / "nhieu-trang.pdf", [(595.0, 842.0)] * 6, blank=4)
    in_turn = list(iter_pages(pdf, options))

    def read(number: int) -> tuple[str | None, bytes | None]:
        page = read_page(pdf, number, options)
        assert page is not None
        return (page.text_layer.text if page.text_layer else None,
                page.image.tobytes() if page.image is not None else None)

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(read, [n % 6 for n in range(48)]))
    for number, (text, pixels) in enumerate(got):
        want = in_turn[number % 6]
        assert text == (want.text_layer.text if want.text_layer else None)
        assert pixels == (want.image.tobytes() if want.image is not None else None)
