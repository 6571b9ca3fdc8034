"""The same person must carry the same name, number and date of birth across a dossier.

Each document type names the people on it and which fields describe them
(data below). Two mentions are the same person when they share a role (the
mother on the giấy chứng sinh and on the tờ khai), an identity number, or a
name; any other attribute both mentions carry must then agree. Only values
read with confidence are compared, so a blurred digit is a field to review,
not an accusation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.understand.fields import Field
from pipeline.understand.identity import validate_cccd
from pipeline.understand.normalise import fold

# type id → (role, name field, number field, birth-date field); None = not on the form
PEOPLE: dict[str, tuple[tuple[str, str | None, str | None, str | None], ...]] = {
    "cccd": (("chu_the", "ho_ten", "so_dinh_danh", "ngay_sinh"),),
    "to_khai_khai_sinh": (
        ("nguoi_yeu_cau", "nguoi_yeu_cau_ho_ten", "nguoi_yeu_cau_so_giay_to", None),
        ("tre", None, None, "ngay_sinh"),
        ("me", "me_ho_ten", None, None),
        ("cha", "cha_ho_ten", None, None),
    ),
    "giay_chung_sinh": (("me", "me_ho_ten", "me_so_dinh_danh", None),
                        ("tre", None, None, "ngay_sinh")),
    "to_khai_ket_hon": (
        ("ben_nu", "ben_nu_ho_ten", "ben_nu_so_giay_to", "ben_nu_ngay_sinh"),
        ("ben_nam", "ben_nam_ho_ten", "ben_nam_so_giay_to", "ben_nam_ngay_sinh"),
    ),
    "to_khai_xac_nhan_hon_nhan": (("nguoi_duoc_xac_nhan", "ho_ten", "so_giay_to", "ngay_sinh"),),
    "giay_de_nghi_ho_kinh_doanh": (("chu_ho", "chu_ho_ho_ten", "chu_ho_so_dinh_danh", None),),
    "giay_uy_quyen": (("ben_uy_quyen", "ben_uy_quyen_ho_ten", None, None),
                      ("ben_duoc_uy_quyen", "ben_duoc_uy_quyen_ho_ten", None, None)),
    # Khai tử: the requester, and the deceased on the tờ khai and the giấy báo tử.
    "to_khai_khai_tu": (
        ("nguoi_yeu_cau", "nguoi_yeu_cau_ho_ten", None, None),
        ("nguoi_chet", "ho_ten_nguoi_chet", "so_dinh_danh_nguoi_chet", "ngay_sinh_nguoi_chet"),
    ),
    "giay_bao_tu": (("nguoi_chet", "ho_ten_nguoi_chet", None, None),),
    "to_khai_cap_ban_sao_trich_luc": (
        ("nguoi_yeu_cau", "nguoi_yeu_cau_ho_ten", "nguoi_yeu_cau_so_giay_to", None),),
    # Cư trú and căn cước forms: the person declaring, and (CT01) the household head.
    "to_khai_thay_doi_thong_tin_cu_tru": (
        ("nguoi_khai", "ho_ten", "so_dinh_danh", "ngay_sinh"),
        ("chu_ho_cu_tru", "chu_ho_ho_ten", None, None),
    ),
    "de_nghi_khai_bao_tam_vang": (("nguoi_khai", "ho_ten", "so_dinh_danh", "ngay_sinh"),),
    "phieu_thu_nhan_thong_tin_can_cuoc": (("nguoi_khai", "ho_ten", "so_dinh_danh", "ngay_sinh"),),
    # Xây dựng and đất đai: a house's permit is asked by whoever holds the land use right,
    # so the investor and the certificate's land user are one role: a different name is
    # for the officer to see (a lease or an heir needs its own paper).
    "don_de_nghi_cap_giay_phep_xay_dung": (
        ("nguoi_su_dung_dat", "chu_dau_tu_ho_ten", "chu_dau_tu_so_giay_to", None),),
    "don_dang_ky_dat_dai": (
        ("nguoi_su_dung_dat", "nguoi_su_dung_dat_ho_ten", "nguoi_su_dung_dat_so_giay_to", None),),
    "giay_chung_nhan_quyen_su_dung_dat": (
        ("nguoi_su_dung_dat", "nguoi_su_dung_dat_ho_ten", None, None),),
}
# Roles that name one person wherever they appear (a card's holder is anyone).
SHARED_ROLES = {"me", "tre", "ben_nu", "ben_nam", "chu_ho", "nguoi_chet", "nguoi_su_dung_dat"}
# Forms whose requester is named without a number but shows their own identity paper at
# the desk (Luật Hộ tịch 2014, Điều 9 khoản 2; the catalogue's component for khai tử is
# "Giấy tờ tùy thân của người đi khai tử"): the dossier's one card is that requester's,
# unless someone else was authorised to come or the card names another person of the papers.
SHOWS_CARD = {"to_khai_khai_tu": "nguoi_yeu_cau"}
AUTHORISATION_TYPES = {"giay_uy_quyen"}
ATTRIBUTES = {"name": "họ tên", "number": "số định danh", "birth": "ngày sinh"}
MIN_CONFIDENCE = 0.75
# A name OCR doubted ('Hoàng Phương.Loan', repaired and so for review) still counts when
# it differs from the other paper by a whole syllable: a slip changes a letter or a mark
# ('Êhạm' for 'Phạm'), never 'Loan' into 'Nhung'.
DOUBTED_NAME_CONFIDENCE = 0.5
OTHER_SYLLABLE_RATIO = 50.0
OTHER_EDITS = 3  # letters in a syllable, digits in a number: more than an OCR slip changes


@dataclass(frozen=True, slots=True)
class Mention:
    document: int  # index of the document in the dossier
    type_name: str  # Vietnamese name of the document type, for messages
    role: str
    values: dict[str, Field]  # attribute → field
    field_ids: dict[str, str]  # attribute → field id on that document


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: str
    message: str
    places: tuple[tuple[int, str], tuple[int, str]]  # (document index, field id) twice


def _usable(field: Field | None) -> bool:
    return field is not None and bool(field.value) and not field.needs_review and (
        field.confidence >= MIN_CONFIDENCE)


def _doubted_name(field: Field | None) -> bool:
    return field is not None and bool(field.value) and not _usable(field) and (
        field.confidence >= DOUBTED_NAME_CONFIDENCE)


def _doubted_number(field: Field | None) -> bool:
    """A number read with doubt that is still a valid 12-digit number on its own."""
    return field is not None and bool(field.value) and not _usable(field) and (
        field.confidence >= DOUBTED_NAME_CONFIDENCE) and len(field.value) == 12 and (
        not validate_cccd(field.value))


def _another_syllable(a: Field, b: Field) -> bool:
    """Two names of as many syllables, one of which no OCR slip turns into the other
    (an OCR slip changes a letter or two: 'Hằng' is not a misread 'Phương')."""
    sa, sb = fold(a.value).split(), fold(b.value).split()
    return len(sa) == len(sb) and any(
        fuzz.ratio(x, y) < OTHER_SYLLABLE_RATIO or Levenshtein.distance(x, y) >= OTHER_EDITS
        for x, y in zip(sa, sb, strict=True))


def _another_number(a: Field, b: Field) -> bool:
    """Two numbers of one length differing in more digits than an OCR slip changes."""
    return len(a.value) == len(b.value) and sum(
        x != y for x, y in zip(a.value, b.value, strict=True)) >= OTHER_EDITS


def _clearly_different(attribute: str, a: Field, b: Field) -> bool:
    """Values too far apart for either to be a misreading of the other: a mismatch even
    when one of them was read with doubt."""
    if attribute == "name":
        return _another_syllable(a, b)
    return attribute == "number" and _another_number(a, b)


def mentions(documents: list[tuple[str, str, dict[str, Field]]]) -> list[Mention]:
    """(type id, type name, fields) per document → every person mentioned with usable values."""
    out: list[Mention] = []
    for number, (type_id, type_name, fields) in enumerate(documents):
        for role, name, ident, birth in PEOPLE.get(type_id, ()):
            ids = {attr: fid for attr, fid in (("name", name), ("number", ident), ("birth", birth))
                   if fid is not None and (_usable(fields.get(fid)) or (
                       attr == "name" and _doubted_name(fields.get(fid))) or (
                       attr == "number" and _doubted_number(fields.get(fid))))}
            if ids:
                out.append(Mention(number, type_name, role,
                                   {attr: fields[fid] for attr, fid in ids.items()}, ids))
    return out


def _key(attribute: str, field: Field) -> str:
    # Names are compared without diacritics: OCR drops tone marks more often than
    # people misspell names, and a real mix-up changes letters, not only accents.
    return _name_key(field.value) if attribute == "name" else field.value


@lru_cache(maxsize=1024)
def _name_key(name: str) -> str:
    """A name folded and its spaces evened (memoised: every pair of mentions asks again)."""
    return " ".join(fold(name).split())


def _same_person(a: Mention, b: Mention) -> bool:
    if a.role == b.role and a.role in SHARED_ROLES:
        return True
    for attribute in ("number", "name"):
        if attribute in a.values and attribute in b.values and _key(
                attribute, a.values[attribute]) == _key(attribute, b.values[attribute]):
            return True
    return False


def _card_shower(found: list[Mention],
                 documents: list[tuple[str, str, dict[str, Field]]]) -> tuple[int, int] | None:
    """(card mention, requester mention) positions when the dossier's one card is the
    requester's by the procedure's rule (``SHOWS_CARD``), else None."""
    types = [type_id for type_id, _, _ in documents]
    if types.count("cccd") != 1 or AUTHORISATION_TYPES & set(types):
        return None
    cards = [i for i, m in enumerate(found) if m.role == "chu_the"]
    requesters = [i for i, m in enumerate(found) if SHOWS_CARD.get(types[m.document]) == m.role]
    if len(cards) != 1 or len(requesters) != 1:
        return None
    card = found[cards[0]]
    if any(_same_person(card, m) for i, m in enumerate(found)
           if i not in (cards[0], requesters[0]) and m.document != card.document):
        return None  # the card names someone else on the papers (the deceased)
    return cards[0], requesters[0]


def cross_check(documents: list[tuple[str, str, dict[str, Field]]]) -> list[Mismatch]:
    found: list[Mismatch] = []
    seen: set[tuple] = set()
    people = mentions(documents)
    shower = _card_shower(people, documents)
    linked = {frozenset(shower)} if shower else set()
    for (i, a), (j, b) in combinations(enumerate(people), 2):
        if a.document == b.document or not (
                _same_person(a, b) or frozenset((i, j)) in linked):
            continue
        for attribute in ("name", "number", "birth"):
            fa, fb = a.values.get(attribute), b.values.get(attribute)
            if fa is None or fb is None or _key(attribute, fa) == _key(attribute, fb):
                continue
            if not (_usable(fa) and _usable(fb)) and not _clearly_different(attribute, fa, fb):
                continue
            places = ((a.document, a.field_ids[attribute]), (b.document, b.field_ids[attribute]))
            if places in seen:
                continue
            seen.add(places)
            found.append(Mismatch(
                "thong_tin_khong_khop",
                f"{ATTRIBUTES[attribute].capitalize()} không khớp: {a.type_name} (trang "
                f"{fa.page + 1}) ghi «{fa.value}», {b.type_name} (trang {fb.page + 1}) ghi "
                f"«{fb.value}».",
                places,
            ))
    return found

