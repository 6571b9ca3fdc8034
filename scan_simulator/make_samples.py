"""Write the bundled demo scans: `python -m scan_simulator.make_samples samples/`.

The README's demo needs a few realistic, awkward files (a photocopy inside a
PDF, a sideways page, an upside-down JPEG, a two-page fax, a colour scan with
a seal). They are generated, not scanned, so they hold no real person's data,
and they are deterministic so regenerating them leaves git clean. Each file is
kept small (the whole folder stays well under 3 MB).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from scan_simulator.content import make_page
from scan_simulator.degrade import make_scan, quarter_turn, save
from scan_simulator.render import render_document

MAX_TOTAL_BYTES = 3_000_000


@dataclass(frozen=True, slots=True)
class SampleDef:
    """One bundled sample: file name, form, font, kind of scan and a one-line description."""

    filename: str
    doc_type: str
    font: str
    size_pt: float
    kind: str
    seed: int
    description: str
    turn: int | None = None  # force the rotation of a `rotated` scan
    long: bool = False  # two-page document


SAMPLES: tuple[SampleDef, ...] = (
    SampleDef("to-khai-khai-sinh-photocopy.pdf", "to_khai_khai_sinh", "NotoSerif", 13.0,
              "photocopy", 101,
              "Tờ khai đăng ký khai sinh: a 200-dpi greyscale scan of a worn photocopy "
              "(skew, speckle, faded toner), as a JPEG image inside a PDF with no text layer."),
    SampleDef("giay-chung-sinh-sideways.png", "giay_chung_sinh", "DejaVuSerif", 13.5,
              "rotated", 102,
              "Giấy chứng sinh: a 300-dpi greyscale office scan fed in sideways "
              "(turned 90° clockwise); 16 grey levels with the background cleaned, as many "
              "scanners save.", turn=90),
    SampleDef("to-khai-ket-hon-upside-down.jpg", "to_khai_ket_hon", "NotoSerif", 12.5,
              "rotated", 103,
              "Tờ khai đăng ký kết hôn: a 300-dpi greyscale office scan, upside down (180°), "
              "JPEG.", turn=180),
    SampleDef("giay-uy-quyen-fax.tif", "giay_uy_quyen", "DejaVuSerif", 13.0, "fax", 104,
              "Giấy ủy quyền, two pages: a standard-resolution fax, 1-bit, 200×100 dpi "
              "(non-square pixels), multi-page CCITT G4 TIFF.", long=True),
    SampleDef("to-khai-xac-nhan-hon-nhan-colour.jpg", "to_khai_xac_nhan_hon_nhan", "NotoSerif",
              13.0, "colour", 105,
              "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân: a 300-dpi colour scan on tinted "
              "paper with a red commune seal over the signature and a blue reception stamp, "
              "JPEG."),
)


def _clean_background(image: Image.Image, levels: int = 16) -> Image.Image:
    """Scanner-style background removal and grey quantisation, so a PNG page stays small."""
    a = np.asarray(image.convert("L")).astype(np.float32)
    a = np.where(a > 200, 255.0, a)
    step = 255 / (levels - 1)
    return Image.fromarray((np.round(a / step) * step).clip(0, 255).astype(np.uint8))


def _scans(sample: SampleDef) -> tuple[list[Image.Image], tuple[int, int] | None, list[str]]:
    """Render and degrade every page of one sample; returns images, dpi and ground truths."""
    spec = make_page(random.Random(sample.seed), sample.doc_type, long=sample.long)
    images, truths = [], []
    dpi: tuple[int, int] | None = None
    for i, (page, truth) in enumerate(render_document(spec, sample.font, sample.size_pt)):
        kind = "office" if sample.turn is not None else sample.kind
        scan = make_scan(page, kind, sample.seed * 10 + i)
        image = scan.image if sample.turn is None else quarter_turn(scan.image, sample.turn)
        if sample.filename.endswith(".png"):
            image = _clean_background(image)
        images.append(image)
        truths.append(truth)
        dpi = scan.dpi
    return images, dpi, truths


def readme(samples: Sequence[SampleDef]) -> str:
    """The samples/README.md text: what each file is, and that it is synthetic."""
    lines = [
        "# Sample scans",
        "",
        "Synthetic scans of Vietnamese administrative forms for the README demo and for",
        "trying the OCR by hand. They are **generated, not scanned**: every name, date,",
        "identity number and address is fictitious, drawn at random by",
        "",
        "    .venv/bin/python -m scan_simulator.make_samples samples/",
        "",
        "which rewrites this folder byte for byte (the output is deterministic).",
        "Next to each scan, `<name>.gt.txt` holds the exact text printed on it (ground",
        "truth, NFC, one printed line per line; pages separated by a form feed `\\f`).",
        "Handwriting, seals and reception stamps are not part of the ground truth.",
        "",
        "| file | what it is |",
        "|---|---|",
    ]
    lines += [f"| `{s.filename}` | {s.description} |" for s in samples]
    return "\n".join(lines) + "\n"


def write_samples(folder: Path, samples: Sequence[SampleDef] = SAMPLES) -> list[Path]:
    """Write every sample, its ground truth and the README into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sample in samples:
        images, dpi, truths = _scans(sample)
        path = save(images, folder / sample.filename, dpi, quality=80)
        gt = folder / f"{Path(sample.filename).stem}.gt.txt"
        gt.write_text("\f".join(truths) + "\n", encoding="utf-8")
        written += [path, gt]
    note = folder / "README.md"
    note.write_text(readme(samples), encoding="utf-8")
    written.append(note)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the samples (e.g. samples/)")
    args = parser.parse_args(argv)
    written = write_samples(args.folder)
    total = sum(p.stat().st_size for p in written)
    for path in written:
        print(f"{path.stat().st_size:>9,}  {path}")
    print(f"{total:>9,}  total")
    if total > MAX_TOTAL_BYTES:
        print(f"error: samples exceed {MAX_TOTAL_BYTES:,} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
