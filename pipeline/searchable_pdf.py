"""Build a searchable PDF: each page the scan's own image, with an invisible text layer.

Decree 30/2020/NĐ-CP asks that a digitised copy keep the scan's colour and
resolution, at 100% scale, in PDF 1.4 or later, at 200 dpi or more. So each
page's size is its pixel size divided by its dpi (never faked), colour and
grey photos are embedded as JPEG and bilevel scans losslessly (1 bit, Flate),
and a page under 200 dpi is reported in the warnings rather than up-sampled.

The text layer follows Tesseract's PDF renderer (and OCRmyPDF's): text drawn
in render mode 3 (invisible) with a Type0 font whose one glyph is blank
("GlyphLessFont"). Each character code is the character's UTF-16 code, a
ToUnicode CMap maps it back, and horizontal scaling (``Tz``) stretches each
word over its box so selecting and searching line up with the image. A space
is drawn between words so text extraction gets real word breaks.

The function is pure: arrays and words in, bytes out. The only file it reads
is Tesseract's tiny blank font (``pdf.ttf``), embedded when found.
"""

from __future__ import annotations

import glob
import io
import os
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image

from pipeline.results import PageResult, Word

__all__ = ["MIN_DPI", "PdfPage", "SearchablePdf", "build_searchable_pdf", "page_from_result"]

MIN_DPI = 200
CHAR_WIDTH = 500  # glyph advance in 1/1000 em; Tz stretches it to the word's width
_REPLACEMENT = 0xFFFD


@dataclass(frozen=True)
class PdfPage:
    """One page to write: the normalised scan, its resolution, and the words on it.

    ``image`` is 2-D grey (bilevel when it holds only 0 and 255) or 3-D BGR/BGRA
    as OpenCV gives it; word boxes are pixel ``[x0, y0, x1, y1]`` on that image.
    With ``jpeg`` the image may be None: the JPEG's header gives size and colour
    (the workers keep a page's JPEG, not its pixels, until the dossier is published).
    """

    image: np.ndarray | None
    dpi: int
    words: Sequence[Word] = ()
    jpeg: bytes | None = None  # the same image already JPEG-encoded: embedded as is, no re-encode


@dataclass
class SearchablePdf:
    data: bytes
    warnings: list[str] = field(default_factory=list)
    page_count: int = 0


def page_from_result(page: PageResult) -> PdfPage:
    """The ``PdfPage`` for an OCR result kept with ``OcrOptions(keep_images=True)``."""
    if page.image is None:
        raise ValueError(f"page {page.index}: no image kept (OCR with keep_images=True)")
    return PdfPage(page.image, page.dpi, tuple(page.words))


