"""Time to record a 20-page dossier, embedded (SQLite + folder) and on PostgreSQL + SeaweedFS.

"Record" is everything after OCR: the original scan stored first, the dossier
row, then a normalised image and an OCR JSON per page, one searchable PDF, the
metadata file, and the one database transaction (``archive.receive`` +
``archive.keep``). Pages come from ``scan_simulator`` (A4, 300 dpi, grey);
OCR words are faked on a grid (Tesseract is not what is measured here). The
servers are started the way the tests start them.

    .venv/bin/python bench/record_speed.py [--pages 20] [--rounds 3] [--embedded-only]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive import keep, receive  # noqa: E402
from models.database import open_database  # noqa: E402
from pipeline.results import FileResult, Line, PageResult, Word  # noqa: E402
from pipeline.searchable_pdf import PdfPage, build_searchable_pdf  # noqa: E402
from scan_simulator.content import make_page  # noqa: E402
from scan_simulator.render import render_page  # noqa: E402
from storage import ObjectStore, open_store  # noqa: E402

AGENCY = "000.00.00.H26"
DPI = 300


def make_pages(count: int) -> list[tuple[np.ndarray, str]]:
    """Rendered grey A4 pages and their text (not timed)."""
    rng = random.Random(2026)
    pages = []
    for _ in range(count):
        image, text = render_page(make_page(rng), dpi=DPI)
        pages.append((np.asarray(image.convert("L")), text))
    return pages


def fake_ocr(path: Path, pages: list[tuple[np.ndarray, str]]) -> FileResult:
    """A FileResult with each page's real text laid on a grid of word boxes."""
    result = FileResult(path=str(path))
    for index, (image, text) in enumerate(pages):
        words, lines = [], []
        for row, line in enumerate(text.splitlines()):
            y0 = 250 + row * 90
            x = 350
            line_words = []
            for token in line.split():
                width = 28 * len(token)
                line_words.append(Word(token, 0.9, (x, y0, x + width, y0 + 50), row))
                x += width + 25
            if line_words:
                words += line_words
                lines.append(Line(line, (350, y0, x, y0 + 50)))
        height, width = image.shape
        result.pages.append(PageResult(
            index=index, source="ocr", text=text, confidence=0.9, rotation=0, skew_degrees=0.0,
            dpi=DPI, blank=False, width=width, height=height, words=words, lines=lines,
            image=image))
    return result


def write_original(folder: Path, pages: list[tuple[np.ndarray, str]], round_: int) -> Path:
    """The 'scan as received': a multi-page JPEG PDF, different bytes each round."""
    path = folder / f"scan-{round_}.pdf"
    images = [Image.fromarray(image) for image, _ in pages]
    images[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=images[1:],
                   title=f"round {round_}", quality=85)
    return path


def record_once(sessions: object, store: ObjectStore, original: Path,
                ocr: FileResult) -> tuple[float, float, int]:
    with sessions() as session:  # type: ignore[operator]
        start = time.perf_counter()
        got = receive([original], AGENCY, "1.001193", store, session)
        received = time.perf_counter()
        kept = keep(session, store, got.dossier, [ocr])
        done = time.perf_counter()
    size = sum(store.stat(k).size for k in kept.objects)  # type: ignore[union-attr]
    return received - start, done - received, size


@contextmanager
def embedded(tmp: Path) -> Iterator[tuple[str, str]]:
    yield f"sqlite:///{tmp / 'hoso.sqlite3'}", (tmp / "objects").as_uri()


@contextmanager
def servers(stack: ExitStack) -> Iterator[tuple[str, str]]:
    from tests.servers.postgres import running_postgres
    from tests.servers.seaweedfs import seaweedfs_server

    pg = stack.enter_context(running_postgres())
    weed = stack.enter_context(seaweedfs_server())
    yield pg.new_database(), weed.url(weed.new_bucket("bench"))


def run(label: str, db_url: str, store_url: str, pages: list[tuple[np.ndarray, str]],
        folder: Path, rounds: int) -> None:
    engine, sessions = open_database(db_url)
    store = open_store(store_url)
    totals, receives, keeps = [], [], []
    size = 0
    for round_ in range(rounds):
        original = write_original(folder, pages, round_)
        ocr = fake_ocr(original, pages)
        r, k, size = record_once(sessions, store, original, ocr)
        receives.append(r)
        keeps.append(k)
        totals.append(r + k)
    engine.dispose()
    print(f"{label:<22} {statistics.median(totals):>8.2f} s  (receive "
          f"{statistics.median(receives):.2f} s + keep {statistics.median(keeps):.2f} s; "
          f"best {min(totals):.2f} s; {size / 1e6:.1f} MB stored per dossier)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--embedded-only", action="store_true")
    args = parser.parse_args()
    pages = make_pages(args.pages)
    start = time.perf_counter()
    pdf = build_searchable_pdf([PdfPage(image, DPI, fake_ocr(Path("x"), [(image, text)])
                                        .pages[0].words) for image, text in pages])
    pdf_s = time.perf_counter() - start
    print(f"{args.pages} pages, A4 at {DPI} dpi, grey; median of {args.rounds} rounds")
    print(f"{'searchable PDF alone':<22} {pdf_s:>8.2f} s  ({len(pdf.data) / 1e6:.1f} MB)")
    with tempfile.TemporaryDirectory(prefix="hoso-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        (folder / "embedded").mkdir()
        with embedded(folder / "embedded") as (db_url, store_url):
            run("SQLite + folder", db_url, store_url, pages, folder, args.rounds)
        if not args.embedded_only:
            with servers(stack) as (db_url, store_url):
                run("PostgreSQL + SeaweedFS", db_url, store_url, pages, folder, args.rounds)


if __name__ == "__main__":
    main()
