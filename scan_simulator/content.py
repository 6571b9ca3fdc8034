"""Fictitious but realistic Vietnamese administrative page text.

Everything is drawn from a `random.Random` so a seed always yields the same
page: tests and benchmarks can regenerate the ground truth instead of storing
it. The wording follows the civil-status and business-registration form
templates (Thông tư 04/2020/TT-BTP and similar), so OCR sees the same labels,
diacritics and digit runs it will meet at a reception desk. Every person,
number and address is invented.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Style = Literal["header", "motto", "title", "subtitle", "body", "heading", "sign", "columns"]

NATIONAL_HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Mai",
)
MIDDLE_NAMES = {
    "Nam": ("Văn", "Minh", "Hữu", "Đức", "Quốc", "Gia", "Thành", "Công", "Tuấn", "Hoàng"),
    "Nữ": ("Thị", "Ngọc", "Thanh", "Thu", "Hoài", "Bảo", "Mỹ", "Khánh", "Phương", "Diệu"),
}
GIVEN_NAMES = {
    "Nam": ("Khang", "An", "Bình", "Dũng", "Quân", "Tuấn", "Trường", "Hiếu", "Lộc", "Phúc",
            "Đạt", "Hùng", "Khoa", "Nghĩa", "Thắng", "Việt", "Sơn", "Long", "Huy", "Đông"),
    "Nữ": ("Lan", "Hương", "Hạnh", "Phương", "Thảo", "Vy", "Yến", "Nhung", "Ngân", "Châu",
           "Trang", "Linh", "Huyền", "Loan", "Diệp", "Uyên", "Quỳnh", "Nguyệt", "Hằng", "Mai"),
}

# (province as written in an address, 3-digit identity-number prefix)
PROVINCES = (
    ("Thành phố Hà Nội", "001"), ("Thành phố Hồ Chí Minh", "079"),
    ("Thành phố Hải Phòng", "031"), ("Thành phố Đà Nẵng", "048"),
    ("Thành phố Cần Thơ", "092"), ("Thành phố Huế", "046"), ("tỉnh Nghệ An", "040"),
    ("tỉnh Thanh Hóa", "038"), ("tỉnh Quảng Ninh", "022"), ("tỉnh Lâm Đồng", "068"),
    ("tỉnh Đắk Lắk", "066"), ("tỉnh Khánh Hòa", "056"), ("tỉnh An Giang", "089"),
    ("tỉnh Đồng Tháp", "087"), ("tỉnh Bắc Ninh", "027"), ("tỉnh Thái Nguyên", "019"),
)
COMMUNES = (
    "phường Hoàn Kiếm", "phường Ba Đình", "xã Tân Phú", "xã Phước Hòa", "phường Bến Thành",
    "phường Thủy Xuân", "xã Quỳnh Lưu", "xã Yên Thế", "phường Cẩm Phả", "xã Long Điền",
    "phường Ninh Kiều", "xã Đông Hưng", "phường Hải Châu", "xã Nghĩa Đàn", "xã Krông Pắc",
    "phường Xuân Hương", "xã Châu Thành", "phường Vĩnh Yên", "xã Hòa Vang", "phường Đống Đa",
)
STREETS = (
    "Trần Phú", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
    "Phan Đình Phùng", "Hùng Vương", "Điện Biên Phủ", "Nguyễn Trãi", "Võ Thị Sáu",
)
VILLAGES = ("thôn Đông Hòa", "thôn Phú Lộc", "ấp Bình Thạnh", "bản Nà Lầu", "xóm Trại",
            "tổ dân phố số 7", "khu phố 3", "thôn Thượng Đồng")
HOSPITALS = ("Bệnh viện Phụ sản", "Bệnh viện Đa khoa", "Trung tâm Y tế", "Bệnh viện Sản Nhi")
ETHNICITIES = ("Kinh", "Kinh", "Kinh", "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng")
TRADES = (
    "Bán lẻ lương thực, thực phẩm, đồ uống trong các cửa hàng chuyên doanh",
    "Dịch vụ ăn uống, bán cà phê, nước giải khát",
    "Sửa chữa xe có động cơ, mô tô và xe máy",
    "Cắt tóc, làm đầu, gội đầu",
    "Bán lẻ hàng may mặc, giày dép trong các cửa hàng chuyên doanh",
    "May trang phục (trừ trang phục từ da lông thú)",
)
SHOP_KINDS = ("TẠP HÓA", "CÀ PHÊ", "SỬA XE", "SALON TÓC", "THỜI TRANG", "MAY MẶC")

TITLES = {
    "to_khai_khai_sinh": "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "giay_chung_sinh": "GIẤY CHỨNG SINH",
    "to_khai_ket_hon": "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
    "to_khai_xac_nhan_hon_nhan": "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "giay_de_nghi_ho_kinh_doanh": "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
    "giay_uy_quyen": "GIẤY ỦY QUYỀN",
}
DOC_TYPES: tuple[str, ...] = tuple(TITLES)


def nfc(text: str) -> str:
    """NFC, the form the pipeline promises, so ground truth never differs by normalisation."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class Line:
    """One logical line; `right` is only used by the two-column signature style."""

    text: str
    style: Style = "body"
    right: str = ""


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page's content: its document type id (contract.md), title and lines in reading order."""

    doc_type: str
    title: str
    lines: tuple[Line, ...]


