"""Whole generated dossiers: the papers of one procedure as a reception desk scans them.

`content.make_page` invents a new person for every page, but a dossier must be
about the same people throughout (the mother on the giấy chứng sinh is the
mother on the tờ khai; the requester's number on the tờ khai is the number on
the card). So the forms here are built from one cast of `cards.Citizen`s,
reusing `content`'s wording so the pages read like the single-page samples,
and every value that ends up in the ground truth is the value printed.

`make_dossier` returns the scanned pages and a `truth.DossierTruth`;
`write_dossier` saves them as a folder with `truth.json`.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import Image

from models.catalog import Catalog, load_catalog
from scan_simulator import content as ct
from scan_simulator.cards import Citizen, make_card, make_citizen, render_photocopy
from scan_simulator.content import Line, PageSpec, nfc
from scan_simulator.degrade import Dpi, make_scan, quarter_turn, save
from scan_simulator.render import render_document
from scan_simulator.truth import DocumentTruth, DossierTruth, Link, PageTruth, Place, Problem

QUALITIES: tuple[str, ...] = ("clean", "office", "photocopy", "photo")
CONTRACT_PROCEDURES: tuple[str, ...] = ("1.001193", "1.000894", "1.004873", "1.001612")
Layout = Literal["stack", "files"]
Mention = tuple[str, str, str]  # (person role, attribute, field id)

ROLE_LABELS = {"mother": "người mẹ", "father": "người cha", "child": "trẻ được khai sinh",
               "bride": "bên nữ", "groom": "bên nam", "requester": "người yêu cầu",
               "owner": "chủ hộ kinh doanh"}
ATTRIBUTE_LABELS = {"name": "Họ tên", "number": "Số định danh cá nhân", "birth": "Ngày sinh"}
_FONTS = ("NotoSerif", "DejaVuSerif")


@dataclass(slots=True)
class ScanFile:
    """One file of the dossier: its name, its pages and the dpi to record."""

    name: str
    images: list[Image.Image]
    dpi: Dpi | None


@dataclass(slots=True)
class Dossier:
    """The files (in feeding order) and what a perfect verdict would say about them."""

    files: list[ScanFile]
    truth: DossierTruth


@dataclass(slots=True)
class _Built:
    """A form's printed lines, the fields in the truth and whose facts they state."""

    lines: list[Line]
    fields: dict[str, str]
    mentions: list[Mention] = field(default_factory=list)


@dataclass(slots=True)
class _Cast:
    """The people and shared facts of one dossier."""

    people: dict[str, Citizen]
    on: date  # reception day
    commune: str  # the receiving commune
    province: str
    child_name: str = ""
    child_gender: str = ""
    child_birth: date | None = None
    birth_place: str = ""
    requester: str = "requester"


@dataclass(slots=True)
class _Doc:
    """A planned document: its type, whose it is and the seed that builds it."""

    type: str
    role: str
    seed: int
    long: bool = False


# ---------------------------------------------------------------- formatting


