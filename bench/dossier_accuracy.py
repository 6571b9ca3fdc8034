"""Dossier accuracy benchmark: `dossier process` against generated dossiers with known truth.

For each procedure and scan quality it generates N fictitious dossiers
(`scan_simulator.dossiers`: filled forms, card photocopies with a real QR code,
pages shuffled and rotated, a component missing, or one fact mistyped between
papers), runs

    .venv/bin/dossier process FILES... --procedure CODE --json

on each, and scores the JSON against `truth.json`: document type per page,
exact field values per type and field (overall, identity numbers, dates), the
completeness verdict, the cross-document problems found, and the time per
dossier. The issue's targets are printed next to the figures.

    .venv/bin/python bench/dossier_accuracy.py [--per-procedure N] [--qualities Q ...]
        [--procedures CODE ... | --procedures all] [--seed S] [--jobs J] [--keep DIR]
        [--json FILE] [--generate-only] [--cache-ocr DIR]

With `--cache-ocr DIR` the dossiers are read in this process instead of by the
CLI: each dossier's OCR pages (and the QR texts of its pages) are kept in
`DIR/<dossier>.pkl`, keyed by the files' SHA-256, so a change to the
understanding (classify, fields, verdict) is re-scored in seconds on exactly
the same OCR. Use it with `--keep` so the dossiers are not regenerated. Times
are then the understanding's alone; OCR CPU seconds are printed apart.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pickle
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scan_simulator.dossiers import (  # noqa: E402
    CONTRACT_PROCEDURES,
    QUALITIES,
    make_dossier,
    supported_procedures,
    write_dossier,
)
from scan_simulator.truth import DossierTruth, load_truth  # noqa: E402

DOSSIER = ROOT / ".venv" / "bin" / "dossier"
TARGETS = {"type": 0.98, "fields": 0.95, "numbers": 0.99, "dates": 0.99, "verdict": 1.0}
# Problem kinds that count as "the papers disagree" (the verdict's own kind names vary).
CONSISTENCY_KIND = re.compile(r"mismatch|inconsist|khong_khop|conflict|disagree|differ",
                              re.IGNORECASE)
# The dossier mix per procedure and quality, cycled: (variant, shuffle, rotate_some).
MIX = (("complete", False, False), ("complete", True, True), ("incomplete", True, False),
       ("inconsistent", False, True))


def is_number_field(name: str) -> bool:
    """Identity-number fields: 12 digits expected, the issue wants ≥ 99 % on them."""
    return "so_dinh_danh" in name or "so_giay_to" in name


def is_date_field(name: str) -> bool:
    return name.startswith("ngay_") or name.endswith("_ngay_sinh")


# ---------------------------------------------------------------- generation


@dataclass(frozen=True, slots=True)
class Job:
    """One dossier to generate: where, and with which switches."""

    folder: Path
    procedure: str
    quality: str
    seed: int
    variant: str
    shuffle: bool
    rotate: bool


def plan(procedures: Sequence[str], qualities: Sequence[str], per: int, seed: int,
         root: Path) -> list[Job]:
    jobs = []
    for p_i, code in enumerate(procedures):
        for q_i, quality in enumerate(qualities):
            for n in range(per):
                variant, shuffle, rotate = MIX[n % len(MIX)]
                s = seed * 1_000_003 + p_i * 10_007 + q_i * 1_009 + n
                folder = root / f"{code}-{quality}-{n:02d}"
                jobs.append(Job(folder, code, quality, s, variant, shuffle, rotate))
    return jobs


def generate(job: Job) -> list[str]:
    """Write one dossier (runs in a worker process); returns its file paths."""
    kw = {"quality": job.quality, "shuffle": job.shuffle, "rotate_some": job.rotate}
    try:
        dossier = make_dossier(job.seed, job.procedure, complete=job.variant != "incomplete",
                               inconsistent=job.variant == "inconsistent", **kw)
    except ValueError as exc:  # a procedure whose papers state no fact twice cannot disagree
        if "cannot be inconsistent" not in str(exc):
            raise
        dossier = make_dossier(job.seed, job.procedure, **kw)
    return [str(p) for p in write_dossier(dossier, job.folder)]


def reuse_or_generate(job: Job) -> list[str]:
    """A dossier already written whole under --keep is reused (cached mode re-scores it)."""
    truth = job.folder / "truth.json"
    if truth.exists():
        names = json.loads(truth.read_text(encoding="utf-8")).get("files") or []
        paths = [job.folder / n for n in names]
        if names and all(p.exists() for p in paths):
            return [str(p) for p in paths]
    return generate(job)


# ---------------------------------------------------------------- running the CLI


def process_available() -> str | None:
    """None when `dossier process` exists; otherwise why it cannot be benchmarked."""
    if not DOSSIER.exists():
        return f"{DOSSIER} does not exist (run the README's set-up command)"
    try:
        run = subprocess.run([str(DOSSIER), "process", "--help"], capture_output=True,
                             text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`dossier process --help` failed: {exc}"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no message"])[-1]
        return f"`dossier process` is not available yet ({last})"
    return None


@dataclass(slots=True)
class Run:
    """The CLI's answer for one dossier."""

    seconds: float
    output: dict[str, Any] | None
    error: str = ""


