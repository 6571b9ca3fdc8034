"""Typeset a `PageSpec` onto an A4 page image, returning the exact text drawn.

Layout follows Vietnamese administrative documents (Nghị định 30/2020): a bold
centred national header with the underlined motto, a bold centred title, body
lines wrapped to the text block, and a signature block centred in the right
half with a hand-drawn-looking signature. Wrapping happens here, so the
ground truth contains exactly the printed lines, in reading order.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from scan_simulator.content import Line, PageSpec, nfc

FontName = Literal["NotoSerif", "DejaVuSerif"]
Face = Literal["regular", "bold", "italic"]

FONT_FILES: dict[str, dict[Face, Path]] = {
    "NotoSerif": {
        "regular": Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"),
        "bold": Path("/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"),
        "italic": Path("/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf"),
    },
    "DejaVuSerif": {
        "regular": Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
        "bold": Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"),
        "italic": Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf"),
    },
}
A4_MM = (210.0, 297.0)
MARGINS_MM = (30.0, 20.0, 15.0, 20.0)  # left, top, right, bottom (Nghị định 30/2020)
INK = (22, 22, 24)
PAPER = (255, 255, 255)
SIGNATURE_INK = (28, 42, 120)
SIGNATURE_SPACE = 3.0  # blank line heights left for the handwritten signature


@dataclass(frozen=True, slots=True)
class _Piece:
    """One drawn string: where its centre or left edge goes and in which face."""

    text: str
    face: Face
    x: float
    anchor: Literal["ls", "ms"]  # left-baseline or middle-baseline
    scale: float = 1.0
    underline: bool = False


@dataclass(frozen=True, slots=True)
class _Row:
    """One printed line: its pieces, the space above it (in line heights) and its text."""

    pieces: tuple[_Piece, ...]
    gap_before: float
    text: str
    signature_after: bool = False


@lru_cache(maxsize=64)
def _font(name: str, face: Face, px: int) -> ImageFont.FreeTypeFont:
    try:
        path = FONT_FILES[name][face]
    except KeyError:
        raise ValueError(f"unknown font {name!r}; expected one of {sorted(FONT_FILES)}") from None
    return ImageFont.truetype(str(path), px)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap on spaces; a word longer than the line stays whole on its own line."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate.rstrip()) > width:
            lines.append(current.rstrip())
            current = word
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines


class _Layout:
    """Page geometry for one font, size and resolution."""

    def __init__(self, font: str, size_pt: float, dpi: int) -> None:
        self.font_name = font
        self.dpi = dpi
        self.px = round(size_pt * dpi / 72)
        mm = dpi / 25.4
        self.page = (round(A4_MM[0] * mm), round(A4_MM[1] * mm))
        left, top, right, bottom = (m * mm for m in MARGINS_MM)
        self.left, self.top = left, top
        self.width = self.page[0] - left - right
        self.bottom = self.page[1] - bottom

    def font(self, face: Face, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return _font(self.font_name, face, round(self.px * scale))

    def rows(self, line: Line, previous: Line | None = None) -> list[_Row]:
        """Turn a logical line into wrapped printed rows."""
        style = line.style
        is_name = previous is not None and previous.text.startswith("(")
        if style == "columns":
            return [self._columns(line, is_name)]
        if style == "sign":
            return self._sign_rows(line, is_name)
        face: Face = "bold" if style in ("header", "motto", "title", "heading") else "regular"
        if style == "subtitle":
            face = "italic"
        scale = 1.15 if style == "title" else 1.0
        gap = {"title": 1.2, "heading": 0.3}.get(style, 0.0)
        if previous is not None and previous.style == "title" and style != "title":
            gap = 0.8
        centred = style in ("header", "motto", "title", "subtitle")
        width = self.width * (0.9 if centred else 1.0)
        x = self.left + self.width / 2 if centred else self.left
        rows = []
        for i, text in enumerate(wrap(line.text, self.font(face, scale), width)):
            piece = _Piece(text, face, x, "ms" if centred else "ls", scale, style == "motto")
            rows.append(_Row((piece,), gap if i == 0 else 0.0, text))
        return rows

    def _sign_rows(self, line: Line, is_name: bool) -> list[_Row]:
        """Signature block, centred in the right half: place/date and hints italic, role bold."""
        text = line.text
        dated = text.startswith("Làm tại") or " ngày " in text
        hint = text.startswith("(")
        face: Face = "italic" if dated or hint else ("regular" if is_name else "bold")
        centre = self.left + self.width * 0.67
        rows = []
        for i, t in enumerate(wrap(text, self.font(face), self.width * 0.66)):
            piece = _Piece(t, face, centre, "ms")
            rows.append(_Row((piece,), 0.6 if dated and i == 0 else 0.0, t, signature_after=hint))
        return rows

    def _columns(self, line: Line, is_name: bool) -> _Row:
        """Two signature columns side by side (e.g. Bên nữ / Bên nam)."""
        hint = line.text.startswith("(")
        bold = not hint and not is_name
        face: Face = "bold" if bold else ("italic" if hint else "regular")
        left = _Piece(line.text, face, self.left + self.width * 0.22, "ms")
        right = _Piece(line.right, face, self.left + self.width * 0.75, "ms")
        gap = 0.8 if bold else 0.0
        return _Row((left, right), gap, f"{line.text}    {line.right}",
                    signature_after=line.text.startswith("("))


def _paginate(rows: list[_Row], lay: _Layout, spacing: float) -> list[list[tuple[_Row, float]]]:
    """Assign baselines to rows, starting a new page when the text block is full."""
    lh = lay.px * spacing
    pages: list[list[tuple[_Row, float]]] = [[]]
    y = lay.top + lay.px  # baseline of the next row if it has no gap
    for row in rows:
        baseline = y + row.gap_before * lh
        if pages[-1] and baseline > lay.bottom:
            pages.append([])
            baseline = lay.top + lay.px
        pages[-1].append((row, baseline))
        y = baseline + lh + (SIGNATURE_SPACE * lh if row.signature_after else 0.0)
    return pages


def _scribble(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, seed: int) -> None:
    """A cursive-looking signature: uneven connected loops along a rising baseline."""
    rng = random.Random(seed)
    loops = rng.randint(3, 6)
    w = size * rng.uniform(1.6, 2.4)
    heights = [size * rng.uniform(0.25, 0.55) for _ in range(loops + 1)]
    points = []
    for i in range(loops * 24 + 1):
        t = i / 24
        h = heights[int(t)]
        x = cx - w / 2 + w * t / loops + 0.22 * size * math.sin(2 * math.pi * t)
        y = cy - 0.15 * size * t / loops * 2 + h * math.cos(2 * math.pi * t)
        points.append((x, y))
    width = max(2, round(size / 30))
    draw.line(points, fill=SIGNATURE_INK, width=width, joint="curve")
    tail = rng.uniform(0.3, 0.6) * size
    draw.line([(cx - w / 2, cy + tail), (cx + w / 2 + 0.3 * size, cy + tail - 0.2 * size)],
              fill=SIGNATURE_INK, width=width)


def _draw_page(lay: _Layout, placed: list[tuple[_Row, float]], seed: int) -> Image.Image:
    img = Image.new("RGB", lay.page, PAPER)
    draw = ImageDraw.Draw(img)
    lh = lay.px
    for row, y in placed:
        for piece in row.pieces:
            font = lay.font(piece.face, piece.scale)
            draw.text((piece.x, y), piece.text, font=font, fill=INK, anchor=piece.anchor)
            if piece.underline:
                half = font.getlength(piece.text) / 2
                uy = y + lh * 0.3
                draw.line([(piece.x - half, uy), (piece.x + half, uy)], fill=INK,
                          width=max(2, lh // 16))
        if row.signature_after:
            for i, piece in enumerate(row.pieces):
                _scribble(draw, piece.x, y + lh * 2.0, lh * 1.8, seed + i)
    return img


def render_document(spec: PageSpec, font: FontName | str = "NotoSerif", size_pt: float = 13.0,
                    dpi: int = 300) -> list[tuple[Image.Image, str]]:
    """Render every page a spec needs; each page comes with its own ground truth.

    Line spacing tightens from 1.4 to 1.15 before a second page is started, the way a
    clerk squeezes a form onto one sheet.
    """
    if not 6 <= size_pt <= 30:
        raise ValueError(f"size_pt {size_pt} outside 6..30")
    lay = _Layout(font, size_pt, dpi)
    rows = [row for prev, line in zip((None, *spec.lines), spec.lines, strict=False)
            for row in lay.rows(line, prev)]
    for spacing in (1.4, 1.3, 1.2, 1.15):
        pages = _paginate(rows, lay, spacing)
        if len(pages) == 1:
            break
    seed = zlib.crc32("\n".join(r.text for r in rows).encode())
    out = []
    for i, placed in enumerate(pages):
        truth = nfc("\n".join(row.text for row, _ in placed))
        out.append((_draw_page(lay, placed, seed + 7 * i), truth))
    return out


def render_page(spec: PageSpec, font: FontName | str = "NotoSerif", size_pt: float = 13.0,
                dpi: int = 300) -> tuple[Image.Image, str]:
    """Render a one-page spec to an RGB A4 image and the text drawn on it (lines joined by \\n).

    Raises ValueError if the spec does not fit on one page (use `render_document`).
    """
    pages = render_document(spec, font, size_pt, dpi)
    if len(pages) != 1:
        raise ValueError(f"{spec.title}: needs {len(pages)} pages; use render_document")
    return pages[0]
