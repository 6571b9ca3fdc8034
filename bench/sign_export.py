"""Time to keep (and sign) a 20-page dossier, then to export it as a package and import it back.

Pages come from ``scan_simulator`` (A4, 300 dpi, grey) with OCR words faked on
a grid, as in ``bench/record_speed.py``: Tesseract is not what is measured.
The 20 pages are four documents of five pages, so four searchable PDFs are
built and, when the signing package is present, signed with the desk's
certificate (a trial one in a temp folder unless DOSSIER_SIGNING_CERT is set).
Then ``exchange.export_dossier`` writes the ZIP and ``exchange.import_package``
reads it into a second, empty installation.

    .venv/bin/python bench/sign_export.py [--pages 20] [--rounds 3]

Embedded mode only (SQLite + folder); bench/record_speed.py compares the backends.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from record_speed import AGENCY, fake_ocr, make_pages, write_original  # noqa: E402

from archive import DocumentInput, keep, receive  # noqa: E402
from exchange import export_dossier, import_package  # noqa: E402
from models.database import open_database  # noqa: E402
from storage import ObjectStore, open_store  # noqa: E402


def signer_for(store: ObjectStore) -> object | None:
    """The desk signer when the signing package is installed, else None (unsigned copies)."""
    try:
        from signing.desk import desk_signer
    except ImportError:
        return None
    return desk_signer(store)


def one_round(db_url: str, store_url: str, target: tuple[str, str], pages: list, folder: Path,
              round_: int) -> tuple[float, float, float, int, bool]:
    engine, sessions = open_database(db_url)
    store = open_store(store_url)
    original = write_original(folder, pages, round_)
    ocr = fake_ocr(original, pages)
    docs = [DocumentInput("khac", list(range(i, min(i + 5, len(pages)))))
            for i in range(0, len(pages), 5)]
    signer = signer_for(store)
    with sessions() as session:
        got = receive([original], AGENCY, "1.001193", store, session)
        start = time.perf_counter()
        kwargs = {"signer": signer} if signer is not None else {}
        keep(session, store, got.dossier, [ocr], documents=docs, **kwargs)
        kept = time.perf_counter()
        package = export_dossier(session, store, got.code, folder / "goi")
        exported = time.perf_counter()
    engine.dispose()
    t_engine, t_sessions = open_database(target[0])
    with t_sessions() as session:
        start_import = time.perf_counter()
        import_package(session, open_store(target[1]), package)
        imported = time.perf_counter()
    t_engine.dispose()
    return (kept - start, exported - kept, imported - start_import, package.stat().st_size,
            signer is not None)


def run(label: str, urls: list[tuple[str, str]], pages: list, folder: Path, rounds: int) -> None:
    keeps, exports, imports = [], [], []
    size, signed = 0, False
    for round_ in range(rounds):
        source, target = urls[2 * round_], urls[2 * round_ + 1]
        k, e, i, size, signed = one_round(*source, target, pages, folder, round_)
        keeps.append(k)
        exports.append(e)
        imports.append(i)
    what = "keep + sign" if signed else "keep (no signing package)"
    print(f"{label:<22} {what}: {statistics.median(keeps):.2f} s; "
          f"export: {statistics.median(exports):.2f} s; "
          f"import elsewhere: {statistics.median(imports):.2f} s; "
          f"package {size / 1e6:.1f} MB (best keep {min(keeps):.2f} s, "
          f"best export {min(exports):.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = make_pages(args.pages)
    print(f"{args.pages} pages, A4 at 300 dpi, grey, {-(-args.pages // 5)} documents; "
          f"median of {args.rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="hoso-bench-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("DOSSIER_HOME", str(folder / "home"))  # trial certificate here
        urls = [(f"sqlite:///{folder / f'db{i}.sqlite3'}", (folder / f"objects{i}").as_uri())
                for i in range(2 * args.rounds)]
        run("SQLite + folder", urls, pages, folder, args.rounds)


if __name__ == "__main__":
    main()
