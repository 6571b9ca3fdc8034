"""What the OCR half of the pipeline hands on: plain data, ready for JSON.

Boxes are pixel coordinates `[x0, y0, x1, y1]` on the *normalised* page image
(after rotation, deskew and crop), the image that is stored and shown to staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from pipeline.errors import DocumentError

Source = Literal["ocr", "text-layer"]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    confidence: float  # 0..1
    bbox: tuple[int, int, int, int]
    line: int  # index into PageResult.lines

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": self.confidence, "bbox": list(self.bbox),
                "line": self.line}


def union_box(words: list[Word]) -> tuple[int, int, int, int]:
    """The smallest box around all `words` (a line's box)."""
    return (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
            max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    bbox: tuple[int, int, int, int]


@dataclass(slots=True)
class PageResult:
    index: int  # 0-based over all pages of all files
    source: Source
    text: str
    confidence: float
    rotation: int  # degrees clockwise the page was turned to read it: 0, 90, 180, 270
    skew_degrees: float
    dpi: int
    blank: bool
    width: int = 0
    height: int = 0
    words: list[Word] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # preprocessing that was applied
    seconds: float = 0.0
    error: DocumentError | None = None  # a page that failed (e.g. Tesseract timeout)
    image: np.ndarray | None = field(default=None, repr=False)  # normalised image, if kept

    def as_dict(self, words: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "source": self.source,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "rotation": self.rotation,
            "skew_degrees": round(self.skew_degrees, 2),
            "dpi": self.dpi,
            "blank": self.blank,
            "width": self.width,
            "height": self.height,
            "preprocessing": list(self.steps),
            "seconds": round(self.seconds, 3),
            "error": self.error.as_dict() if self.error else None,
        }
        if words:
            out["words"] = [w.as_dict() for w in self.words]
        return out


@dataclass(slots=True)
class FileResult:
    path: str
    error: DocumentError | None = None
    pages: list[PageResult] = field(default_factory=list)

    def as_dict(self, words: bool = False) -> dict[str, Any]:
        return {
            "path": self.path,
            "error": self.error.as_dict() if self.error else None,
            "pages": [p.as_dict(words) for p in self.pages],
        }