@dataclass(slots=True)
class Person:
    """A fictitious citizen; fields are pre-formatted the way forms print them."""

    name: str
    gender: str
    birth: str  # dd/mm/yyyy
    year: int
    id_number: str
    ethnicity: str
    address: str
    hometown: str
    phone: str = field(default="")


# ---------------------------------------------------------------- primitives


def person_name(rng: random.Random, gender: str, family: str | None = None) -> str:
    """A full name: family + one or two middle names + given name."""
    middles = [rng.choice(MIDDLE_NAMES[gender])]
    if rng.random() < 0.25:
        middles.append(rng.choice(MIDDLE_NAMES[gender]))
    return " ".join([family or rng.choice(FAMILY_NAMES), *middles, rng.choice(GIVEN_NAMES[gender])])


def date_ddmmyyyy(rng: random.Random, year_lo: int, year_hi: int) -> tuple[str, int]:
    """A valid date (day ≤ 28 keeps every month valid) and its year."""
    year = rng.randint(year_lo, year_hi)
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}", year


def identity_number(rng: random.Random, province_code: str, gender: str, year: int) -> str:
    """12 digits laid out like a real personal identity number: province, sex/century, year."""
    century = 0 if year < 2000 else 2
    sex = century + (0 if gender == "Nam" else 1)
    return f"{province_code}{sex}{year % 100:02d}{rng.randint(0, 999_999):06d}"


def address(rng: random.Random, province: str | None = None) -> tuple[str, str]:
    """A street or village address, commune and province; also returns the province name."""
    prov = province or rng.choice(PROVINCES)[0]
    commune = rng.choice(COMMUNES)
    if rng.random() < 0.5:
        lane = f", ngõ {rng.randint(2, 199)}" if rng.random() < 0.5 else ""
        street = f"Số {rng.randint(1, 250)}{lane}, đường {rng.choice(STREETS)}"
    else:
        village = rng.choice(VILLAGES)
        street = village[0].upper() + village[1:]
    return f"{street}, {commune}, {prov}", prov


def phone(rng: random.Random) -> str:
    """A mobile number in the usual 4-3-3 grouping."""
    return f"09{rng.randint(10, 99)} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"