def build_searchable_pdf(pages: Sequence[PdfPage], *, title: str | None = None,
                         subject: str | None = None, jpeg_quality: int = 90) -> SearchablePdf:
    """Write ``pages`` as one PDF; warnings name pages below ``MIN_DPI``."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    pdf = pikepdf.new()
    font = _glyphless_font(pdf)
    used: set[int] = set()
    warnings: list[str] = []
    for number, page in enumerate(pages, start=1):
        if page.dpi <= 0:
            raise ValueError(f"page {number}: dpi must be positive, got {page.dpi}")
        if page.dpi < MIN_DPI:
            warnings.append(f"page {number}: scanned at {page.dpi} dpi, below the {MIN_DPI} dpi "
                            "Decree 30/2020 asks for; kept at its own resolution")
        image = _image_xobject(pdf, page.image, jpeg_quality, page.jpeg)
        height_px, width_px = int(image.Height), int(image.Width)
        width_pt, height_pt = width_px * 72 / page.dpi, height_px * 72 / page.dpi
        content = [f"q {_n(width_pt)} 0 0 {_n(height_pt)} 0 0 cm /Im0 Do Q"]
        content.extend(_text_ops(page.words, page.dpi, height_pt, used))
        pdf.pages.append(pikepdf.Page(Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, _dec(width_pt), _dec(height_pt)]),
            Resources=Dictionary(XObject=Dictionary(Im0=image), Font=Dictionary(F0=font)),
            Contents=pdf.make_stream("\n".join(content).encode("ascii")),
        )))
    font.ToUnicode = pdf.make_stream(_to_unicode_cmap(used))
    pdf.docinfo[Name.Producer] = "hoso (pikepdf)"
    if title:
        pdf.docinfo[Name.Title] = unicodedata.normalize("NFC", title)
    if subject:
        pdf.docinfo[Name.Subject] = unicodedata.normalize("NFC", subject)
    out = io.BytesIO()
    pdf.save(out, min_version="1.5", compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return SearchablePdf(out.getvalue(), warnings, len(pages))


# ----------------------------------------------------------------------------- images


def _image_xobject(pdf: pikepdf.Pdf, image: np.ndarray | None, jpeg_quality: int,
                   jpeg: bytes | None) -> pikepdf.Stream:
    """The scan as an image XObject: 1-bit Flate if bilevel, else JPEG in its own colour."""
    if jpeg is not None and jpeg[:2] == b"\xff\xd8":
        with Image.open(io.BytesIO(jpeg)) as header:  # reads the header, decodes nothing
            (width, height), mode = header.size, header.mode
        if mode not in ("L", "RGB"):
            raise ValueError(f"page JPEG in colour mode {mode}: expected grey or RGB")
        if image is not None and _as_uint8(image).shape[:2] != (height, width):
            raise ValueError(f"page JPEG is {width}x{height}, its image {image.shape[1]}x"
                             f"{image.shape[0]}")
        stream = pikepdf.Stream(pdf, jpeg)
        stream.Filter = Name.DCTDecode
        stream.BitsPerComponent = 8
        stream.ColorSpace = Name.DeviceGray if mode == "L" else Name.DeviceRGB
    else:
        stream, width, height = _encoded_xobject(pdf, image, jpeg_quality)
    stream.Type = Name.XObject
    stream.Subtype = Name.Image
    stream.Width = width
    stream.Height = height
    return stream


def _encoded_xobject(pdf: pikepdf.Pdf, image: np.ndarray | None,
                     jpeg_quality: int) -> tuple[pikepdf.Stream, int, int]:
    if image is None:
        raise ValueError("a page needs its image or its JPEG")
    array = _as_uint8(image)
    height, width = array.shape[:2]
    if array.ndim == 2 and _is_bilevel(array):
        packed = np.packbits(array > 127, axis=1)  # 1 = white in DeviceGray
        stream = pikepdf.Stream(pdf, zlib.compress(packed.tobytes(), 6))
        stream.Filter = Name.FlateDecode
        stream.BitsPerComponent = 1
        stream.ColorSpace = Name.DeviceGray
    else:
        if array.ndim == 2:
            pil, space = Image.fromarray(array, "L"), Name.DeviceGray
        else:
            rgb = np.ascontiguousarray(array[:, :, 2::-1])  # BGR(A) -> RGB
            pil, space = Image.fromarray(rgb, "RGB"), Name.DeviceRGB
        buffer = io.BytesIO()
        pil.save(buffer, "JPEG", quality=jpeg_quality, optimize=True)
        stream = pikepdf.Stream(pdf, buffer.getvalue())
        stream.Filter = Name.DCTDecode
        stream.BitsPerComponent = 8
        stream.ColorSpace = space
    return stream, width, height


def _as_uint8(image: np.ndarray) -> np.ndarray:
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise ValueError(f"page image must be grey or BGR(A), got shape {image.shape}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype == np.bool_:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        raise ValueError(f"page image must be 8-bit, got {image.dtype}")
    return image


def _is_bilevel(grey: np.ndarray) -> bool:
    return bool(np.all((grey == 0) | (grey == 255)))


# ----------------------------------------------------------------------------- text


def _text_ops(words: Sequence[Word], dpi: int, page_height_pt: float,
              used: set[int]) -> list[str]:
    """Content-stream operators drawing every word invisibly over its box, line by line."""
    ops: list[str] = []
    scale = 72 / dpi
    for line in _lines(words):
        x0s = [w.bbox[0] for w in line]
        top = min(w.bbox[1] for w in line)
        bottom = max(w.bbox[3] for w in line)
        size = max((bottom - top) * scale, 1.0)
        baseline = page_height_pt - bottom * scale
        ops.append(f"BT 3 Tr /F0 {_n(size)} Tf")
        for i, word in enumerate(line):
            codes = _codes(word.text)
            if not codes:
                continue
            used.update(codes)
            x = word.bbox[0] * scale
            width = max((word.bbox[2] - word.bbox[0]) * scale, 0.1)
            ops.append(f"1 0 0 1 {_n(x)} {_n(baseline)} Tm {_tz(width, len(codes), size)} Tz "
                       f"<{_hex(codes)}> Tj")
            if i + 1 < len(line):  # a stretched space up to the next word: a real word break
                gap = max((x0s[i + 1] - word.bbox[2]) * scale, 0.1)
                used.add(0x20)
                ops.append(f"{_tz(gap, 1, size)} Tz <0020> Tj")
        ops.append("ET")
    return ops


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by their OCR line, each line left to right, lines in reading order."""
    groups: dict[int, list[Word]] = {}
    for word in words:
        if word.text.strip():
            groups.setdefault(word.line, []).append(word)
    return [sorted(group, key=lambda w: w.bbox[0]) for _, group in sorted(groups.items())]