def oracle(truth: DossierTruth) -> Run:
    """A perfect answer built from the truth (`--oracle`): checks the scorer scores 100 %."""
    docs = [{"type": d.type, "pages": list(d.pages), "confidence": 1.0,
             "fields": {k: {"value": v, "confidence": 1.0, "page": d.pages[0], "bbox": None}
                        for k, v in d.fields.items()}} for d in truth.documents]
    problems = [{"kind": p.kind, "message": p.message} for p in truth.problems]
    return Run(0.0, {"dossier_code": "oracle", "procedure": truth.procedure, "documents": docs,
                     "completeness": {"complete": truth.complete, "missing": list(truth.missing),
                                      "problems": problems}})


def process(folder: Path, files: Sequence[str], procedure: str, timeout: float) -> Run:
    cmd = [str(DOSSIER), "process", *files, "--procedure", procedure, "--json"]
    env = {**os.environ, "DOSSIER_HOME": str(folder / ".dossier-home")}
    start = time.perf_counter()
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return Run(timeout, None, f"timed out after {timeout:.0f} s")
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no message"])[-1]
        return Run(seconds, None, f"exit {run.returncode}: {last}")
    try:
        return Run(seconds, json.loads(run.stdout))
    except json.JSONDecodeError as exc:
        return Run(seconds, None, f"stdout is not JSON: {exc}")


# ---------------------------------------------------------------- cached OCR, in process

CACHE_VERSION = 1


class _QrTexts:
    """Stands in for a page image in cached mode: the QR texts decoded from it once."""

    __slots__ = ("payloads",)

    def __init__(self, payloads: Sequence[str]) -> None:
        self.payloads = list(payloads)


def _cache_key(files: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(Path(name).name.encode())
        digest.update(hashlib.sha256(Path(name).read_bytes()).digest())
    return digest.hexdigest()


def ocr_cached(folder: Path, files: Sequence[str], cache_dir: Path) -> tuple[list[Any], float]:
    """The dossier's OCR pages (QR texts in place of images) and the OCR CPU seconds spent.

    Pages are OCRed once per set of file contents; a regenerated dossier gets
    a new key and is read again.
    """
    path = cache_dir / f"{folder.name}.pkl"
    key = _cache_key(files)
    if path.exists():
        with contextlib.suppress(Exception):  # an old or broken cache is simply redone
            data = pickle.loads(path.read_bytes())
            if data.get("version") == CACHE_VERSION and data.get("key") == key:
                pages = data["pages"]
                for page in pages:
                    page.image = _QrTexts(data["qr"].get(page.index, []))
                return pages, 0.0
    from pipeline.api import ocr_paths
    from pipeline.options import OcrOptions
    from pipeline.understand.qr import decode_qr_codes

    cpu = _cpu_seconds()
    results = ocr_paths(files, OcrOptions.from_env().model_copy(update={"keep_images": True}))
    errors = [f"{Path(str(r.path)).name}: {r.error}" for r in results if r.error is not None]
    if errors:
        raise RuntimeError("; ".join(errors))
    pages = [page for r in results for page in r.pages]
    qr = {p.index: decode_qr_codes(p.image) if p.image is not None else [] for p in pages}
    for page in pages:
        page.image = None
        page.error = None if page.error is None else str(page.error)  # picklable
    cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps({"version": CACHE_VERSION, "key": key, "pages": pages,
                                   "qr": qr}))
    for page in pages:
        page.image = _QrTexts(qr[page.index])
    return pages, _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@contextlib.contextmanager
