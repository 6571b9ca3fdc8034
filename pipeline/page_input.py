"""The unit that ingest hands to the page stages: one page, as pixels or as a text layer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.results import Line, Word


@dataclass(slots=True)
class TextLayer:
    """A PDF page's own text, already judged trustworthy, with boxes in pixels at `dpi`."""

    text: str
    words: list[Word]
    lines: list[Line]
    width: int
    height: int
    dpi: int


@dataclass(slots=True)
class PageInput:
    file_page: int  # 0-based index of the page inside its file
    image: np.ndarray | None = None  # uint8, grey (H, W) or BGR (H, W, 3), square pixels
    dpi: int | None = None  # None when the file does not say (phone photos, bare PNGs)
    text_layer: TextLayer | None = None
    notes: list[str] = field(default_factory=list)  # what ingest did, e.g. "exif-rotate-90"
