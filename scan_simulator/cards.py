"""Vietnamese identity cards as they reach the desk: a photocopy of front and back on A4.

Citizens hand in photocopies of their chip-based card (the 2021 "CĂN CƯỚC CÔNG
DÂN" or the 2024 "CĂN CƯỚC"), front on the upper half of the sheet and back on
the lower half. The extractor must read them by OCR and by the card's QR code,
so the cards here carry a real QR code (segno) with the payload layout of real
cards, a well-formed 12-digit personal identification number and TD1 machine-
readable lines. Every person is fictitious; the layout is drawn in millimetres
from the card's 85.6 × 54 mm format so any dpi gives the same picture.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import segno
from PIL import Image, ImageDraw, ImageFont

from scan_simulator.content import COMMUNES, PROVINCES, nfc, person_name
from scan_simulator.content import address as make_address
from scan_simulator.render import wrap

CardKind = Literal["cccd_2021", "can_cuoc_2024"]
CARD_MM = (85.6, 54.0)
A4_MM = (210.0, 297.0)
NEW_CARD_FROM = date(2024, 7, 1)  # Luật Căn cước 2023: "thẻ căn cước" issued from this day

# Circular 07/2016/TT-BCA: 3-digit code of the province where the birth was registered.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

SANS = {
    "NotoSans": ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                 "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    "DejaVuSans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                   "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
INK = (30, 34, 48)
RED = (200, 30, 36)
MARKS = ("Nốt ruồi C:1cm trên sau đầu lông mày trái", "Sẹo chấm C:2cm dưới trước mắt phải",
         "Nốt ruồi C:1,5cm dưới sau mép trái", "Sẹo chấm C:1cm trên đuôi mắt phải")


# ---------------------------------------------------------------- identity numbers


def century_digit(birth_year: int, gender: str) -> int:
    """The 4th digit: century of birth and sex (0/1 for 1900s, 2/3 for 2000s, ..., Nam even)."""
    if not 1900 <= birth_year <= 2399:
        raise ValueError(f"birth year {birth_year} outside 1900..2399")
    return (birth_year // 100 - 19) * 2 + (0 if gender == "Nam" else 1)


def identity_number(rng: random.Random, province_code: str, gender: str, birth_year: int) -> str:
    """A 12-digit number laid out like a real one: province, sex/century, year, 6 random digits."""
    if province_code not in PROVINCE_CODES:
        raise ValueError(f"{province_code!r} is not a province code of Circular 07/2016/TT-BCA")
    return (f"{province_code}{century_digit(birth_year, gender)}{birth_year % 100:02d}"
            f"{rng.randint(0, 999_999):06d}")


def identity_number_problems(number: str, birth: date | None = None,
                             gender: str | None = None) -> list[str]:
    """Why a 12-digit number is not well-formed (empty list when it is), for tests and checks."""
    if len(number) != 12 or not number.isdigit():
        return [f"{number!r} is not 12 digits"]
    problems = []
    if number[:3] not in PROVINCE_CODES:
        problems.append(f"{number[:3]} is not a province code")
    if birth is not None and gender is not None:
        if int(number[3]) != century_digit(birth.year, gender):
            problems.append(f"digit {number[3]} does not match {gender} born {birth.year}")
        if number[4:6] != f"{birth.year % 100:02d}":
            problems.append(f"digits {number[4:6]} do not match birth year {birth.year}")
    return problems


# ---------------------------------------------------------------- card data


@dataclass(frozen=True, slots=True)
class Citizen:
    """A fictitious adult with everything a card and the forms print about them."""

    name: str  # natural case, NFC
    gender: str  # "Nam" or "Nữ"
    birth: date
    birth_province_code: str  # where the birth was registered: the number's prefix
    birth_place: str  # "xã Tân Phú, tỉnh Nghệ An" (printed on the 2024 card)
    hometown: str  # quê quán
    residence: str  # nơi thường trú / nơi cư trú
    id_number: str
    old_number: str  # 9-digit CMND number, or "" when the person never had one
    ethnicity: str = "Kinh"


def make_citizen(rng: random.Random, gender: str | None = None, year_lo: int = 1968,
                 year_hi: int = 2004, family: str | None = None) -> Citizen:
    """A citizen whose number agrees with their birth year, sex and birth-registration province."""
    gender = gender or rng.choice(("Nam", "Nữ"))
    birth = date(rng.randint(year_lo, year_hi), rng.randint(1, 12), rng.randint(1, 28))
    province, code = rng.choice(PROVINCES)
    residence, _ = make_address(rng)
    return Citizen(
        name=nfc(person_name(rng, gender, family)), gender=gender, birth=birth,
        birth_province_code=code, birth_place=nfc(f"{rng.choice(COMMUNES)}, {province}"),
        hometown=nfc(f"{rng.choice(COMMUNES)}, {rng.choice(PROVINCES)[0]}"),
        residence=nfc(residence), id_number=identity_number(rng, code, gender, birth.year),
        old_number=f"{rng.randint(10_000_000, 399_999_999):09d}" if birth.year < 2001
        and rng.random() < 0.6 else "",
        ethnicity=rng.choice(("Kinh", "Kinh", "Kinh", "Tày", "Thái", "Mường", "Khmer")),
    )


def expiry_date(birth: date, issued: date) -> date | None:
    """Cards run to the 25th, 40th or 60th birthday; one issued within 2 years of a milestone
    runs to the next one; none expires after 60 (None)."""
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    for milestone in (25, 40, 60):
        if age < milestone - 2:
            return birth.replace(year=birth.year + milestone)
    return None


@dataclass(frozen=True, slots=True)
class Card:
    """One identity card: who it belongs to, its layout and its dates."""

    holder: Citizen
    kind: CardKind
    issued: date
    expires: date
    mark: str  # đặc điểm nhân dạng (2021 card only)
    director: str  # name printed under the signature (fictitious)

    @property
    def qr_payload(self) -> str:
        """`number|old9|name|ddmmyyyy|sex|residence|ddmmyyyy issue`, as chip-based cards encode."""
        h = self.holder
        return nfc("|".join((h.id_number, h.old_number, h.name, _ddmmyyyy(h.birth), h.gender,
                             h.residence, _ddmmyyyy(self.issued))))

    def fields(self) -> dict[str, str]:
        """The contract's `cccd` fields that this layout prints, normalised as the contract says.

        The 2024 card prints no quê quán, so `que_quan` is absent for it.
        """
        h = self.holder
        out = {"so_dinh_danh": h.id_number, "ho_ten": h.name, "ngay_sinh": h.birth.isoformat(),
               "gioi_tinh": h.gender, "quoc_tich": "Việt Nam"}
        if self.kind == "cccd_2021":
            out["que_quan"] = h.hometown
        out["noi_thuong_tru"] = h.residence
        out["ngay_het_han"] = self.expires.isoformat()
        return out


def make_card(rng: random.Random, holder: Citizen, on: date | None = None) -> Card:
    """A card issued to `holder` before `on` (the dossier date), still valid on that day."""
    on = on or date(2025, 11, 1)
    earliest = max(date(2021, 3, 1), holder.birth.replace(year=holder.birth.year + 14))
    for _ in range(100):
        issued = date.fromordinal(rng.randint(earliest.toordinal(), on.toordinal() - 20))
        expires = expiry_date(holder.birth, issued)
        if expires is not None and expires > on:
            break
    else:
        raise ValueError(f"no valid card date for a holder born {holder.birth}")
    kind: CardKind = "can_cuoc_2024" if issued >= NEW_CARD_FROM else "cccd_2021"
    return Card(holder, kind, issued, expires, rng.choice(MARKS),
                nfc(person_name(rng, "Nam")))


def _ddmmyyyy(d: date) -> str:
    return f"{d.day:02d}{d.month:02d}{d.year}"


def _dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


# ---------------------------------------------------------------- machine-readable zone


def _mrz_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    return 0 if ch == "<" else ord(ch) - 55


def mrz_check(data: str) -> str:
    """ICAO 9303 check digit (weights 7, 3, 1)."""
    return str(sum(_mrz_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(data)) % 10)


def _ascii_upper(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if not unicodedata.combining(c)).upper()


def mrz_lines(card: Card) -> tuple[str, str, str]:
    """TD1 lines: `IDVNM` + last 9 digits + check + the 12-digit number in the optional data."""
    h = card.holder
    num9 = h.id_number[3:]
    line1 = f"IDVNM{num9}{mrz_check(num9)}{h.id_number}<<{mrz_check(h.id_number)}"
    born = h.birth.strftime("%y%m%d")
    expires = card.expires.strftime("%y%m%d")
    sex = "M" if h.gender == "Nam" else "F"
    body = f"{born}{mrz_check(born)}{sex}{expires}{mrz_check(expires)}"
    body += "VNM" + "<" * 11
    composite = line1[5:30] + body[0:7] + body[8:15] + body[18:29]
    line2 = body + mrz_check(composite)
    family, *rest = _ascii_upper(h.name).split()
    line3 = (family + "<<" + "<".join(rest)).ljust(30, "<")[:30]
    return line1, line2, line3


# ---------------------------------------------------------------- drawing


@lru_cache(maxsize=64)
def _font(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(6, px))


class _CardCanvas:
    """Draws in card millimetres onto a region of a larger image."""

    def __init__(self, img: Image.Image, origin: tuple[float, float], px_per_mm: float,
                 font: str) -> None:
        self.img, self.draw = img, ImageDraw.Draw(img)
        self.ox, self.oy = origin
        self.k = px_per_mm
        self.regular, self.bold = SANS[font]

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + x * self.k, self.oy + y * self.k

    def font(self, size_pt: float, bold: bool = False,
             mono: bool = False) -> ImageFont.FreeTypeFont:
        path = MONO if mono else (self.bold if bold else self.regular)
        return _font(path, round(size_pt * 25.4 / 72 * self.k))

    def text(self, x: float, y: float, text: str, size_pt: float, *, bold: bool = False,
             fill: tuple[int, int, int] = INK, anchor: str = "ls", max_mm: float | None = None,
             mono: bool = False, underline: bool = False) -> float:
        """Draw one line (shrunk to fit `max_mm`); returns its right edge in mm."""
        font = self.font(size_pt, bold, mono)
        while max_mm and font.getlength(text) > max_mm * self.k and size_pt > 3:
            size_pt -= 0.25
            font = self.font(size_pt, bold, mono)
        self.draw.text(self.xy(x, y), text, font=font, fill=fill, anchor=anchor)
        width = font.getlength(text) / self.k
        if underline:
            x0 = x - width / 2 if anchor[0] == "m" else x
            self.line([(x0, y + 0.6), (x0 + width, y + 0.6)], fill, 0.2)
        return (x + width / 2 if anchor[0] == "m" else x + width)

    def wrapped(self, x: float, y: float, text: str, size_pt: float, width_mm: float,
                step_mm: float, *, bold: bool = False, first_width_mm: float | None = None,
                first_x: float | None = None) -> float:
        """Wrap `text` into lines (the first may start after a label); returns the next y."""
        font = self.font(size_pt, bold)
        lines: list[str] = []
        rest = text
        if first_width_mm is not None:
            head = wrap(rest, font, first_width_mm * self.k)
            if head and font.getlength(head[0]) <= first_width_mm * self.k:
                lines.append(head[0])
                rest = rest[len(head[0]):].strip()
                self.text(first_x if first_x is not None else x, y, lines[0], size_pt, bold=bold)
                y += step_mm
        for line in wrap(rest, font, width_mm * self.k) if rest else []:
            self.text(x, y, line, size_pt, bold=bold)
            y += step_mm
        return y

    def rect(self, box: tuple[float, float, float, float], outline: tuple[int, int, int] | None,
             fill: tuple[int, int, int] | None = None, width_mm: float = 0.25,
             radius_mm: float = 0.0) -> None:
        x0, y0 = self.xy(box[0], box[1])
        x1, y1 = self.xy(box[2], box[3])
        self.draw.rounded_rectangle((x0, y0, x1, y1), radius=radius_mm * self.k, outline=outline,
                                    fill=fill, width=max(1, round(width_mm * self.k)))

    def line(self, pts: list[tuple[float, float]], fill: tuple[int, int, int],
             width_mm: float) -> None:
        self.draw.line([self.xy(*p) for p in pts], fill=fill,
                       width=max(1, round(width_mm * self.k)))

    def ellipse(self, cx: float, cy: float, r: float, outline: tuple[int, int, int],
                width_mm: float = 0.3, fill: tuple[int, int, int] | None = None) -> None:
        x0, y0 = self.xy(cx - r, cy - r)
        x1, y1 = self.xy(cx + r, cy + r)
        self.draw.ellipse((x0, y0, x1, y1), outline=outline, fill=fill,
                          width=max(1, round(width_mm * self.k)))


def _background(c: _CardCanvas, rng: random.Random) -> None:
    """Card stock with a faint guilloche, as a photocopier renders the printed security pattern."""
    c.rect((0, 0, *CARD_MM), outline=(90, 90, 90), fill=(238, 240, 236), width_mm=0.35,
           radius_mm=3.2)
    phase = rng.uniform(0, math.tau)
    for i in range(9):
        y0 = 6 + i * 5.5
        pts = [(x / 2, y0 + 1.3 * math.sin(x / 9 + phase + i)) for x in range(4, 168)]
        c.line(pts, (218, 222, 216), 0.18)


def _emblem(c: _CardCanvas, cx: float, cy: float, r: float) -> None:
    """National emblem placeholder: a ring, a star and a cogwheel arc."""
    c.ellipse(cx, cy, r, RED, 0.5, fill=(236, 200, 190))
    star = []
    for i in range(10):
        rad = r * (0.55 if i % 2 == 0 else 0.22)
        a = -math.pi / 2 + i * math.pi / 5
        star.append(c.xy(cx + rad * math.cos(a), cy - 0.8 + rad * math.sin(a)))
    c.draw.polygon(star, fill=(225, 170, 40))
    c.line([(cx - r * 0.6, cy + r * 0.55), (cx + r * 0.6, cy + r * 0.55)], (150, 110, 40), 0.5)


def _photo(c: _CardCanvas, box: tuple[float, float, float, float]) -> None:
    """Portrait box with a grey silhouette (no real face is ever drawn)."""
    c.rect(box, outline=(70, 70, 70), fill=(205, 208, 212), width_mm=0.2)
    cx = (box[0] + box[2]) / 2
    head = (box[3] - box[1]) * 0.2
    c.ellipse(cx, box[1] + head * 1.9, head, (120, 120, 120), 0.1, fill=(150, 152, 156))
    x0, y0 = c.xy(box[0] + 1.5, box[3])
    x1, y1 = c.xy(box[2] - 1.5, box[1] + head * 3.3)
    c.draw.pieslice((x0, y1, x1, y0 + (y0 - y1)), 180, 360, fill=(150, 152, 156))


def _qr(c: _CardCanvas, payload: str, x: float, y: float, size_mm: float) -> None:
    """A real QR code (segno), 2-module white quiet zone, drawn module by module."""
    qr = segno.make(payload, micro=False, encoding="utf-8")
    matrix = list(qr.matrix)
    n = len(matrix) + 4
    mod = size_mm / n
    c.rect((x, y, x + size_mm, y + size_mm), outline=None, fill=(255, 255, 255))
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                x0, y0 = c.xy(x + (col + 2) * mod, y + (r + 2) * mod)
                x1, y1 = c.xy(x + (col + 3) * mod, y + (r + 3) * mod)
                c.draw.rectangle((round(x0), round(y0), round(x1) - 1, round(y1) - 1),
                                 fill=(0, 0, 0))


def _header(c: _CardCanvas, title: str, subtitle: str, cx: float, width: float) -> None:
    c.text(cx, 5.0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 6.0, bold=True, anchor="ms",
           max_mm=width)
    c.text(cx, 8.2, "Độc lập - Tự do - Hạnh phúc", 5.6, bold=True, anchor="ms", underline=True)
    c.text(cx, 13.4, title, 9.5, bold=True, fill=RED, anchor="ms", max_mm=width)
    c.text(cx, 16.6, subtitle, 6.0, bold=True, anchor="ms")


def _label_value(c: _CardCanvas, x: float, y: float, label: str, value: str,
                 value_pt: float = 7.0, *, bold: bool = False) -> None:
    end = c.text(x, y, label, 5.6)
    c.text(end + 1.0, y, value, value_pt, bold=bold, max_mm=CARD_MM[0] - end - 2.5)


def _front_2021(c: _CardCanvas, card: Card, rng: random.Random) -> None:
    h = card.holder
    _emblem(c, 10.5, 9.5, 6.5)
    _header(c, "CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card", 43.0, 48.0)
    _qr(c, card.qr_payload, 67.6, 1.2, 17.0)
    _photo(c, (3.0, 18.5, 20.0, 41.5))
    x = 22.0
    _label_value(c, x, 21.5, "Số / No.:", h.id_number, 9.5, bold=True)
    c.text(x, 25.0, "Họ và tên / Full name:", 5.6)
    c.text(x + 3.0, 28.6, h.name.upper(), 8.0, bold=True, max_mm=60.0)
    _label_value(c, x, 31.8, "Ngày sinh / Date of birth:", _dmy(h.birth))
    end = c.text(x, 34.8, "Giới tính / Sex:", 5.6)
    end = c.text(end + 1.0, 34.8, h.gender, 7.0)
    _label_value(c, max(end + 4.0, 48.0), 34.8, "Quốc tịch / Nationality:", "Việt Nam")
    c.text(x, 37.6, "Quê quán / Place of origin:", 5.6)
    c.text(x, 40.6, h.hometown, 7.0, max_mm=61.0)
    end = c.text(x, 43.6, "Nơi thường trú / Place of residence:", 5.6)
    c.wrapped(x, 43.6, h.residence, 7.0, 61.0, 3.0, first_width_mm=84.0 - end - 1.0,
              first_x=end + 1.0)
    c.text(3.0, 45.2, "Có giá trị đến / Date of expiry:", 5.0, max_mm=18.0)
    c.text(3.0, 48.6, _dmy(card.expires), 7.0)


def _fingerprints(c: _CardCanvas, x0: float, y0: float) -> None:
    for i, label in enumerate(("Ngón trỏ trái", "Ngón trỏ phải")):
        bx = x0 + i * 15.0
        c.rect((bx, y0, bx + 13.5, y0 + 16.0), outline=(80, 80, 80), width_mm=0.2)
        for k in range(7):
            c.ellipse(bx + 6.75, y0 + 8.5, 1.0 + k * 0.8, (175, 175, 175), 0.15)
        c.text(bx + 6.75, y0 + 18.4, label, 4.6, anchor="ms")


def _chip(c: _CardCanvas, x: float, y: float) -> None:
    c.rect((x, y, x + 10.0, y + 8.5), outline=(120, 100, 40), fill=(214, 190, 120),
           width_mm=0.2, radius_mm=1.2)
    c.line([(x + 5.0, y), (x + 5.0, y + 8.5)], (120, 100, 40), 0.15)
    c.line([(x, y + 4.25), (x + 10.0, y + 4.25)], (120, 100, 40), 0.15)


def _seal_and_signature(c: _CardCanvas, cx: float, cy: float, rng: random.Random) -> None:
    c.ellipse(cx - 5.0, cy, 5.0, (200, 110, 110), 0.35)
    c.ellipse(cx - 5.0, cy, 3.6, (200, 110, 110), 0.15)
    pts = [(cx - 4 + t * 0.25, cy + 1.5 * math.sin(t * 0.9 + rng.uniform(0, 0.5)))
           for t in range(40)]
    c.line(pts, (40, 50, 120), 0.25)


def _mrz(c: _CardCanvas, card: Card) -> None:
    c.rect((0.8, 39.0, CARD_MM[0] - 0.8, 53.2), outline=None, fill=(248, 248, 246))
    for i, line in enumerate(mrz_lines(card)):
        c.text(4.0, 43.2 + i * 4.3, line, 8.2, mono=True, fill=(10, 10, 10), max_mm=78.0)


def _back_2021(c: _CardCanvas, card: Card, rng: random.Random) -> None:
    c.text(3.0, 4.5, "Đặc điểm nhân dạng / Personal identification:", 5.6)
    c.text(3.0, 7.8, card.mark, 6.8, max_mm=50.0)
    _chip(c, 70.0, 2.5)
    c.text(3.0, 12.5, f"Ngày, tháng, năm / Date, month, year: {_dmy(card.issued)}", 5.8,
           max_mm=50.0)
    c.text(27.0, 16.2, "CỤC TRƯỞNG CỤC CẢNH SÁT", 5.6, bold=True, anchor="ms")
    c.text(27.0, 19.0, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", 5.6, bold=True, anchor="ms",
           max_mm=48.0)
    c.text(27.0, 21.6, "DIRECTOR GENERAL OF THE POLICE DEPARTMENT", 4.2, anchor="ms",
           max_mm=48.0)
    c.text(27.0, 23.8, "FOR ADMINISTRATIVE MANAGEMENT OF SOCIAL ORDER", 4.2, anchor="ms",
           max_mm=48.0)
    _seal_and_signature(c, 27.0, 29.5, rng)
    c.text(27.0, 36.6, card.director, 6.2, bold=True, anchor="ms")
    _fingerprints(c, 55.0, 13.0)
    _mrz(c, card)


def _front_2024(c: _CardCanvas, card: Card, rng: random.Random) -> None:
    h = card.holder
    _emblem(c, 10.5, 9.5, 6.5)
    _header(c, "CĂN CƯỚC", "IDENTITY CARD", 43.0, 48.0)
    _qr(c, card.qr_payload, 67.6, 1.2, 17.0)
    _photo(c, (3.0, 19.0, 21.0, 43.0))
    x = 23.0
    c.text(x, 21.8, "Số định danh cá nhân / Personal identification number:", 5.4, max_mm=61.0)
    c.text(x + 3.0, 26.2, h.id_number, 10.0, bold=True)
    c.text(x, 30.0, "Họ, chữ đệm và tên khai sinh / Full name:", 5.4, max_mm=61.0)
    c.text(x + 3.0, 33.6, h.name.upper(), 8.0, bold=True, max_mm=58.0)
    _label_value(c, x, 37.6, "Ngày, tháng, năm sinh / Date of birth:", _dmy(h.birth))
    end = c.text(x, 41.4, "Giới tính / Sex:", 5.6)
    end = c.text(end + 1.0, 41.4, h.gender, 7.0)
    _label_value(c, max(end + 4.0, 48.0), 41.4, "Quốc tịch / Nationality:", "Việt Nam")


def _back_2024(c: _CardCanvas, card: Card, rng: random.Random) -> None:
    h = card.holder
    end = c.text(3.0, 4.5, "Nơi cư trú / Place of residence:", 5.6)
    y = c.wrapped(3.0, 4.5, h.residence, 7.0, 64.0, 3.3, first_width_mm=67.0 - end,
                  first_x=end + 1.0)
    y = max(y, 11.0) + 0.6
    end = c.text(3.0, y, "Nơi đăng ký khai sinh / Place of birth:", 5.6)
    c.wrapped(3.0, y, h.birth_place, 7.0, 64.0, 3.3, first_width_mm=67.0 - end,
              first_x=end + 1.0)
    _label_value(c, 3.0, 22.5, "Ngày, tháng, năm cấp / Date of issue:", _dmy(card.issued))
    _label_value(c, 3.0, 26.0, "Ngày, tháng, năm hết hạn / Date of expiry:", _dmy(card.expires))
    c.text(50.0, 30.6, "BỘ CÔNG AN", 6.0, bold=True, anchor="ms")
    c.text(50.0, 33.2, "MINISTRY OF PUBLIC SECURITY", 4.6, anchor="ms")
    _seal_and_signature(c, 50.0, 35.5, rng)
    _chip(c, 71.0, 3.0)
    _mrz(c, card)


_SIDES = {
    ("cccd_2021", "front"): _front_2021, ("cccd_2021", "back"): _back_2021,
    ("can_cuoc_2024", "front"): _front_2024, ("can_cuoc_2024", "back"): _back_2024,
}


def render_card(card: Card, side: Literal["front", "back"], dpi: int = 600,
                font: str = "NotoSans", seed: int = 0) -> Image.Image:
    """One side of a card alone (RGB, white around the rounded corners), at `dpi`."""
    k = dpi / 25.4
    img = Image.new("RGB", (round(CARD_MM[0] * k), round(CARD_MM[1] * k)), (255, 255, 255))
    canvas = _CardCanvas(img, (0.0, 0.0), k, font)
    rng = random.Random(seed)
    _background(canvas, rng)
    _SIDES[(card.kind, side)](canvas, card, rng)
    return img


def render_photocopy(card: Card, dpi: int = 300, scale: float = 1.0, font: str = "NotoSans",
                     seed: int = 0) -> Image.Image:
    """The A4 photocopy citizens hand in: front on the upper half, back on the lower half.

    `scale` is the copier's enlargement (desks often copy cards at 100–150 %). The
    result is greyscale, because photocopies are; the dossier's scan quality is
    applied afterwards by `degrade.make_scan`.
    """
    k = dpi / 25.4
    page = Image.new("RGB", (round(A4_MM[0] * k), round(A4_MM[1] * k)), (255, 255, 255))
    rng = random.Random(seed)
    w, h = CARD_MM[0] * scale, CARD_MM[1] * scale
    for i, side in enumerate(("front", "back")):
        x = (A4_MM[0] - w) / 2 + rng.uniform(-8, 8)
        y = A4_MM[1] * (0.25 + 0.5 * i) - h / 2 + rng.uniform(-10, 10)
        canvas = _CardCanvas(page, (x * k, y * k), k * scale, font)
        side_rng = random.Random(seed * 2 + i)
        _background(canvas, side_rng)
        _SIDES[(card.kind, side)](canvas, card, side_rng)
    return page.convert("L")


def save_card_sides(card: Card, folder: Path, dpi: int = 600) -> list[Path]:
    """Write front and back as PNG (handy for eyeballing a layout)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for side in ("front", "back"):
        path = folder / f"{card.holder.id_number}-{side}.png"
        render_card(card, side, dpi).save(path)  # type: ignore[arg-type]
        out.append(path)
    return out
