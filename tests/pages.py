"""Generated test pages (fictitious people), cached per test session."""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from scan_simulator.content import make_page
from scan_simulator.degrade import KIND_FORMATS, make_scan, quarter_turn, save
from scan_simulator.render import render_page


@lru_cache(maxsize=16)
def clean_page(seed: int, font: str = "NotoSerif",
               size_pt: float = 13.0) -> tuple[Image.Image, str]:
    spec = make_page(random.Random(seed))
    return render_page(spec, font=font, size_pt=size_pt, dpi=300)


def scanned_file(folder: Path, kind: str, seed: int, turn: int | None = None) -> tuple[Path, str]:
    """Save one degraded page the way that kind arrives; return (path, ground truth)."""
    image, truth = clean_page(seed, "NotoSerif" if seed % 2 else "DejaVuSerif")
    scan = make_scan(image, kind, seed)
    picture = scan.image if turn is None else quarter_turn(scan.image, turn)
    path = folder / f"{kind}-{seed}-{turn}.{KIND_FORMATS[kind]}"
    save(picture, path, scan.dpi)
    return path, truth


def grey_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()
