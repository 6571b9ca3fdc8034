"""One validated options model for the whole OCR pipeline (as OCRmyPDF does).

Every limit lives here so that a provincial IT team can tune it from the
environment (`DOSSIER_OCR_*` variables) without touching code.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field


class OcrOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str = Field("vie", description="Tesseract language(s), e.g. 'vie' or 'vie+eng'")
    jobs: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    page_timeout_s: float = Field(90.0, gt=0, description="wall-clock limit per Tesseract run")
    max_file_bytes: int = Field(1_000_000_000, gt=0)
    max_pages: int = Field(2_000, gt=0)
    max_page_pixels: int = Field(
        150_000_000, gt=0, description="pixels of one page at its native resolution"
    )
    default_dpi: int = Field(300, ge=50, le=1200, description="dpi assumed when a file has none")
    max_render_dpi: int = Field(600, ge=72, le=2400)
    min_render_dpi: int = Field(150, ge=50, le=600)
    use_text_layer: bool = True
    preprocess: bool = True
    keep_images: bool = Field(False, description="keep each normalised page image in memory")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> OcrOptions:
        """Read `DOSSIER_OCR_<FIELD>` variables; unknown or invalid values raise ValidationError."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, str] = {}
        for name in cls.model_fields:
            key = f"DOSSIER_OCR_{name.upper()}"
            if key in environ and environ[key] != "":
                values[name] = environ[key]
        return cls(**values)