def _codes(text: str) -> list[int]:
    """Character codes for the Identity-H font: the UTF-16 code of each NFC character."""
    text = unicodedata.normalize("NFC", text)
    return [ord(c) if ord(c) <= 0xFFFF and not 0xD800 <= ord(c) <= 0xDFFF else _REPLACEMENT
            for c in text if not c.isspace()]


def _tz(width_pt: float, chars: int, size: float) -> str:
    natural = chars * CHAR_WIDTH / 1000 * size
    return _n(100 * width_pt / natural)


def _hex(codes: Iterable[int]) -> str:
    return "".join(f"{c:04X}" for c in codes)


def _n(value: float) -> str:
    """A PDF number: short, no exponent."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _dec(value: float) -> Decimal:
    return Decimal(_n(value))


# ----------------------------------------------------------------------------- font


def _glyphless_font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """A Type0 font whose glyphs draw nothing; ToUnicode is filled in after the pages."""
    descriptor = Dictionary(
        Type=Name.FontDescriptor, FontName=Name.GlyphLessFont, Flags=5,
        FontBBox=Array([0, 0, CHAR_WIDTH, 1000]), ItalicAngle=0, Ascent=1000, Descent=-1,
        CapHeight=1000, StemV=80,
    )
    font_file = _font_program()
    if font_file is not None:
        stream = pdf.make_stream(font_file)
        stream.Length1 = len(font_file)
        descriptor.FontFile2 = stream
        # Every code shows glyph 1, the font's one blank glyph (as Tesseract does).
        gid_map: object = pdf.make_stream(b"\x00\x01" * 65536)
    else:
        gid_map = Name.Identity
    cid_font = Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name.GlyphLessFont,
        CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor), DW=CHAR_WIDTH, CIDToGIDMap=gid_map,
    )
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name.GlyphLessFont,
        Encoding=Name("/Identity-H"), DescendantFonts=Array([pdf.make_indirect(cid_font)]),
    ))


@lru_cache(maxsize=1)
def _font_program() -> bytes | None:
    """Tesseract's blank TrueType font (``pdf.ttf``, 572 bytes) if installed, else None.

    Without it the font is simply not embedded; the invisible text still
    extracts, because extraction only needs the ToUnicode map.
    """
    candidates = []
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        candidates += [os.path.join(prefix, "pdf.ttf"), os.path.join(prefix, "tessdata", "pdf.ttf")]
    candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata/pdf.ttf"), reverse=True)
    candidates += ["/usr/share/tessdata/pdf.ttf", "/usr/local/share/tessdata/pdf.ttf"]
    for path in candidates:
        try:
            with open(path, "rb") as handle:
                data = handle.read(1 << 16)
        except OSError:
            continue
        if data[:4] == b"\x00\x01\x00\x00":
            return data
    return None


def _to_unicode_cmap(codes: set[int]) -> bytes:
    """A ToUnicode CMap mapping each used code to itself (code = UTF-16 of the character)."""
    ordered = sorted(codes)
    blocks = []
    for start in range(0, len(ordered), 100):  # at most 100 entries per block (PDF spec)
        chunk = ordered[start:start + 100]
        body = "\n".join(f"<{c:04X}> <{c:04X}>" for c in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{body}\nendbfchar")
    text = "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
        *blocks,
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])
    return text.encode("ascii")
