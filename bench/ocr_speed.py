"""OCR speed: `dossier ocr` against raw Tesseract on the same pages and cores, in one run.

Prints pages per minute of
  (a) raw `tesseract PAGE - -l vie`, one single-threaded process per core, and
  (b) `dossier ocr` (clean-up included) on the same files,
their ratio, the text-layer speed on a born-digital PDF, and the peak memory
of `dossier ocr` on a long scanned PDF (pages must stream, not pile up).

    .venv/bin/python bench/ocr_speed.py [--pages 20] [--long-pages 200] [--text-pages 500]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scan_simulator.content import make_page
from scan_simulator.degrade import make_scan, save
from scan_simulator.render import render_page

DOSSIER = Path(sys.executable).parent / "dossier"
CORES = os.cpu_count() or 1


def office_pages(folder: Path, count: int) -> list[Path]:
    paths = []
    for seed in range(count):
        image, _ = render_page(make_page(random.Random(seed)),
                               font="NotoSerif" if seed % 2 else "DejaVuSerif", size_pt=13.0)
        scan = make_scan(image, "office", seed)
        paths.append(save(scan.image, folder / f"office-{seed}.png", scan.dpi))
    return paths


def children_cpu() -> float:
    """CPU seconds of finished child processes (and theirs): steady on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def raw_tesseract(paths: list[Path]) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "-", "-l", "vie"], env=env, check=True,
                       capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(CORES) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - started


def run_dossier(paths: list[Path]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one `dossier ocr --json` process."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([str(DOSSIER), "ocr", "--json", *map(str, paths)], check=True,
                   capture_output=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before)


def text_layer_pdf(path: Path, pages: int) -> Path:
    """A born-digital PDF (standard Helvetica, WinAnsi) written by hand: no extra library."""
    lines = ["CONG HOA XA HOI CHU NGHIA VIET NAM", "Doc lap - Tu do - Hanh phuc",
             "TO KHAI DANG KY KHAI SINH"] + [f"Dong {i}: Ho va ten nguoi yeu cau Nguyen Van An, "
                                             f"so dinh danh 0010900{i:05d}" for i in range(30)]
    stream = "BT /F1 11 Tf 14 TL 60 790 Td " + " ".join(f"({t}) '" for t in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
               + f"] /Count {pages} >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode()
    path.write_bytes(bytes(out))
    return path


def long_scan_pdf(path: Path, pages: list[Path], count: int) -> Path:
    """A sheet-feeder scan: `count` scanned pages in one PDF (JPEG pages, 300 dpi)."""
    from PIL import Image

    images = [Image.open(p).convert("L") for p in pages]
    frames = [images[i % len(images)] for i in range(count)]
    frames[0].save(path, save_all=True, append_images=frames[1:], resolution=300.0, quality=75)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20, help="office pages for the OCR race")
    parser.add_argument("--long-pages", type=int, default=200, help="pages of the memory test")
    parser.add_argument("--text-pages", type=int, default=500, help="born-digital pages")
    args = parser.parse_args(argv)
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout
    print(f"machine: {CORES} cores; {date.today().isoformat()}; tesseract {version.split()[1]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = office_pages(folder, args.pages)
        cpu = children_cpu()
        raw_s = raw_tesseract(pages)
        cpu, raw_cpu = children_cpu(), children_cpu() - cpu
        ours_s, _ = run_dossier(pages)
        ours_cpu = children_cpu() - cpu
        raw_rate, ours_rate = 60 * len(pages) / raw_s, 60 * len(pages) / ours_s
        print(f"raw tesseract ({CORES} processes): {raw_rate:6.1f} pages/min  ({raw_s:.1f} s, "
              f"{raw_cpu / len(pages):.2f} s CPU/page)")
        print(f"dossier ocr  ({CORES} jobs):       {ours_rate:6.1f} pages/min  ({ours_s:.1f} s, "
              f"{ours_cpu / len(pages):.2f} s CPU/page, process start included)")
        print(f"ratio ours/raw: {ours_rate / raw_rate:.2f}x  (target >= 0.9x); "
              f"by CPU: {raw_cpu / ours_cpu:.2f}x")
        pdf = text_layer_pdf(folder / "born-digital.pdf", args.text_pages)
        text_s, _ = run_dossier([pdf])
        print(f"text-layer pages: {args.text_pages / text_s:6.1f} pages/s  "
              f"({args.text_pages} pages in {text_s:.1f} s, process start included)")
        if args.long_pages:
            long_pdf = long_scan_pdf(folder / "long.pdf", pages, args.long_pages)
            long_s, peak_kib = run_dossier([long_pdf])
            print(f"{args.long_pages}-page scanned PDF: {long_s:.0f} s, peak RSS "
                  f"{peak_kib / 1024:.0f} MiB (target < 1024 MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