def _dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _words_date(d: date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _signing_day(rng: random.Random, cast: _Cast) -> date:
    """Forms are signed on the reception day or a few days before."""
    return cast.on - timedelta(days=rng.choice((0, 0, 1, 2, 3, 7)))


def _signature(cast: _Cast, signed: date, role: str, name: str) -> list[Line]:
    return [
        Line(f"Làm tại: {ct._place_name(cast.commune)}, {_words_date(signed)}", "sign"),
        Line(role, "sign"),
        Line("(Ký, ghi rõ họ, chữ đệm, tên)", "sign"),
        Line(name, "sign"),
    ]


def _addressee(cast: _Cast) -> Line:
    return Line(f"Kính gửi: Ủy ban nhân dân {cast.commune}, {cast.province}")


def _id_paper(p: Citizen) -> str:
    return f"Giấy tờ tùy thân: Căn cước số {p.id_number}"


# ---------------------------------------------------------------- the forms


def _to_khai_khai_sinh(rng: random.Random, cast: _Cast, people: dict[str, Citizen]) -> _Built:
    mother, father = people["mother"], people["father"]
    req_role = cast.requester
    applicant = people[req_role]
    assert cast.child_birth is not None
    signed = _signing_day(rng, cast)
    lines = [
        _addressee(cast),
        Line(f"Họ, chữ đệm, tên người yêu cầu: {applicant.name}"),
        Line(f"Nơi cư trú: {applicant.residence}"),
        Line(_id_paper(applicant)),
        Line(f"Quan hệ với người được khai sinh: {'Mẹ' if req_role == 'mother' else 'Cha'}"),
        Line("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"),
        Line(f"Họ, chữ đệm, tên: {cast.child_name}"),
        Line(f"Ngày, tháng, năm sinh: {_dmy(cast.child_birth)}"),
        Line(f"Giới tính: {cast.child_gender}    Dân tộc: {father.ethnicity}    "
             "Quốc tịch: Việt Nam"),
        Line(f"Nơi sinh: {cast.birth_place}"),
        Line(f"Quê quán: {father.hometown}"),
        Line(f"Họ, chữ đệm, tên người mẹ: {mother.name}"),
        Line(f"Năm sinh: {mother.birth.year}    Dân tộc: {mother.ethnicity}    "
             "Quốc tịch: Việt Nam"),
        Line(f"Nơi cư trú: {mother.residence}"),
        Line(f"Họ, chữ đệm, tên người cha: {father.name}"),
        Line(f"Năm sinh: {father.birth.year}    Dân tộc: {father.ethnicity}    "
             "Quốc tịch: Việt Nam"),
        Line(f"Nơi cư trú: {father.residence}"),
        *ct._promise(),
        *_signature(cast, signed, "Người yêu cầu", applicant.name),
    ]
    fields = {
        "nguoi_yeu_cau_ho_ten": applicant.name, "nguoi_yeu_cau_so_giay_to": applicant.id_number,
        "ho_ten": cast.child_name, "ngay_sinh": cast.child_birth.isoformat(),
        "gioi_tinh": cast.child_gender, "noi_sinh": cast.birth_place, "me_ho_ten": mother.name,
        "cha_ho_ten": father.name, "ngay_lam_don": signed.isoformat(),
    }
    mentions = [(req_role, "name", "nguoi_yeu_cau_ho_ten"),
                (req_role, "number", "nguoi_yeu_cau_so_giay_to"),
                ("mother", "name", "me_ho_ten"), ("father", "name", "cha_ho_ten"),
                ("child", "birth", "ngay_sinh")]
    return _Built(lines, fields, mentions)


def _giay_chung_sinh(rng: random.Random, cast: _Cast, people: dict[str, Citizen]) -> _Built:
    mother = people["mother"]
    born = cast.child_birth
    assert born is not None
    issued = born + timedelta(days=rng.randint(1, 4))
    lines = [
        Line(f"Số: {rng.randint(1, 9999):04d}/GCS    Quyển số: {rng.randint(1, 40):02d}"),
        Line(f"Cơ sở khám bệnh, chữa bệnh: {cast.birth_place}"),
        Line(f"Họ và tên mẹ: {mother.name}"),
        Line(f"Năm sinh: {mother.birth.year}    Dân tộc: {mother.ethnicity}"),
        Line(f"Số định danh cá nhân: {mother.id_number}"),
        Line(f"Nơi đăng ký thường trú: {mother.residence}"),
        Line(f"Đã sinh con vào lúc: {rng.randint(0, 23):02d} giờ {rng.randint(0, 59):02d} phút, "
             f"{_words_date(born)}"),
        Line(f"Tại: {cast.birth_place}"),
        Line(f"Số con trong lần sinh này: {rng.choice((1, 1, 1, 2))}"),
        Line(f"Giới tính của con: {cast.child_gender}    Cân nặng: "
             f"{rng.randint(26, 41) / 10:.1f} kg".replace(".", ",")),
        Line("Hiện trạng sức khỏe của con: Bình thường"),
        Line(f"Dự kiến đặt tên con là: {cast.child_name}"),
        Line(f"Người đỡ đẻ: {ct.person_name(rng, rng.choice(('Nam', 'Nữ')))}"),
        Line("Giấy chứng sinh này được cấp một lần, dùng để làm thủ tục đăng ký khai sinh cho trẻ "
             "tại cơ quan đăng ký hộ tịch có thẩm quyền."),
        Line(f"{ct._place_name(cast.province)}, {_words_date(issued)}", "sign"),
        Line("Thủ trưởng cơ sở khám bệnh, chữa bệnh", "sign"),
        Line("(Ký, ghi rõ họ tên, đóng dấu)", "sign"),
        Line(ct.person_name(rng, rng.choice(("Nam", "Nữ"))), "sign"),
    ]
    fields = {"me_ho_ten": mother.name, "me_so_dinh_danh": mother.id_number,
              "ngay_sinh": born.isoformat(), "gioi_tinh": cast.child_gender,
              "noi_sinh": cast.birth_place, "ten_du_kien": cast.child_name}
    mentions = [("mother", "name", "me_ho_ten"), ("mother", "number", "me_so_dinh_danh"),
                ("child", "birth", "ngay_sinh")]
    return _Built(lines, fields, mentions)


def _party(label: str, p: Citizen) -> list[Line]:
    return [
        Line(label, "heading"),
        Line(f"Họ, chữ đệm, tên: {p.name}"),
        Line(f"Ngày, tháng, năm sinh: {_dmy(p.birth)}"),
        Line(f"Dân tộc: {p.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Nơi cư trú: {p.residence}"),
        Line(_id_paper(p)),
        Line("Kết hôn lần thứ mấy: Lần đầu"),
    ]


def _to_khai_ket_hon(rng: random.Random, cast: _Cast, people: dict[str, Citizen]) -> _Built:
    bride, groom = people["bride"], people["groom"]
    signed = _signing_day(rng, cast)
    lines = [
        _addressee(cast),
        *_party("Thông tin bên nữ", bride),
        *_party("Thông tin bên nam", groom),
        Line("Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng "
             "tôi là tự nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam."),
        Line("Chúng tôi chịu hoàn toàn trách nhiệm trước pháp luật về lời cam đoan của mình."),
        Line(f"Làm tại: {ct._place_name(cast.commune)}, {_words_date(signed)}", "sign"),
        Line("Bên nữ", "columns", "Bên nam"),
        Line("(Ký, ghi rõ họ, chữ đệm, tên)", "columns", "(Ký, ghi rõ họ, chữ đệm, tên)"),
        Line(bride.name, "columns", groom.name),
    ]
    fields = {"ben_nu_ho_ten": bride.name, "ben_nu_ngay_sinh": bride.birth.isoformat(),
              "ben_nu_so_giay_to": bride.id_number, "ben_nam_ho_ten": groom.name,
              "ben_nam_ngay_sinh": groom.birth.isoformat(), "ben_nam_so_giay_to": groom.id_number,
              "ngay_lam_don": signed.isoformat()}
    mentions = [(who, attr, f"ben_{side}_{fid}")
                for who, side in (("bride", "nu"), ("groom", "nam"))
                for attr, fid in (("name", "ho_ten"), ("birth", "ngay_sinh"),
                                  ("number", "so_giay_to"))]
    return _Built(lines, fields, mentions)


MARITAL_STATUSES = ("Hiện tại chưa đăng ký kết hôn với ai",
                    "Đã đăng ký kết hôn, nhưng đã ly hôn theo bản án của Tòa án nhân dân")
PURPOSES = ("Để đăng ký kết hôn", "Để bổ sung hồ sơ vay vốn ngân hàng",
            "Để làm thủ tục mua bán nhà đất")


def _to_khai_xac_nhan_hon_nhan(rng: random.Random, cast: _Cast,
                               people: dict[str, Citizen]) -> _Built:
    p = people["requester"]
    signed = _signing_day(rng, cast)
    last = cast.on.year - 1
    since = rng.randint(min(max(p.birth.year + 18, 2008), last), last)
    status, purpose = rng.choice(MARITAL_STATUSES), rng.choice(PURPOSES)
    lines = [
        _addressee(cast),
        Line(f"Họ, chữ đệm, tên người yêu cầu: {p.name}"),
        Line(f"Nơi cư trú: {p.residence}"),
        Line(_id_paper(p)),
        Line("Quan hệ với người được cấp Giấy xác nhận tình trạng hôn nhân: Bản thân"),
        Line("Đề nghị cấp Giấy xác nhận tình trạng hôn nhân cho người có tên dưới đây:"),
        Line(f"Họ, chữ đệm, tên: {p.name}"),
        Line(f"Ngày, tháng, năm sinh: {_dmy(p.birth)}"),
        Line(f"Giới tính: {p.gender}    Dân tộc: {p.ethnicity}    Quốc tịch: Việt Nam"),
        Line(f"Số định danh cá nhân: {p.id_number}"),
        Line(f"Nơi cư trú: {p.residence}"),
        Line(f"Trong thời gian cư trú tại {cast.commune} từ năm {since} đến nay."),
        Line(f"Tình trạng hôn nhân: {status}."),
        Line(f"Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân: {purpose}."),
        *ct._promise(),
        *_signature(cast, signed, "Người yêu cầu", p.name),
    ]
    fields = {"nguoi_yeu_cau_ho_ten": p.name, "ho_ten": p.name, "ngay_sinh": p.birth.isoformat(),
              "gioi_tinh": p.gender, "so_giay_to": p.id_number, "noi_cu_tru": p.residence,
              "tinh_trang_hon_nhan": status, "muc_dich_su_dung": purpose,
              "ngay_lam_don": signed.isoformat()}
    mentions = [("requester", "name", "nguoi_yeu_cau_ho_ten"), ("requester", "name", "ho_ten"),
                ("requester", "birth", "ngay_sinh"), ("requester", "number", "so_giay_to")]
    return _Built(lines, fields, mentions)


def _giay_de_nghi_ho_kinh_doanh(rng: random.Random, cast: _Cast,
                                people: dict[str, Citizen]) -> _Built:
    p = people["owner"]
    signed = _signing_day(rng, cast)
    shop = nfc(f"HỘ KINH DOANH {rng.choice(ct.SHOP_KINDS)} {p.name.split()[-1].upper()}")
    premises, _ = ct.address(rng)
    trade = rng.choice(ct.TRADES)
    millions = rng.randint(5, 90) * 10
    lines = [
        _addressee(cast),
        Line(f"Tôi là: {p.name.upper()}"),
        Line(f"Ngày sinh: {_dmy(p.birth)}    Giới tính: {p.gender}    Dân tộc: {p.ethnicity}"),
        Line(f"Số định danh cá nhân: {p.id_number}"),
        Line(f"Địa chỉ liên lạc: {p.residence}"),
        Line(f"Điện thoại: {ct.phone(rng)}"),
        Line("Đăng ký hộ kinh doanh do tôi là chủ hộ với các nội dung sau:"),
        Line(f"1. Tên hộ kinh doanh: {shop}"),
        Line(f"2. Địa chỉ trụ sở hộ kinh doanh: {premises}"),
        Line(f"3. Ngành, nghề kinh doanh: {trade}"),
        Line(f"4. Vốn kinh doanh: {ct.money(millions)} đồng"),
        Line(f"(Bằng chữ: {ct.millions_in_words(millions)})"),
        Line(f"5. Số lượng lao động: {rng.randint(1, 9)} người"),
        Line("Tôi cam kết bản thân không thuộc diện bị cấm thành lập hộ kinh doanh; trụ sở hộ "
             "kinh doanh thuộc quyền sử dụng hợp pháp của tôi."),
        Line("Tôi chịu trách nhiệm trước pháp luật về tính hợp pháp, chính xác và trung thực "
             "của nội dung Giấy đề nghị này."),
        *_signature(cast, signed, "Chủ hộ kinh doanh", p.name),
    ]
    fields = {"ten_ho_kinh_doanh": shop, "dia_chi_tru_so": nfc(premises), "nganh_nghe": trade,
              "von_kinh_doanh": str(millions * 1_000_000), "chu_ho_ho_ten": p.name,
              "chu_ho_so_dinh_danh": p.id_number, "ngay_lam_don": signed.isoformat()}
    mentions = [("owner", "name", "chu_ho_ho_ten"), ("owner", "number", "chu_ho_so_dinh_danh")]
    return _Built(lines, fields, mentions)


# Generic form: which catalogue field ids a requester block can state, and with which label.
_NAME_LABELS = {"nguoi_yeu_cau_ho_ten": "Họ, chữ đệm, tên người yêu cầu",
                "ho_ten": "Họ, chữ đệm, tên", "chu_dau_tu_ho_ten": "Tên chủ đầu tư",
                "nguoi_su_dung_dat_ho_ten": "Tên người sử dụng đất"}
_NUMBER_FIELDS = ("nguoi_yeu_cau_so_giay_to", "so_dinh_danh", "so_giay_to",
                  "chu_dau_tu_so_giay_to", "nguoi_su_dung_dat_so_giay_to")
_RESIDENCE_FIELDS = ("noi_cu_tru_hien_nay", "noi_cu_tru")


def _generic_form(type_id: str) -> Callable[[random.Random, _Cast, dict[str, Citizen]], _Built]:
    """A plausible form for a catalogue type `content` has no template for: the right title,
    a requester block whose lines fill the type's name, number, birth and residence fields."""

    def build(rng: random.Random, cast: _Cast, people: dict[str, Citizen]) -> _Built:
        p = people["requester"]
        wanted = set(_catalog().document_type(type_id).fields)
        signed = _signing_day(rng, cast)
        fields: dict[str, str] = {}
        mentions: list[Mention] = []
        name_field = next((f for f in _NAME_LABELS if f in wanted), None)
        label = _NAME_LABELS[name_field] if name_field else "Họ, chữ đệm, tên người yêu cầu"
        lines = [_addressee(cast), Line(f"{label}: {p.name}"),
                 Line(f"Ngày, tháng, năm sinh: {_dmy(p.birth)}"),
                 Line(f"Giới tính: {p.gender}    Dân tộc: {p.ethnicity}    Quốc tịch: Việt Nam"),
                 Line(f"Số định danh cá nhân: {p.id_number}"),
                 Line(f"Nơi cư trú: {p.residence}"),
                 *ct._extra_prose(rng), *ct._promise(),
                 *_signature(cast, signed, "Người yêu cầu", p.name)]
        if name_field:
            fields[name_field] = p.name
            mentions.append(("requester", "name", name_field))
        if "ngay_sinh" in wanted:
            fields["ngay_sinh"] = p.birth.isoformat()
            mentions.append(("requester", "birth", "ngay_sinh"))
        if "gioi_tinh" in wanted:
            fields["gioi_tinh"] = p.gender
        number_field = next((f for f in _NUMBER_FIELDS if f in wanted), None)
        if number_field:
            fields[number_field] = p.id_number
            mentions.append(("requester", "number", number_field))
        residence_field = next((f for f in _RESIDENCE_FIELDS if f in wanted), None)
        if residence_field:
            fields[residence_field] = p.residence
        if "ngay_lam_don" in wanted:
            fields["ngay_lam_don"] = signed.isoformat()
        return _Built(lines, fields, mentions)

    return build


_FORMS: dict[str, Callable[[random.Random, _Cast, dict[str, Citizen]], _Built]] = {
    "to_khai_khai_sinh": _to_khai_khai_sinh,
    "giay_chung_sinh": _giay_chung_sinh,
    "to_khai_ket_hon": _to_khai_ket_hon,
    "to_khai_xac_nhan_hon_nhan": _to_khai_xac_nhan_hon_nhan,
    "giay_de_nghi_ho_kinh_doanh": _giay_de_nghi_ho_kinh_doanh,
}


# ---------------------------------------------------------------- catalogue


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog()


def _title(type_id: str) -> str:
    if type_id in ct.TITLES:
        return ct.TITLES[type_id]
    patterns = _catalog().document_type(type_id).title_patterns
    if not patterns:
        raise ValueError(f"document type {type_id!r} has no printed title to generate")
    return patterns[0]


def required_types(procedure: str, on: date) -> list[str]:
    """The type ids that must be submitted (the main type of each requirement)."""
    version = _catalog().procedure(procedure).version_on(on)
    return [r.type for r in version.required_types()]


def supported_procedures() -> list[str]:
    """Catalogue procedures whose required papers all have a printed title we can generate."""
    out = []
    for code, proc in sorted(_catalog().procedures.items()):
        required = [r.type for r in proc.current.required_types()]
        types = _catalog().document_types
        if required and all(t in ct.TITLES or (types[t].title_patterns and not types[t].generic)
                            for t in required):
            out.append(code)
    return out


# ---------------------------------------------------------------- planning a dossier


def _cast(rng: random.Random, procedure: str, on: date) -> _Cast:
    commune, province = rng.choice(ct.COMMUNES), rng.choice(ct.PROVINCES)[0]
    if procedure == "1.001193":
        father = make_citizen(rng, "Nam", 1980, 2002)
        mother = make_citizen(rng, "Nữ", 1984, 2004)
        gender = rng.choice(("Nam", "Nữ"))
        return _Cast(
            {"mother": mother, "father": father}, on, commune, province,
            child_name=nfc(ct.person_name(rng, gender, father.name.split()[0])),
            child_gender=gender, child_birth=on - timedelta(days=rng.randint(5, 55)),
            birth_place=nfc(f"{rng.choice(ct.HOSPITALS)} {rng.choice(ct.PROVINCES)[0]}"),
            requester=rng.choice(("mother", "father")))
    if procedure == "1.000894":
        return _Cast({"bride": make_citizen(rng, "Nữ", 1988, 2005),
                      "groom": make_citizen(rng, "Nam", 1985, 2004)}, on, commune, province)
    role = "owner" if procedure == "1.001612" else "requester"
    return _Cast({role: make_citizen(rng)}, on, commune, province, requester=role)


def _plan(rng: random.Random, procedure: str, cast: _Cast, on: date) -> list[_Doc]:
    """Forms in desk order, then the card photocopies of the people who show them."""
    owners = {"to_khai_ket_hon": "", "giay_chung_sinh": "mother"}
    docs = [_Doc(t, owners.get(t, cast.requester), rng.getrandbits(32),
                 long=rng.random() < 0.15)
            for t in required_types(procedure, on)]
    version = _catalog().procedure(procedure).version_on(on)
    if any(c.type == "cccd" for c in version.components):
        holders = ["bride", "groom"] if procedure == "1.000894" else [cast.requester]
        docs += [_Doc("cccd", role, rng.getrandbits(32)) for role in holders]
    return docs


def _build_form(doc: _Doc, cast: _Cast, people: dict[str, Citizen]) -> _Built:
    rng = random.Random(doc.seed)
    builder = _FORMS.get(doc.type) or _generic_form(doc.type)
    built = builder(rng, cast, people)
    if doc.long:  # longer clauses before the signature: the form runs onto a second page
        cut = next(i for i, ln in enumerate(built.lines) if ln.style in ("sign", "columns"))
        prose = ct._extra_prose(rng) * 3 + ct._extra_prose(rng) * 3
        built.lines[cut:cut] = prose
    return built


def _card_fields(doc: _Doc, cast: _Cast) -> tuple[dict[str, str], list[Mention]]:
    card = make_card(random.Random(doc.seed), cast.people[doc.role], cast.on)
    mentions = [(doc.role, "name", "ho_ten"), (doc.role, "number", "so_dinh_danh"),
                (doc.role, "birth", "ngay_sinh")]
    return card.fields(), mentions


def _links(docs: list[_Doc], mentions: list[list[Mention]]) -> list[Link]:
    """Group the places that state the same attribute of the same person."""
    groups: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for i, ms in enumerate(mentions):
        for role, attr, fid in ms:
            groups[(role, attr)].append(Place(i, fid))
    return [Link(role, attr, tuple(places)) for (role, attr), places in groups.items()
            if len({p.document for p in places}) > 1]


def _altered(rng: random.Random, person: Citizen, attribute: str) -> Citizen:
    """The same person with one fact mistyped, as happens when a form is filled by hand."""
    if attribute == "name":
        parts = person.name.split()
        choices = [g for g in ct.GIVEN_NAMES[person.gender] if g != parts[-1]]
        return replace(person, name=nfc(" ".join([*parts[:-1], rng.choice(choices)])))
    if attribute == "number":
        tail = person.id_number[6:]
        new = tail
        while new == tail:
            new = f"{rng.randint(0, 999_999):06d}"
        return replace(person, id_number=person.id_number[:6] + new)
    return replace(person, birth=person.birth + timedelta(days=rng.randint(1, 9)))


def _type_label(type_id: str) -> str:
    name = _catalog().document_type(type_id).name
    return name[0].lower() + name[1:] if type_id != "cccd" else "thẻ căn cước"


def _mismatch(link: Link, types: list[str], values: list[dict[str, str]]) -> Problem:
    a, b = link.places[0], link.places[-1]
    message = (f"{ATTRIBUTE_LABELS[link.attribute]} của {ROLE_LABELS.get(link.person, link.person)}"
               f" không khớp: {_type_label(types[a.document])} ghi "
               f"“{values[a.document][a.field]}”, {_type_label(types[b.document])} ghi "
               f"“{values[b.document][b.field]}”.")
    return Problem("mismatch", nfc(message), (a, b))


# ---------------------------------------------------------------- rendering and scanning


def _render(doc: _Doc, built: _Built | None, cast: _Cast,
            dpi: int) -> tuple[list[Image.Image], str, str | None]:
    """Clean page images of one document, its layout name and QR payload.

    Everything random here comes from the document's own seed, so the same dossier
    shuffled or not holds pixel-identical papers (the tests rely on it).
    """
    rng = random.Random(doc.seed ^ 0x5EED)
    if doc.type == "cccd":
        card = make_card(random.Random(doc.seed), cast.people[doc.role], cast.on)
        scale = rng.choice((1.0, 1.0, 1.25, 1.5))
        font = rng.choice(("NotoSans", "DejaVuSans"))
        return [render_photocopy(card, dpi, scale, font, doc.seed)], card.kind, card.qr_payload
    assert built is not None
    title = _title(doc.type)
    lines = [*ct._header(), Line(title, "title"), *built.lines]
    spec = PageSpec(doc.type, nfc(title),
                    tuple(Line(nfc(ln.text), ln.style, nfc(ln.right)) for ln in lines))
    font, size = rng.choice(_FONTS), rng.choice((12.5, 13.0, 13.5))
    return [img for img, _ in render_document(spec, font, size, dpi)], "form", None


def _scan(img: Image.Image, quality: str, seed: int, dpi: int,
          turn: int) -> tuple[Image.Image, Dpi | None]:
    scan = make_scan(img, quality, seed, dpi)
    return quarter_turn(scan.image, turn), scan.dpi


def make_dossier(rng: random.Random | int, procedure_code: str, *, complete: bool = True,
                 quality: str = "photocopy", shuffle: bool = False, rotate_some: bool = False,
                 inconsistent: bool = False, drop: str | None = None,
                 layout: Layout | None = None, dpi: int = 300,
                 received_on: date | None = None) -> Dossier:
    """One dossier of `procedure_code` as scanned at the desk, with its ground truth.

    - `complete=False` leaves out one required component (`drop`, or one at random);
      `truth.missing` names it.
    - `inconsistent=True` mistypes one person's name, number or birth date on one form
      so it disagrees with another paper; `truth.problems` holds the mismatch.
    - `shuffle` feeds documents in random order (and sometimes a two-page form back to
      front); `rotate_some` turns some pages by 90/180/270 degrees.
    - `layout="stack"` gives one multi-page PDF (a sheet-feeder scan of the whole
      stack), `"files"` one file per document; by default phone photos come as
      files and scanner qualities as a stack.
    """
    seed = rng if isinstance(rng, int) else None
    rng = random.Random(rng) if isinstance(rng, int) else rng
    on = received_on or date(2025, 7, 1) + timedelta(days=rng.randint(0, 150))
    cast = _cast(rng, procedure_code, on)
    docs = _plan(rng, procedure_code, cast, on)
    required = required_types(procedure_code, on)
    missing: list[str] = []
    if not complete:
        dropped = drop or rng.choice(required)
        if dropped not in required:
            raise ValueError(f"{dropped!r} is not a required component of {procedure_code}")
        docs = [d for d in docs if d.type != dropped]
        missing = [dropped]

    built: list[_Built | None] = []
    values: list[dict[str, str]] = []
    mentions: list[list[Mention]] = []
    for doc in docs:
        if doc.type == "cccd":
            f, m = _card_fields(doc, cast)
            built.append(None)
        else:
            b = _build_form(doc, cast, cast.people)
            f, m = b.fields, b.mentions
            built.append(b)
        values.append(f)
        mentions.append(m)
    links = _links(docs, mentions)

    problems: list[Problem] = []
    if inconsistent:
        candidates = [(k, p) for k in links if k.person in cast.people
                      for p in k.places if docs[p.document].type != "cccd"]
        if not candidates:
            raise ValueError(f"{procedure_code}: no fact is stated twice; cannot be inconsistent")
        link, place = rng.choice(candidates)
        target = docs[place.document]
        people = {**cast.people, link.person: _altered(rng, cast.people[link.person],
                                                       link.attribute)}
        b = _build_form(target, cast, people)
        built[place.document], values[place.document] = b, b.fields
        link_index = links.index(link)
        others = [p for p in link.places if p.document != place.document]
        odd = Link(link.person, link.attribute, (others[0], place), consistent=False)
        problems.append(_mismatch(odd, [d.type for d in docs], values))
        links[link_index] = replace(link, consistent=False)

    # Feeding order and rotations come from their own stream, so that they change
    # nothing else: shuffled or not, the papers are the same.
    feed = random.Random(rng.getrandbits(32))
    order = list(range(len(docs)))
    if shuffle:
        feed.shuffle(order)
    rendered = [_render(docs[i], built[i], cast, dpi) for i in range(len(docs))]
    page_order: list[tuple[int, int]] = []  # (document, page within document)
    for i in order:
        n = len(rendered[i][0])
        within = list(range(n))
        if shuffle and n > 1 and feed.random() < 0.3:
            within.reverse()
        page_order += [(i, k) for k in within]
    turns = [feed.choice((90, 180, 270)) if rotate_some and feed.random() < 0.3 else 0
             for _ in page_order]
    if rotate_some and not any(turns):
        turns[feed.randrange(len(turns))] = feed.choice((90, 180, 270))

    scans = [_scan(rendered[d][0][k], quality, (docs[d].seed * 31 + k) & 0xFFFFFFFF, dpi, t)
             for (d, k), t in zip(page_order, turns, strict=True)]
    layout = layout or ("files" if quality == "photo" else "stack")
    files, where = _files(layout, quality, page_order, scans)

    doc_pages: dict[int, list[tuple[int, int]]] = defaultdict(list)
    pages = []
    for g, ((d, k), t) in enumerate(zip(page_order, turns, strict=True)):
        doc_pages[d].append((k, g))
        fname, in_file = where[g]
        pages.append(PageTruth(g, fname, in_file, -1, docs[d].type, t,
                               "front+back" if docs[d].type == "cccd" else None))
    # documents listed in the order their first page appears in the files
    doc_order = sorted(range(len(docs)), key=lambda d: min(g for _, g in doc_pages[d]))
    renumber = {d: n for n, d in enumerate(doc_order)}
    pages = [replace(p, document=renumber[page_order[p.index][0]]) for p in pages]
    documents = tuple(
        DocumentTruth(docs[d].type, tuple(g for _, g in sorted(doc_pages[d])), values[d],
                      docs[d].role, rendered[d][1], rendered[d][2])
        for d in doc_order)
    links = [replace(k, places=tuple(Place(renumber[p.document], p.field) for p in k.places))
             for k in links]
    problems = [replace(p, places=tuple(Place(renumber[q.document], q.field) for q in p.places))
                for p in problems]
    variant = "inconsistent" if inconsistent else ("complete" if complete else "incomplete")
    truth = DossierTruth(
        procedure=procedure_code, variant=variant, quality=quality, received_on=on.isoformat(),
        files=tuple(f.name for f in files), pages=tuple(pages), documents=documents,
        complete=not missing, missing=tuple(missing), problems=tuple(problems),
        links=tuple(links), seed=seed)
    return Dossier(files, truth)


def _files(layout: Layout, quality: str, page_order: list[tuple[int, int]],
           scans: list[tuple[Image.Image, Dpi | None]]
           ) -> tuple[list[ScanFile], list[tuple[str, int]]]:
    """Group scanned pages into files; returns the files and each page's (file, index)."""
    if layout == "stack":
        f = ScanFile("ho-so.pdf", [img for img, _ in scans], scans[0][1])
        return [f], [(f.name, i) for i in range(len(scans))]
    files: list[ScanFile] = []
    where: list[tuple[str, int]] = []
    single_ext = ".jpg" if quality in ("photo", "photocopy", "colour") else ".png"
    g = 0
    while g < len(page_order):
        d = page_order[g][0]
        run = [i for i in range(g, len(page_order)) if page_order[i][0] == d]
        run = run[: next((n for n, i in enumerate(run) if i != g + n), len(run))]
        ext = ".pdf" if len(run) > 1 else single_ext
        f = ScanFile(f"trang-{len(files) + 1:02d}{ext}", [scans[i][0] for i in run], scans[g][1])
        files.append(f)
        where += [(f.name, n) for n in range(len(run))]
        g += len(run)
    return files, where


def write_dossier(dossier: Dossier, folder: Path | str, jpeg_quality: int = 75) -> list[Path]:
    """Write the dossier's files and `truth.json` into `folder`; returns the scan files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [save(f.images if len(f.images) > 1 else f.images[0], folder / f.name, f.dpi,
                  quality=jpeg_quality) for f in dossier.files]
    dossier.truth.write(folder / "truth.json")
    return paths


# ---------------------------------------------------------------- bundled samples

SAMPLES: dict[str, dict[str, object]] = {
    # folder: make_dossier arguments (seeded, so regenerating rewrites the same bytes)
    "khai-sinh-day-du": {"rng": 101, "procedure_code": "1.001193", "quality": "photocopy",
                         "shuffle": True},
    "khai-sinh-thieu-giay-chung-sinh": {"rng": 102, "procedure_code": "1.001193",
                                        "quality": "photocopy", "complete": False,
                                        "drop": "giay_chung_sinh"},
    "ket-hon": {"rng": 103, "procedure_code": "1.000894", "quality": "photocopy",
                "shuffle": True, "rotate_some": True},
}


def write_samples(root: Path, jpeg_quality: int = 50) -> list[Path]:
    """Write the README's demo dossiers (one stacked PDF each, plus truth.json)."""
    out = []
    for name, kw in SAMPLES.items():
        dossier = make_dossier(layout="stack", **kw)  # type: ignore[arg-type]
        out += write_dossier(dossier, root / name, jpeg_quality)
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m scan_simulator.dossiers samples/dossiers`: regenerate the bundled samples."""
    parser = argparse.ArgumentParser(description=write_samples.__doc__)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    for path in write_samples(args.folder):
        print(f"{path}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
