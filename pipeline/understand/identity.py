"""Check a 12-digit personal identification number (số định danh cá nhân) against itself.

The number is not random: Thông tư 07/2016/TT-BCA lays it out as

* digits 1–3: code of the province where the birth was registered (Phụ lục I);
* digit 4: sex and century of birth — 0/1 male/female born 1900–1999,
  2/3 born 2000–2099, 4/5 born 2100–2199, 6/7 born 2200–2299, 8/9 born 2300–2399;
* digits 5–6: the last two digits of the year of birth;
* digits 7–12: a random serial.

So a misread digit, or a number copied onto the wrong person, very often
contradicts the date of birth or sex printed beside it. The checks return
problems (kind + Vietnamese message) rather than raising: the reception desk
shows them to the officer, who decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from pipeline.understand.normalise import nfc

__all__ = [
    "NUMBER_REPAIRED",
    "CccdNumber",
    "Problem",
    "decode_cccd",
    "province_of",
    "provinces",
    "validate_cccd",
]

NUMBER_REPAIRED = "so_dinh_danh_da_sua"
"""Problem kind of a number taken other than as read (a slip, a glued speck): the note
shows both, for the officer to compare with the paper."""
PROVINCES_FILE = Path(__file__).with_name("data") / "provinces_07_2016.yaml"

# digit 4 → (first year of the century, sex)
_CENTURY_SEX = {
    0: (1900, "Nam"), 1: (1900, "Nữ"), 2: (2000, "Nam"), 3: (2000, "Nữ"),
    4: (2100, "Nam"), 5: (2100, "Nữ"), 6: (2200, "Nam"), 7: (2200, "Nữ"),
    8: (2300, "Nam"), 9: (2300, "Nữ"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the officer must look at: a stable ``kind`` id and a Vietnamese message."""

    kind: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True, slots=True)
class CccdNumber:
    """What the digits of a 12-digit number say about its holder."""

    number: str
    province_code: str
    province: str | None
    gender: str
    century_start: int
    year_two_digits: str

    @property
    def birth_year(self) -> int:
        return self.century_start + int(self.year_two_digits)


@cache
def provinces() -> dict[str, str]:
    """Province code → name, from the Circular's table shipped as data."""
    data = yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))
    return {str(code): nfc(name) for code, name in data["codes"].items()}


def _digits_only(number: str) -> str:
    return re.sub(r"[\s.\-]", "", number or "")


def province_of(number: str) -> str | None:
    """Province where the holder's birth was registered, or None for an unknown code."""
    digits = _digits_only(number)
    if len(digits) < 3 or not digits[:3].isdigit():
        return None
    return provinces().get(digits[:3])


def decode_cccd(number: str) -> CccdNumber | None:
    """The parts of a well-formed 12-digit number; None when it is not 12 digits."""
    digits = _digits_only(number)
    if not re.fullmatch(r"\d{12}", digits):
        return None
    century, gender = _CENTURY_SEX[int(digits[3])]
    return CccdNumber(
        number=digits, province_code=digits[:3], province=provinces().get(digits[:3]),
        gender=gender, century_start=century, year_two_digits=digits[4:6],
    )


def _birth_year(birth_date: str | None) -> int | None:
    m = re.match(r"^(\d{4})-\d{2}-\d{2}$", birth_date or "")
    return int(m.group(1)) if m else None


def validate_cccd(number: str, birth_date: str | None = None,
                  gender: str | None = None) -> list[Problem]:
    """Problems with ``number`` on its own and against the holder's birth date and sex.

    ``birth_date`` is ISO (YYYY-MM-DD) and ``gender`` 'Nam' or 'Nữ', as the
    normalisers produce them; either may be None when it was not read. An empty
    list means the number is consistent.
    """
    digits = _digits_only(number)
    if not digits.isdigit():
        return [Problem("so_dinh_danh_khong_phai_so",
                        f"Số định danh cá nhân «{number}» có ký tự không phải chữ số.")]
    if len(digits) != 12:
        return [Problem("so_dinh_danh_sai_do_dai",
                        f"Số định danh cá nhân «{digits}» có {len(digits)} chữ số, "
                        "phải có đúng 12 chữ số.")]
    info = decode_cccd(digits)
    assert info is not None  # 12 digits checked above
    problems: list[Problem] = []
    if info.province is None:
        problems.append(Problem(
            "ma_tinh_khong_hop_le",
            f"Ba chữ số đầu «{info.province_code}» của số định danh {digits} không phải mã "
            "tỉnh, thành phố nơi đăng ký khai sinh (Thông tư 07/2016/TT-BCA).",
        ))
    if info.birth_year > date.today().year:
        problems.append(Problem(
            "nam_sinh_khong_hop_le",
            f"Chữ số thứ tư đến thứ sáu ({digits[3:6]}) của số định danh {digits} ứng với năm "
            f"sinh {info.birth_year}, chưa tới: số có thể bị "
            "đọc hoặc ghi sai.",
        ))
    if gender in ("Nam", "Nữ") and gender != info.gender:
        problems.append(Problem(
            "gioi_tinh_the_ky_khong_khop",
            f"Chữ số thứ tư ({digits[3]}) của số định danh {digits} ứng với giới tính "
            f"{info.gender}, nhưng giấy tờ ghi giới tính {gender}.",
        ))
    year = _birth_year(birth_date)
    if year is not None:
        if not info.century_start <= year < info.century_start + 100:
            problems.append(Problem(
                "gioi_tinh_the_ky_khong_khop",
                f"Chữ số thứ tư ({digits[3]}) của số định danh {digits} ứng với người sinh "
                f"từ năm {info.century_start} đến {info.century_start + 99}, nhưng năm sinh "
                f"là {year}.",
            ))
        if info.year_two_digits != f"{year % 100:02d}":
            problems.append(Problem(
                "nam_sinh_khong_khop",
                f"Chữ số thứ năm và sáu ({info.year_two_digits}) của số định danh {digits} "
                f"phải là hai số cuối của năm sinh {year} ({year % 100:02d}).",
            ))
    return problems