def make_person(rng: random.Random, gender: str | None = None, year_lo: int = 1960,
                year_hi: int = 2003, family: str | None = None) -> Person:
    """A complete fictitious adult with consistent identity number and birth year."""
    gender = gender or rng.choice(("Nam", "Nữ"))
    birth, year = date_ddmmyyyy(rng, year_lo, year_hi)
    province, code = rng.choice(PROVINCES)
    addr, _ = address(rng, province)
    return Person(
        name=person_name(rng, gender, family), gender=gender, birth=birth, year=year,
        id_number=identity_number(rng, code, gender, year), ethnicity=rng.choice(ETHNICITIES),
        address=addr, hometown=f"{rng.choice(COMMUNES)}, {rng.choice(PROVINCES)[0]}",
        phone=phone(rng),
    )


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _hundreds_words(n: int) -> str:
    """Vietnamese words for 1..999 (enough for amounts in millions of đồng)."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    parts: list[str] = []
    if h:
        parts += [_DIGITS[h], "trăm"]
    if t > 1:
        parts += [_DIGITS[t], "mươi"]
    elif t == 1:
        parts.append("mười")
    elif u and h:
        parts.append("linh")
    if u:
        parts.append("lăm" if u == 5 and t else "mốt" if u == 1 and t > 1 else _DIGITS[u])
    return " ".join(parts)


def millions_in_words(millions: int) -> str:
    """'Một trăm năm mươi triệu đồng' for 150: amounts on business forms are written out too."""
    words = _hundreds_words(millions) + " triệu đồng"
    return words[0].upper() + words[1:]


def money(millions: int) -> str:
    """150 → '150.000.000' (Vietnamese thousands separator)."""
    return f"{millions * 1_000_000:,}".replace(",", ".")


# ---------------------------------------------------------------- page parts


def _header() -> list[Line]:
    return [Line(NATIONAL_HEADER, "header"), Line(MOTTO, "motto")]


def _addressee(rng: random.Random) -> tuple[Line, str, str]:
    commune = rng.choice(COMMUNES)
    province = rng.choice(PROVINCES)[0]
    return Line(f"Kính gửi: Ủy ban nhân dân {commune}, {province}"), commune, province


def _place_name(unit: str) -> str:
    """'Thành phố Cần Thơ' → 'Cần Thơ', 'phường Ba Đình' → 'Ba Đình' (as dates are headed)."""
    for prefix in ("Thành phố ", "tỉnh ", "phường ", "xã "):
        if unit.startswith(prefix):
            return unit[len(prefix):]
    return unit


def _dated_place(rng: random.Random, commune: str) -> str:
    """'Ba Đình, ngày 05 tháng 11 năm 2025': where and when the form was signed."""
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice((2024, 2025))
    return f"{_place_name(commune)}, ngày {day:02d} tháng {month:02d} năm {year}"


def _signature(rng: random.Random, commune: str, role: str, name: str) -> list[Line]:
    dated = _dated_place(rng, commune)
    return [
        Line(f"Làm tại: {dated}", "sign"),
        Line(role, "sign"),
        Line("(Ký, ghi rõ họ, chữ đệm, tên)", "sign"),
        Line(name, "sign"),
    ]


def _id_paper(p: Person) -> str:
    return f"Giấy tờ tùy thân: Căn cước số {p.id_number}"


def _promise(plural: bool = False) -> list[Line]:
    who = "Chúng tôi" if plural else "Tôi"
    return [
        Line(f"{who} cam đoan những nội dung khai trên đây là đúng sự thật, được sự thỏa thuận "
             "nhất trí của các bên liên quan theo quy định pháp luật."),
        Line(f"{who} chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của "
             f"{'chúng tôi' if plural else 'mình'}."),
    ]


def _extra_prose(rng: random.Random) -> list[Line]:
    """Ordinary administrative prose used to lengthen a page to the target line count."""
    choices = [
        "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết theo đúng thời hạn quy định. "
        "Trường hợp hồ sơ chưa đầy đủ, đề nghị hướng dẫn bổ sung một lần bằng văn bản.",
        "Kèm theo tờ khai này là bản sao các giấy tờ có liên quan; bản chính được xuất trình "
        "khi nộp hồ sơ tại Bộ phận tiếp nhận và trả kết quả.",
        "Tôi đề nghị nhận kết quả qua dịch vụ bưu chính công ích theo địa chỉ nơi cư trú "
        "đã khai ở trên và đồng ý thanh toán cước phí theo quy định.",
        "Thông tin cá nhân trong tờ khai được sử dụng để cập nhật vào Cơ sở dữ liệu quốc gia "
        "về dân cư và Cơ sở dữ liệu hộ tịch điện tử.",
    ]
    return [Line(text) for text in rng.sample(choices, k=rng.randint(1, 2))]


# ---------------------------------------------------------------- one builder per form


def _to_khai_khai_sinh(rng: random.Random) -> list[Line]:
    to, commune, _ = _addressee(rng)
    mother = make_person(rng, "Nữ", 1985, 2003)
    father = make_person(rng, "Nam", 1980, 2001)
    gender = rng.choice(("Nam", "Nữ"))
    child = person_name(rng, gender, father.name.split()[0])
    applicant = rng.choice((mother, father))
    birth, _ = date_ddmmyyyy(rng, 2024, 2025)
    hospital = f"{rng.choice(HOSPITALS)} {rng.choice(PROVINCES)[0]}"
    relation = "Mẹ" if applicant is mother else "Cha"
    return [
        to,
        Line(f"Họ, chữ đệm, tên người yêu cầu: {applicant.name}"),
        Line(f"Nơi cư trú: {applicant.address}"),
        Line(_id_paper(applicant)),
        Line(f"Quan hệ với người được khai sinh: {relation}"),
        Line("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"),
        Line(f"Họ, chữ đệm, tên: {child}"),
        Line(f"Ngày, tháng, năm sinh: {birth}"),
        Line(f"Giới tính: {gender}    Dân tộc: {father.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Nơi sinh: {hospital}"),
        Line(f"Quê quán: {father.hometown}"),
        Line(f"Họ, chữ đệm, tên người mẹ: {mother.name}"),
        Line(f"Năm sinh: {mother.year}    Dân tộc: {mother.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Nơi cư trú: {mother.address}"),
        Line(f"Họ, chữ đệm, tên người cha: {father.name}"),
        Line(f"Năm sinh: {father.year}    Dân tộc: {father.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Nơi cư trú: {father.address}"),
        *_promise(),
        *_signature(rng, commune, "Người yêu cầu", applicant.name),
    ]


def _giay_chung_sinh(rng: random.Random) -> list[Line]:
    province, _ = rng.choice(PROVINCES)
    mother = make_person(rng, "Nữ", 1985, 2003)
    gender = rng.choice(("Nam", "Nữ"))
    born, _ = date_ddmmyyyy(rng, 2024, 2025)
    day, month, year = born.split("/")
    hospital = f"{rng.choice(HOSPITALS)} {province}"
    midwife = person_name(rng, rng.choice(("Nam", "Nữ")))
    return [
        Line(f"Số: {rng.randint(1, 9999):04d}/GCS    Quyển số: {rng.randint(1, 40):02d}"),
        Line(f"Cơ sở khám bệnh, chữa bệnh: {hospital}"),
        Line(f"Họ và tên mẹ: {mother.name}"),
        Line(f"Năm sinh: {mother.year}    Dân tộc: {mother.ethnicity}"),
        Line(f"Số định danh cá nhân: {mother.id_number}"),
        Line(f"Nơi đăng ký thường trú: {mother.address}"),
        Line(f"Đã sinh con vào lúc: {rng.randint(0, 23):02d} giờ {rng.randint(0, 59):02d} phút, "
             f"ngày {day} tháng {month} năm {year}"),
        Line(f"Tại: {hospital}"),
        Line(f"Số con trong lần sinh này: {rng.choice((1, 1, 1, 2))}"),
        Line(f"Giới tính của con: {gender}    Cân nặng: {rng.randint(26, 41) / 10:.1f} kg"
             .replace(".", ",")),
        Line("Hiện trạng sức khỏe của con: Bình thường"),
        Line(f"Dự kiến đặt tên con là: {person_name(rng, gender)}"),
        Line(f"Người đỡ đẻ: {midwife}"),
        Line("Giấy chứng sinh này được cấp một lần, dùng để làm thủ tục đăng ký khai sinh cho trẻ "
             "tại cơ quan đăng ký hộ tịch có thẩm quyền."),
        Line("Người thân của trẻ cần giữ gìn cẩn thận, không tẩy xóa, sửa chữa nội dung đã ghi."),
        Line(f"{_place_name(province)}, ngày {day} tháng {month} năm {year}", "sign"),
        Line("Thủ trưởng cơ sở khám bệnh, chữa bệnh", "sign"),
        Line("(Ký, ghi rõ họ tên, đóng dấu)", "sign"),
        Line(person_name(rng, rng.choice(("Nam", "Nữ"))), "sign"),
    ]


def _party(label: str, p: Person) -> list[Line]:
    return [
        Line(label, "heading"),
        Line(f"Họ, chữ đệm, tên: {p.name}"),
        Line(f"Ngày, tháng, năm sinh: {p.birth}"),
        Line(f"Dân tộc: {p.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Nơi cư trú: {p.address}"),
        Line(_id_paper(p)),
        Line("Kết hôn lần thứ mấy: Lần đầu"),
    ]


def _to_khai_ket_hon(rng: random.Random) -> list[Line]:
    to, commune, _ = _addressee(rng)
    bride = make_person(rng, "Nữ", 1988, 2005)
    groom = make_person(rng, "Nam", 1985, 2004)
    dated = _dated_place(rng, commune)
    return [
        to,
        *_party("Thông tin bên nữ", bride),
        *_party("Thông tin bên nam", groom),
        Line("Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng "
             "tôi là tự nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam."),
        Line("Chúng tôi chịu hoàn toàn trách nhiệm trước pháp luật về lời cam đoan của mình."),
        Line(f"Làm tại: {dated}", "sign"),
        Line("Bên nữ", "columns", "Bên nam"),
        Line("(Ký, ghi rõ họ, chữ đệm, tên)", "columns", "(Ký, ghi rõ họ, chữ đệm, tên)"),
        Line(bride.name, "columns", groom.name),
    ]


def _to_khai_xac_nhan_hon_nhan(rng: random.Random) -> list[Line]:
    to, commune, _ = _addressee(rng)
    p = make_person(rng)
    since = rng.randint(max(p.year + 18, 2008), max(p.year + 18, 2020))
    status = rng.choice((
        "Hiện tại chưa đăng ký kết hôn với ai",
        "Đã đăng ký kết hôn, nhưng đã ly hôn theo bản án của Tòa án nhân dân",
    ))
    purpose = rng.choice(("Để đăng ký kết hôn", "Để bổ sung hồ sơ vay vốn ngân hàng",
                          "Để làm thủ tục mua bán nhà đất"))
    return [
        to,
        Line(f"Họ, chữ đệm, tên người yêu cầu: {p.name}"),
        Line(f"Nơi cư trú: {p.address}"),
        Line(_id_paper(p)),
        Line("Quan hệ với người được cấp Giấy xác nhận tình trạng hôn nhân: Bản thân"),
        Line("Đề nghị cấp Giấy xác nhận tình trạng hôn nhân cho người có tên dưới đây:"),
        Line(f"Họ, chữ đệm, tên: {p.name}"),
        Line(f"Ngày, tháng, năm sinh: {p.birth}"),
        Line(f"Giới tính: {p.gender}    Dân tộc: {p.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Số định danh cá nhân: {p.id_number}"),
        Line(f"Nơi cư trú: {p.address}"),
        Line(f"Trong thời gian cư trú tại {commune} từ năm {since} đến nay."),
        Line(f"Tình trạng hôn nhân: {status}."),
        Line(f"Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân: {purpose}."),
        *_promise(),
        *_signature(rng, commune, "Người yêu cầu", p.name),
    ]


def _giay_de_nghi_ho_kinh_doanh(rng: random.Random) -> list[Line]:
    to, commune, _ = _addressee(rng)
    p = make_person(rng, year_lo=1965, year_hi=2000)
    shop = f"HỘ KINH DOANH {rng.choice(SHOP_KINDS)} {p.name.split()[-1].upper()}"
    premises, _ = address(rng)
    millions = rng.randint(5, 90) * 10
    return [
        to,
        Line(f"Tôi là: {p.name.upper()}"),
        Line(f"Ngày sinh: {p.birth}    Giới tính: {p.gender}    Dân tộc: {p.ethnicity}"),
        Line(f"Số định danh cá nhân: {p.id_number}"),
        Line(f"Địa chỉ liên lạc: {p.address}"),
        Line(f"Điện thoại: {p.phone}"),
        Line("Đăng ký hộ kinh doanh do tôi là chủ hộ với các nội dung sau:"),
        Line(f"1. Tên hộ kinh doanh: {shop}"),
        Line(f"2. Địa chỉ trụ sở hộ kinh doanh: {premises}"),
        Line(f"3. Ngành, nghề kinh doanh: {rng.choice(TRADES)}"),
        Line(f"4. Vốn kinh doanh: {money(millions)} đồng"),
        Line(f"(Bằng chữ: {millions_in_words(millions)})"),
        Line(f"5. Số lượng lao động: {rng.randint(1, 9)} người"),
        Line("Tôi cam kết bản thân không thuộc diện bị cấm thành lập hộ kinh doanh; trụ sở hộ "
             "kinh doanh thuộc quyền sử dụng hợp pháp của tôi."),
        Line("Tôi chịu trách nhiệm trước pháp luật về tính hợp pháp, chính xác và trung thực "
             "của nội dung Giấy đề nghị này."),
        *_signature(rng, commune, "Chủ hộ kinh doanh", p.name),
    ]


def _uy_quyen_party(label: str, p: Person) -> list[Line]:
    return [
        Line(label, "heading"),
        Line(f"Họ và tên: {p.name}    Ngày sinh: {p.birth}"),
        Line(f"Số định danh cá nhân: {p.id_number}"),
        Line(f"Nơi cư trú: {p.address}"),
    ]


def _giay_uy_quyen(rng: random.Random) -> list[Line]:
    _, commune, province = _addressee(rng)
    a = make_person(rng)
    b = make_person(rng, family=a.name.split()[0])
    dated = _dated_place(rng, commune)
    task = rng.choice((
        "nộp hồ sơ và nhận kết quả đăng ký khai sinh",
        "nộp hồ sơ và nhận Giấy xác nhận tình trạng hôn nhân",
        "nộp hồ sơ và nhận Giấy chứng nhận đăng ký hộ kinh doanh",
    ))
    return [
        Line("Căn cứ Bộ luật Dân sự ngày 24 tháng 11 năm 2015;"),
        Line(f"Hôm nay, {dated.split(', ', 1)[1]}, tại {commune}, {province}, chúng tôi gồm:"),
        *_uy_quyen_party("I. BÊN ỦY QUYỀN (Bên A):", a),
        *_uy_quyen_party("II. BÊN ĐƯỢC ỦY QUYỀN (Bên B):", b),
        Line("III. NỘI DUNG ỦY QUYỀN:", "heading"),
        Line(f"Bên A ủy quyền cho Bên B thay mặt Bên A {task} tại Ủy ban nhân dân {commune}."),
        Line("IV. THỜI HẠN ỦY QUYỀN: Kể từ ngày ký đến khi hoàn thành công việc được ủy quyền."),
        Line("Bên B thực hiện công việc trong phạm vi được ủy quyền và không được ủy quyền lại "
             "cho người khác. Bên A chịu trách nhiệm về công việc do Bên B thực hiện."),
        Line("Giấy ủy quyền này được lập thành 02 bản, mỗi bên giữ 01 bản, có giá trị pháp lý "
             "như nhau."),
        Line("BÊN ỦY QUYỀN", "columns", "BÊN ĐƯỢC ỦY QUYỀN"),
        Line("(Ký, ghi rõ họ tên)", "columns", "(Ký, ghi rõ họ tên)"),
        Line(a.name, "columns", b.name),
    ]


_UY_QUYEN_EXTRA = (
    ("V. QUYỀN VÀ NGHĨA VỤ CỦA BÊN A:", (
        "Bên A có nghĩa vụ cung cấp đầy đủ thông tin, giấy tờ cần thiết để Bên B thực hiện "
        "công việc; chịu trách nhiệm về tính chính xác của các giấy tờ đã cung cấp.",
        "Bên A có quyền yêu cầu Bên B thông báo đầy đủ về việc thực hiện công việc ủy quyền "
        "và giao lại kết quả ngay sau khi nhận.",
    )),
    ("VI. QUYỀN VÀ NGHĨA VỤ CỦA BÊN B:", (
        "Bên B thực hiện công việc theo đúng nội dung ủy quyền, báo cho Bên A về việc thực hiện "
        "công việc đó; bảo quản, giữ gìn tài liệu và phương tiện đã được giao.",
        "Bên B không được tiết lộ thông tin cá nhân của Bên A cho người khác, trừ trường hợp "
        "pháp luật có quy định khác.",
    )),
    ("VII. CAM KẾT CỦA CÁC BÊN:", (
        "Hai bên cam kết chịu trách nhiệm trước pháp luật về mọi thông tin ghi trong Giấy ủy "
        "quyền này. Mọi tranh chấp phát sinh do hai bên tự giải quyết; nếu không giải quyết "
        "được thì yêu cầu Tòa án nhân dân có thẩm quyền giải quyết theo quy định.",
        "Việc ủy quyền này không trái pháp luật, không trái đạo đức xã hội và được lập trên "
        "tinh thần tự nguyện của hai bên.",
    )),
)

_BUILDERS: dict[str, Callable[[random.Random], list[Line]]] = {
    "to_khai_khai_sinh": _to_khai_khai_sinh,
    "giay_chung_sinh": _giay_chung_sinh,
    "to_khai_ket_hon": _to_khai_ket_hon,
    "to_khai_xac_nhan_hon_nhan": _to_khai_xac_nhan_hon_nhan,
    "giay_de_nghi_ho_kinh_doanh": _giay_de_nghi_ho_kinh_doanh,
    "giay_uy_quyen": _giay_uy_quyen,
}


def _extend(rng: random.Random, doc_type: str, body: list[Line]) -> list[Line]:
    """Insert longer clauses before the signature block, to make a document span two pages."""
    cut = next(i for i, ln in enumerate(body) if ln.style in ("sign", "columns"))
    extra: list[Line] = []
    if doc_type == "giay_uy_quyen":
        for heading, paras in _UY_QUYEN_EXTRA:
            extra += [Line(heading, "heading"), *(Line(p) for p in paras)]
    extra += _extra_prose(rng) * 2
    return body[:cut] + extra + body[cut:]


def make_page(rng: random.Random, doc_type: str | None = None, long: bool = False) -> PageSpec:
    """A page of the given (or a random) document type.

    The page has about 25–35 printed lines once prose paragraphs wrap at 12.5–14 pt;
    `long=True` adds clauses so that the document needs two pages (multi-page samples).
    """
    doc_type = doc_type or rng.choice(DOC_TYPES)
    if doc_type not in _BUILDERS:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {DOC_TYPES}")
    title = TITLES[doc_type]
    body = _BUILDERS[doc_type](rng)
    if rng.random() < 0.5 and doc_type not in ("to_khai_ket_hon", "giay_uy_quyen"):
        cut = next(i for i, ln in enumerate(body) if ln.style == "sign")
        body = body[:cut] + _extra_prose(rng)[:1] + body[cut:]
    if long:
        body = _extend(rng, doc_type, body)
    lines = [*_header(), Line(title, "title"), *body]
    return PageSpec(
        doc_type=doc_type,
        title=nfc(title),
        lines=tuple(Line(nfc(ln.text), ln.style, nfc(ln.right)) for ln in lines),
    )
