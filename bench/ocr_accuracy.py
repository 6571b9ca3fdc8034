"""OCR accuracy benchmark: naive Tesseract versus our pipeline on simulated intake scans.

For each kind of scan (clean, office, photocopy, colour, photo, fax, rotated)
it renders N fictitious form pages, degrades and saves them in the format that
kind usually arrives in, then measures the character error rate of

  (a) `tesseract FILE - -l vie` run on the saved file, as a naive user would, and
  (b) `pipeline.api.ocr_paths` with default options,

so every preprocessing change can be judged by numbers, not by eye.

Three more kinds guard what full form pages do not exercise, a few pages each
(at most ``EXTRA_PAGES``): `sparse-photocopy`, a photocopied page with one or two
lines and the copier's specks (the specks once set the letter height and blew such
a page up ×3, past Tesseract's time limit); `card-photocopy` and `card-photo`, a
CCCD photocopied front and back on one sheet, as copied or photographed on a desk.
A card's printed text is not kept as a string, so its column is the share of the
card's values (number, name, dates of birth and expiry) found in the text.

    .venv/bin/python bench/ocr_accuracy.py [--pages-per-kind N] [--kinds K ...] [--seed S] [--diffs]
        [--no-raw]

`--no-raw` skips (a): half the CPU when only our pipeline changed.

`--diffs` prints every error of our text, aligned on the ground truth with some
context, so the remaining errors can be sorted by cause (a speck read as ".",
a diacritic lost, a signature read as letters...).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import Levenshtein

from scan_simulator import cer, normalise_for_cer
from scan_simulator.cards import make_card, make_citizen, render_photocopy
from scan_simulator.content import PageSpec, make_page
from scan_simulator.degrade import KIND_FORMATS, KINDS, make_scan, save
from scan_simulator.render import render_page

FAIL_CER = 0.05
FONTS = ("NotoSerif", "DejaVuSerif")
EXTRA_KINDS = ("sparse-photocopy", "card-photocopy", "card-photo")
EXTRA_PAGES = 3
Ocr = Callable[[Path], str]


@dataclass(slots=True)
class Sample:
    """One saved test page and its ground truth."""

    kind: str
    name: str
    path: Path
    truth: str
    fields: tuple[str, ...] = ()  # values to find in the text (cards), instead of a CER


@dataclass(slots=True)
class Outcome:
    """CER, WER and seconds for one page and one engine; `error` when the engine failed."""

    cer: float
    seconds: float
    error: str = ""
    text: str = ""
    wer: float = 0.0
    found: int = 0  # of the sample's `fields`


@dataclass(slots=True)
class Row:
    """Results of both engines for one page."""

    sample: Sample
    raw: Outcome
    ours: Outcome | None = None


def _sparse(rng: random.Random, font: str, size: float) -> tuple[object, str]:
    """A page with one or two of a form's lines (a title, a signer's name), rendered."""
    spec = make_page(rng)
    start = rng.randrange(len(spec.lines) - 1)
    lines = spec.lines[start:start + rng.choice((1, 2))]
    return render_page(PageSpec(spec.doc_type, spec.title, lines), font, size)


def _card(rng: random.Random, i: int) -> tuple[object, tuple[str, ...]]:
    """A card photocopied front and back on one A4 sheet, and the values it prints."""
    card = make_card(rng, make_citizen(rng))
    image = render_photocopy(card, 300, rng.choice((1.0, 1.25, 1.5)),
                             ("NotoSans", "DejaVuSans")[i % 2], rng.randrange(2**16))
    h = card.holder
    dmy = "{0.day:02d}/{0.month:02d}/{0.year}".format
    return image.convert("RGB"), (h.id_number, h.name.upper(), dmy(h.birth), dmy(card.expires))


def generate_extra(kind: str, n: int, seed: int, folder: Path) -> list[Sample]:
    """At most ``EXTRA_PAGES`` pages of a sparse or card kind (see the module's doc)."""
    samples = []
    for i in range(min(n, EXTRA_PAGES)):
        rng = random.Random(f"{seed}-{kind}-{i}")
        fields: tuple[str, ...] = ()
        if kind == "sparse-photocopy":
            image, truth = _sparse(rng, FONTS[i % 2], rng.choice((12.5, 13.0, 13.5, 14.0)))
        else:
            (image, fields), truth = _card(rng, i), ""
        quality = kind.split("-", 1)[1]
        scan = make_scan(image, quality, rng.randrange(2**32))
        name = f"{kind}-{i}"
        path = save(scan.image, folder / f"{name}{KIND_FORMATS[quality]}", scan.dpi)
        samples.append(Sample(kind, name, path, truth, fields))
    return samples


def generate(kind: str, n: int, seed: int, folder: Path) -> list[Sample]:
    """N pages of one kind, alternating fonts and sizes 12.5–14 pt, saved in the kind's format."""
    if kind in EXTRA_KINDS:
        return generate_extra(kind, n, seed, folder)
    samples = []
    for i in range(n):
        rng = random.Random(f"{seed}-{kind}-{i}")
        spec = make_page(rng)
        size = rng.choice((12.5, 13.0, 13.5, 14.0))
        image, truth = render_page(spec, FONTS[i % 2], size)
        scan = make_scan(image, kind, rng.randrange(2**32))
        name = f"{kind}-{i}"
        path = save(scan.image, folder / f"{name}{KIND_FORMATS[kind]}", scan.dpi)
        samples.append(Sample(kind, name, path, truth))
    return samples


def raw_tesseract(path: Path, timeout: float = 300.0) -> str:
    """Plain `tesseract FILE - -l vie` on one thread, exactly what a naive integration does."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True,
                          text=True, env=env, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return done.stdout


def pipeline_ocr() -> Ocr | None:
    """Our pipeline as an `Ocr` callable, or None while `pipeline.api` cannot be imported."""
    try:
        from pipeline.api import ocr_paths
        from pipeline.options import OcrOptions
    except ImportError as exc:
        print(f"note: pipeline not available ({exc}); measuring raw Tesseract only",
              file=sys.stderr)
        return None

    def run(path: Path) -> str:
        results = ocr_paths([path], OcrOptions())
        if results[0].error is not None:
            raise RuntimeError(str(results[0].error))
        return "\n".join(page.text for page in results[0].pages[:1])

    return run


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance / reference words (a field value is a word
    or two, so WER tells more than CER about what the understanding step will get)."""
    ref, hyp = normalise_for_cer(reference).split(), normalise_for_cer(hypothesis).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def found_fields(fields: Sequence[str], text: str) -> int:
    """How many of a card's values the text holds (numbers and dates without spaces)."""
    flat = normalise_for_cer(text)
    tight = flat.replace(" ", "")
    return sum(value in flat or value.replace(" ", "") in tight for value in fields)


def skipped(path: Path) -> str:
    """Stands in for raw Tesseract under `--no-raw`."""
    raise RuntimeError("skipped (--no-raw)")


def measure(ocr: Ocr, sample: Sample) -> Outcome:
    """Run one engine on one page; an engine failure scores CER 1.0 rather than aborting."""
    start = time.perf_counter()
    try:
        text, error = ocr(sample.path), ""
    except Exception as exc:  # a crash is a result worth reporting, not a reason to stop
        text, error = "", f"{type(exc).__name__}: {exc}"
    return Outcome(cer(sample.truth, text), time.perf_counter() - start, error, text,
                   wer(sample.truth, text), found_fields(sample.fields, text))


def aligned_errors(truth: str, text: str, context: int = 12) -> list[str]:
    """One line per edit: what the truth had, what was read, and where (fraction of the page)."""
    ref, hyp = normalise_for_cer(truth), normalise_for_cer(text)
    lines = []
    for op in Levenshtein.opcodes(ref, hyp):
        if op.tag == "equal":
            continue
        was, read = ref[op.src_start:op.src_end], hyp[op.dest_start:op.dest_end]
        before = ref[max(0, op.src_start - context):op.src_start]
        after = ref[op.src_end:op.src_end + context]
        lines.append(f"  {op.tag:7} {was!r:>8} -> {read!r:<12} {before}[{was}]{after}"
                     f"  @{op.src_start / max(1, len(ref)):.2f}")
    return lines


def _fields_cell(rows: Sequence[Row]) -> str:
    wanted = sum(len(r.sample.fields) for r in rows)
    if not wanted:
        return ""
    return f"{sum(r.ours.found for r in rows if r.ours is not None)}/{wanted}"


def _summary(all_rows: Sequence[Row], label: str) -> list[str]:
    """CER and WER over the pages with a text truth; card values found over the cards."""
    rows = [r for r in all_rows if not r.sample.fields]
    raw = [r.raw for r in rows]
    ours = [r.ours for r in rows if r.ours is not None]
    cells = [label, str(len(all_rows))]
    cells += ([f"{statistics.mean(o.cer for o in raw):.2%}",
               str(sum(o.cer > FAIL_CER for o in raw))] if raw else ["n/a", "n/a"])
    if ours:
        worst = max((r for r in rows if r.ours is not None), key=lambda r: r.ours.cer)
        cells += [f"{statistics.mean(o.cer for o in ours):.2%}",
                  f"{statistics.mean(o.wer for o in ours):.2%}",
                  str(sum(o.cer > FAIL_CER for o in ours)),
                  f"{worst.ours.cer:.1%} {worst.sample.name}"]
    else:
        cells += ["n/a", "n/a", "n/a", "n/a"]
    cells.append(_fields_cell(all_rows))
    cells.append(f"{statistics.mean(r.raw.seconds for r in all_rows):.1f}")
    ours_all = [r.ours for r in all_rows if r.ours is not None]
    cells.append(f"{statistics.mean(o.seconds for o in ours_all):.1f}" if ours_all else "n/a")
    return cells


def print_table(rows: Sequence[Row], kinds: Sequence[str]) -> None:
    """One line per kind plus a total, as a fixed-width table."""
    header = ["kind", "pages", "raw CER", "raw >5%", "ours CER", "ours WER", "ours >5%",
              "ours worst", "card fields",
              "raw s/pg", "ours s/pg"]
    table = [header]
    table += [_summary([r for r in rows if r.sample.kind == k], k) for k in kinds
              if any(r.sample.kind == k for r in rows)]
    table.append(_summary(rows, "total"))
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for n, line in enumerate(table):
        if n == len(table) - 1:
            print("  ".join("-" * w for w in widths))
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths, strict=True))))
    for r in rows:
        for engine, outcome in (("raw", r.raw), ("ours", r.ours)):
            if outcome is not None and outcome.error and not outcome.error.endswith(
                    "(--no-raw)"):
                print(f"{r.sample.name}: {engine} failed: {outcome.error}", file=sys.stderr)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages-per-kind", type=int, default=6, metavar="N")
    parser.add_argument("--kinds", nargs="+", choices=KINDS + EXTRA_KINDS,
                        default=list(KINDS + EXTRA_KINDS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ours", action="store_true", help="measure raw Tesseract only")
    parser.add_argument("--no-raw", action="store_true",
                        help="skip raw Tesseract (its column then reads 100 %%)")
    parser.add_argument("--keep", type=Path, help="keep the generated scans in this folder")
    parser.add_argument("--json", type=Path, help="also write per-page results here")
    parser.add_argument("--diffs", action="store_true",
                        help="print each page's errors in our text, aligned on the truth")
    args = parser.parse_args(argv)
    if args.pages_per_kind < 1:
        parser.error("--pages-per-kind must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ours = None if args.no_ours else pipeline_ocr()
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows: list[Row] = []
        for kind in args.kinds:
            for sample in generate(kind, args.pages_per_kind, args.seed, folder):
                row = Row(sample, measure(skipped if args.no_raw else raw_tesseract, sample))
                if ours is not None:
                    row.ours = measure(ours, sample)
                rows.append(row)
                ours_cer = f"{row.ours.cer:.2%}" if row.ours else "n/a"
                if sample.fields:
                    found = row.ours.found if row.ours else 0
                    print(f"{sample.name}: ours found {found}/{len(sample.fields)} card values",
                          file=sys.stderr)
                else:
                    print(f"{sample.name}: raw {row.raw.cer:.2%}  ours {ours_cer}",
                          file=sys.stderr)
                if args.diffs and row.ours is not None:
                    print("\n".join(aligned_errors(sample.truth, row.ours.text)), file=sys.stderr)
    print_table(rows, args.kinds)
    if args.json:
        args.json.write_text(json.dumps([
            {**asdict(r), "sample": {**asdict(r.sample), "path": str(r.sample.path)}}
            for r in rows], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
