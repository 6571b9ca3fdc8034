"""Understanding CPU: `check_dossier` on cached OCR pages, and its whole output for diffing.

Reads the page caches written by ``dossier_accuracy.py --cache-ocr`` (read only: nothing
is OCRed or written there), runs classify + fields + checks on every dossier once, and
prints CPU seconds and ms per page. With ``--out`` every dossier's full result (each
field's value, confidence, box, problem) is written as JSON, so two versions of the
understanding can be proved to give identical results. Each run is one fresh process:
memoised functions start cold, as in a new worker.

    .venv/bin/python bench/understand_cpu.py CACHE_DIR [--single-pages] [--out FILE]
        [--repeat N] [--profile FILE]

``--single-pages``: every page is its own dossier without a procedure (the office pages
of ``ocr_speed.office_pages``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pickle
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dossier_accuracy import _qr_from_cache, _QrTexts  # noqa: E402

RECEIVED_ON = date(2026, 11, 26)  # fixed, so two runs on different days compare


def _load(path: Path) -> list[Any]:
    data = pickle.loads(path.read_bytes())
    pages = data["pages"]
    for page in pages:
        page.image = _QrTexts(data["qr"].get(page.index, []))
    return pages


def _warm_up(catalog: Any) -> None:
    """Build every spaCy pipeline and the label and title data once, outside the timing."""
    from pipeline.dossier_check import _patterns
    from pipeline.understand.address import resolve_address
    from pipeline.understand.fields import readable_types
    from pipeline.understand.nlp import label_set, pipeline_for
    from pipeline.understand.unit_names import _official, _province_units

    _patterns(catalog)
    _official()
    _province_units()
    resolve_address("Phường Ba Đình, Thành phố Hà Nội")
    resolve_address("Xã Tân Phú, Huyện Đồng Phú, Tỉnh Bình Phước")
    for type_id in readable_types():
        label_set(type_id)
        pipeline_for(type_id)("khởi động")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", type=Path)
    parser.add_argument("--single-pages", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repeat", type=int, default=1,
                        help="passes over the set (later passes see warm memo caches)")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the first pass")
    args = parser.parse_args(argv)

    from models.catalog import load_catalog
    from pipeline.dossier_check import check_dossier

    catalog = load_catalog()
    _warm_up(catalog)
    jobs: list[tuple[str, list[Any], str | None]] = []
    for path in sorted(args.cache.glob("*.pkl")):
        pages = _load(path)
        if args.single_pages:
            for page in pages:
                page.index = 0
                jobs.append((f"{path.stem}/{len(jobs)}", [page], None))
        else:
            jobs.append((path.stem, pages, path.stem.rsplit("-", 2)[0]))
    n_pages = sum(len(p) for _, p, _ in jobs)
    results: dict[str, Any] = {}
    for rep in range(args.repeat):
        prof = cProfile.Profile() if args.profile and rep == 0 else None
        wall, cpu = time.perf_counter(), time.process_time()
        with _qr_from_cache():
            if prof:
                prof.enable()
            for name, pages, procedure in jobs:
                results[name] = check_dossier(pages, catalog, procedure, RECEIVED_ON).as_dict()
            if prof:
                prof.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if prof:
            prof.dump_stats(args.profile)
        print(f"pass {rep + 1}: {len(jobs)} dossiers, {n_pages} pages: {cpu:.2f} CPU-s "
              f"({1000 * cpu / n_pages:.1f} ms/page), {wall:.2f} s wall")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True),
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