def _qr_from_cache() -> Iterator[None]:
    """Let dossier_check read the cached QR texts where it would decode the page image."""
    from pipeline import dossier_check

    real = dossier_check.decode_qr_codes
    dossier_check.decode_qr_codes = lambda image: (
        image.payloads if isinstance(image, _QrTexts) else real(image))
    try:
        yield
    finally:
        dossier_check.decode_qr_codes = real


def process_cached(job: Job, files: Sequence[str], cache_dir: Path) -> tuple[Run, float]:
    """Read one dossier in this process on cached OCR; returns the run and the OCR CPU-s
    (the run's ``seconds`` are the understanding's own CPU seconds)."""
    from models.catalog import load_catalog
    from pipeline.dossier_check import check_dossier

    try:
        pages, ocr_cpu = ocr_cached(job.folder, files, cache_dir)
    except Exception as exc:
        return Run(0.0, None, f"OCR failed: {exc}"), 0.0
    catalog = _catalog(load_catalog)
    start = time.process_time()
    with _qr_from_cache():
        checked = check_dossier(pages, catalog, job.procedure, date.today())
    return Run(time.process_time() - start, checked.as_dict()), ocr_cpu


_CATALOG: list[Any] = []


def _catalog(load: Any) -> Any:
    if not _CATALOG:
        _CATALOG.append(load())
    return _CATALOG[0]


# ---------------------------------------------------------------- scoring


def _nfc(value: Any) -> str | None:
    return None if value is None else unicodedata.normalize("NFC", str(value))


@dataclass(slots=True)
class Score:
    """What one dossier got right, in countable pieces."""

    pages: list[tuple[str, str]] = field(default_factory=list)  # (true type, predicted type)
    fields: list[tuple[str, str, bool]] = field(default_factory=list)  # (type, field, right)
    verdict_right: bool = False
    missing_right: bool = False
    complete_right: bool = False
    mismatch_expected: bool = False
    mismatch_found: bool = False
    problem_kinds: list[str] = field(default_factory=list)
    wrong_fields: list[str] = field(default_factory=list)


