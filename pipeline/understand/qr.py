"""Read the QR code printed on chip-based identity cards.

The QR code on the CCCD (2021) and the thẻ căn cước (2024) carries the holder's
data as text fields separated by ``|``::

    079090001234|123456789|Nguyễn Văn An|12031990|Nam|Số 5, đường Lê Lợi, …|01022021

(12-digit number, old 9-digit CMND number or empty, full name, date of birth
ddmmyyyy, sex, residence, date of issue ddmmyyyy). Data typed by a machine beats
OCR of a photocopy, so the extractor prefers it — but only when it is well
formed: a payload from another QR (a URL, a bank code) or a damaged read must
give ``None``, never a half-parsed card or an exception.

zxing-cpp is used because on card photocopies scanned at 200–300 dpi it reads
most codes where OpenCV's QRCodeDetector reads none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from pipeline.understand.normalise import clean_text, nfc, normalise_gender, normalise_name

__all__ = ["CardQr", "decode_qr_codes", "parse_cccd_qr"]


@dataclass(frozen=True, slots=True)
class CardQr:
    """The holder's data from a card's QR code, already normalised (dates ISO)."""

    number: str
    old_number: str
    full_name: str
    birth_date: str
    gender: str
    residence: str
    issue_date: str | None
    extra: tuple[str, ...] = field(default=())
    raw: str = ""


def decode_qr_codes(image: np.ndarray) -> list[str]:
    """Texts of every QR code found in a greyscale or colour image (empty if none).

    A failure of the decoder (odd array, library missing) means "no code read":
    OCR must still carry every field, so it must never stop the page.
    """
    try:
        import zxingcpp
    except ImportError:  # pragma: no cover - the dependency is declared
        return []
    if image is None or not isinstance(image, np.ndarray) or image.size == 0:
        return []
    img = image
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    img = np.ascontiguousarray(img)
    try:
        results = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    except Exception:  # decoder errors are "unreadable", not crashes
        return []
    return [nfc(r.text) for r in results if r.text]


def _ddmmyyyy(text: str) -> str | None:
    """'12031990' → '1990-03-12'; None unless it is a real calendar date."""
    from datetime import date

    m = re.fullmatch(r"(\d{2})(\d{2})(\d{4})", text.strip())
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        return None


def parse_cccd_qr(payload: str) -> CardQr | None:
    """A card's data from a QR payload, or None when the payload is not a card's.

    Tolerates surrounding whitespace, a BOM, extra trailing fields (kept in
    ``extra``) and the variant without the old-number field; rejects anything
    whose number, name, date of birth or sex does not look right.
    """
    if not isinstance(payload, str):
        return None
    text = nfc(payload).strip().lstrip("\ufeff").strip("\x00").strip()
    parts = [p.strip() for p in text.split("|")]
    if len(parts) == 6 and parts[1] and not parts[1].isdigit():
        parts.insert(1, "")  # variant without the old CMND number
    if len(parts) < 7:
        return None
    number, old, name, born, sex, residence, issued, *extra = parts
    if not re.fullmatch(r"\d{12}", number):
        return None
    if old and not re.fullmatch(r"\d{9}|\d{12}", old):
        return None
    full_name = normalise_name(name)
    birth = _ddmmyyyy(born)
    gender = normalise_gender(sex)
    if full_name is None or birth is None or gender is None or gender.guessed:
        return None
    issue = _ddmmyyyy(issued) if issued else None
    if issued and issue is None:
        return None
    return CardQr(
        number=number, old_number=old, full_name=full_name.value, birth_date=birth,
        gender=gender.value, residence=clean_text(residence), issue_date=issue,
        extra=tuple(extra), raw=text,
    )