def _predicted_page_types(output: dict[str, Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for doc in output.get("documents") or []:
        for page in doc.get("pages") or []:
            if isinstance(page, int):
                out.setdefault(page, str(doc.get("type")))
    return out


def _match(truth_doc_pages: Sequence[int], truth_type: str,
           predicted: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The predicted document of the same type sharing the most pages with the true one."""
    best, overlap = None, 0
    for doc in predicted:
        if doc.get("type") != truth_type:
            continue
        shared = len(set(truth_doc_pages) & set(doc.get("pages") or []))
        if shared > overlap:
            best, overlap = doc, shared
    return best


def score(truth: DossierTruth, output: dict[str, Any]) -> Score:
    s = Score()
    page_types = _predicted_page_types(output)
    for page in truth.pages:
        s.pages.append((page.type, page_types.get(page.index, "(none)")))
    predicted = [d for d in output.get("documents") or [] if isinstance(d, dict)]
    for doc in truth.documents:
        match = _match(doc.pages, doc.type, predicted)
        got = (match or {}).get("fields") or {}
        for name, want in doc.fields.items():
            entry = got.get(name)
            value = _nfc(entry.get("value") if isinstance(entry, dict) else entry)
            right = value == want
            s.fields.append((doc.type, name, right))
            if not right:
                s.wrong_fields.append(f"{doc.type}.{name}: want {want!r}, got {value!r}")
    verdict = output.get("completeness") or {}
    s.complete_right = verdict.get("complete") == truth.complete
    s.missing_right = set(verdict.get("missing") or []) == set(truth.missing)
    s.verdict_right = s.complete_right and s.missing_right
    kinds = [str(p.get("kind", "")) for p in verdict.get("problems") or [] if isinstance(p, dict)]
    s.problem_kinds = kinds
    s.mismatch_expected = any(p.kind == "mismatch" for p in truth.problems)
    s.mismatch_found = any(CONSISTENCY_KIND.search(k) for k in kinds)
    return s


# ---------------------------------------------------------------- tables


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:6.1f}%" if total else "     –"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  " + "  ".join("-" * w for w in widths))
    for r in rows:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def report(results: list[tuple[Job, DossierTruth, Run, Score | None]]) -> dict[str, float]:
    """Print every table; returns the headline rates."""
    scored = [(j, t, r, s) for j, t, r, s in results if s is not None]
    failed = [(j, r) for j, _, r, s in results if s is None]
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    confusions: Counter[tuple[str, str]] = Counter()
    for _, _, _, s in scored:
        for true, pred in s.pages:
            by_type[true]["total"] += 1
            by_type[true]["right"] += true == pred
            if true != pred:
                confusions[(true, pred)] += 1
    rows = [(t, c["total"], _pct(c["right"], c["total"])) for t, c in sorted(by_type.items())]
    all_pages = sum(c["total"] for c in by_type.values())
    all_right = sum(c["right"] for c in by_type.values())
    rows.append(("ALL", all_pages, _pct(all_right, all_pages)))
    _table("Document type per page", ("type", "pages", "right"), rows)
    if confusions:
        _table("Most frequent type confusions", ("true", "predicted", "pages"),
               [(a, b, n) for (a, b), n in confusions.most_common(8)])

    by_field: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for _, _, _, s in scored:
        for typ, name, right in s.fields:
            by_field[(typ, name)]["total"] += 1
            by_field[(typ, name)]["right"] += right
    _table("Fields, exact match", ("type", "field", "n", "right"),
           [(t, f, c["total"], _pct(c["right"], c["total"]))
            for (t, f), c in sorted(by_field.items())])

    def rate(pred: Any) -> tuple[int, int]:
        cs = [c for (t, f), c in by_field.items() if pred(f)]
        return sum(c["right"] for c in cs), sum(c["total"] for c in cs)

    f_all, n_numbers, n_dates = rate(lambda f: True), rate(is_number_field), rate(is_date_field)
    verdicts = sum(s.verdict_right for *_, s in scored)
    expected = [s for *_, s in scored if s.mismatch_expected]
    found = sum(s.mismatch_found for s in expected)
    false_alarms = sum(s.mismatch_found for *_, s in scored if not s.mismatch_expected)
    seconds = [r.seconds for _, _, r, s in scored]
    pages = [len(t.pages) for _, t, _, _ in scored]
    headline = {
        "type": all_right / all_pages if all_pages else 0.0,
        "fields": f_all[0] / f_all[1] if f_all[1] else 0.0,
        "numbers": n_numbers[0] / n_numbers[1] if n_numbers[1] else 0.0,
        "dates": n_dates[0] / n_dates[1] if n_dates[1] else 0.0,
        "verdict": verdicts / len(scored) if scored else 0.0,
    }
    rows = [
        ("document type (pages)", _pct(all_right, all_pages), "≥ 98%"),
        ("fields, all", _pct(*f_all), "≥ 95%"),
        ("fields, identity numbers", _pct(*n_numbers), "≥ 99%"),
        ("fields, dates", _pct(*n_dates), "≥ 99%"),
        ("completeness verdict", _pct(verdicts, len(scored)), "100%"),
        ("  complete flag", _pct(sum(s.complete_right for *_, s in scored), len(scored)), ""),
        ("  missing list", _pct(sum(s.missing_right for *_, s in scored), len(scored)), ""),
        ("mismatches found", _pct(found, len(expected)), "100%"),
        ("mismatch false alarms", f"{false_alarms} of {len(scored) - len(expected)}", "0"),
    ]
    _table("Summary", ("measure", "result", "target"), rows)

    by_quality: dict[str, list[float]] = defaultdict(list)
    for j, _, r, _ in scored:
        by_quality[j.quality].append(r.seconds)
    if seconds:
        _table("Time per dossier", ("quality", "dossiers", "median s", "max s", "s/page"),
               [(q, len(v), f"{statistics.median(v):.1f}", f"{max(v):.1f}",
                 f"{sum(v) / sum(len(t.pages) for j, t, _, s in scored if j.quality == q):.2f}")
                for q, v in sorted(by_quality.items())]
               + [("ALL", len(seconds), f"{statistics.median(seconds):.1f}",
                   f"{max(seconds):.1f}", f"{sum(seconds) / sum(pages):.2f}")])
    kinds = Counter(k for *_, s in scored for k in s.problem_kinds)
    if kinds:
        _table("Problem kinds reported", ("kind", "times"), kinds.most_common())
    if failed:
        _table("Dossiers that failed", ("dossier", "error"),
               [(j.folder.name, r.error[:110]) for j, r in failed])
    return headline


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-procedure", type=int, default=4, metavar="N",
                        help="dossiers per procedure and quality (default 4: complete, "
                             "complete shuffled and rotated, incomplete, inconsistent)")
    parser.add_argument("--qualities", nargs="+", choices=QUALITIES,
                        default=["photocopy", "photo"])
    parser.add_argument("--procedures", nargs="+", default=list(CONTRACT_PROCEDURES),
                        metavar="CODE", help="procedure codes, or 'all' for every "
                        "catalogue procedure the generator supports")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per dossier")
    parser.add_argument("--keep", type=Path, help="write the dossiers here and keep them")
    parser.add_argument("--json", type=Path, help="also write per-dossier results here")
    parser.add_argument("--generate-only", action="store_true",
                        help="only write the dossiers (use with --keep)")
    parser.add_argument("--oracle", action="store_true",
                        help="score a perfect answer made from the truth (checks the scorer)")
    parser.add_argument("--cache-ocr", type=Path, metavar="DIR",
                        help="read dossiers in this process, OCR kept per dossier in DIR "
                             "(re-scores understanding changes quickly; use with --keep)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="K",
                        help="print up to K wrong field values")
    args = parser.parse_args(argv)
    if args.procedures == ["all"]:
        args.procedures = supported_procedures()
    unknown = set(args.procedures) - set(supported_procedures())
    if unknown:
        parser.error(f"cannot generate dossiers for {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    missing_cli = (None if args.generate_only or args.oracle or args.cache_ocr
                   else process_available())
    if missing_cli:
        print(f"dossier_accuracy: cannot score: {missing_cli}.\n"
              "Use --generate-only --keep DIR to write the test dossiers anyway.",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hoso-dossiers-") as tmp:
        root = args.keep or Path(tmp)
        jobs = plan(args.procedures, args.qualities, args.per_procedure, args.seed, root)
        start = time.perf_counter()
        make = reuse_or_generate if args.cache_ocr else generate
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            written = list(pool.map(make, jobs))
        print(f"generated {len(jobs)} dossiers ({sum(len(f) for f in written)} files) "
              f"in {time.perf_counter() - start:.0f} s under {root}")
        if args.generate_only:
            return 0
        if args.oracle:
            runs = [oracle(load_truth(job.folder)) for job in jobs]
        elif args.cache_ocr:
            ocr_cpu, runs = 0.0, []
            for job, files in zip(jobs, written, strict=True):
                run, spent = process_cached(job, files, args.cache_ocr)
                runs.append(run)
                ocr_cpu += spent
            print(f"OCR {ocr_cpu:.0f} CPU-s (0 when all cached); understanding "
                  f"{sum(r.seconds for r in runs):.1f} CPU-s (times below: understanding "
                  "CPU only)")
        else:
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                runs = list(pool.map(
                    lambda jf: process(jf[0].folder, jf[1], jf[0].procedure, args.timeout),
                    zip(jobs, written, strict=True)))
        results = []
        for job, run in zip(jobs, runs, strict=True):
            truth = load_truth(job.folder)
            results.append((job, truth, run, score(truth, run.output) if run.output else None))
        how = ("the oracle (truth as answer)" if args.oracle
               else f"cached OCR in {args.cache_ocr}" if args.cache_ocr else "`dossier process`")
        print(f"processed {len(jobs)} dossiers with {how} "
              f"({args.jobs} at a time); procedures {', '.join(args.procedures)}; "
              f"qualities {', '.join(args.qualities)}")
        headline = report(results)
        if args.show_errors:
            wrong = [f"{j.folder.name}: {w}" for j, _, _, s in results if s
                     for w in s.wrong_fields]
            print(f"\nWrong fields (first {min(args.show_errors, len(wrong))}):")
            for line in wrong[: args.show_errors]:
                print("  " + line)
        if args.json:
            args.json.write_text(json.dumps(
                [{"dossier": j.folder.name, "seconds": r.seconds, "error": r.error,
                  "score": asdict(s) if s else None} for j, _, r, s in results],
                ensure_ascii=False, indent=1), encoding="utf-8")
    met = all(headline[k] >= v for k, v in TARGETS.items())
    print("\ntargets " + ("met" if met else "NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
