"""Turn field text as read from a page into the contract's normal forms.

Every normaliser is a pure function that returns a :class:`Normalised` (the
value and whether it had to *guess*: fix OCR confusions, expand a two-digit
year, …) or ``None`` when the text cannot be read as that kind of value. The
caller lowers a field's confidence when a value was guessed, so that staff
review what the machine was not sure about instead of trusting it blindly.

Dates come as people write them on forms: ``12/03/1990``, ``12-03-1990``,
``ngày 05 tháng 01 năm 2024``, ``05 tháng 1, 2024``, ``12031990`` (card QR)
and in words (``ngày mười hai tháng ba năm một nghìn chín trăm chín mươi``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "NO_EXPIRY",
    "Normalised",
    "clean_text",
    "find_date",
    "fold",
    "natural_case_name",
    "natural_case_place",
    "nfc",
    "normalise_code",
    "normalise_date",
    "normalise_expiry",
    "normalise_gender",
    "normalise_id_number",
    "normalise_money",
    "normalise_name",
    "normalise_nationality",
    "normalise_number",
    "normalise_place",
    "normalise_text",
    "repair_syllables",
    "words_to_number",
]


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normalised value; ``guessed`` says the normaliser had to repair or infer."""

    value: str
    guessed: bool = False


# ---------------------------------------------------------------- text basics


def nfc(text: str) -> str:
    """Unicode NFC: decomposed accents would break equality, search and storage."""
    return unicodedata.normalize("NFC", text)


def _fold_char(ch: str) -> str:
    if ch in "đĐðÐ":  # eth: OCR's look-alike of Đ
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Lower case without diacritics, *same length* as the NFC input.

    Keeping the length lets matchers work on the folded text and map offsets
    straight back to the text as written (OCR often drops or confuses tone marks,
    so labels are matched without them).
    """
    return nfc(text).translate(_FOLD_TABLE)


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character: folding runs
    in C (it is called on every line of every page, many times)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


# Latin letters Vietnamese never writes, which OCR reads for a plain letter ("Ÿ tế").
# Icelandic eth (U+00D0) looks exactly like Vietnamese Đ (U+0110) and OCR picks it.
_FOREIGN_LETTERS = str.maketrans({"Ÿ": "Y", "ÿ": "y", "Ð": "Đ", "ð": "đ"})


def clean_text(text: str) -> str:
    """NFC, single spaces, no stray separators at either end."""
    text = re.sub(r"\s+", " ", nfc(text).translate(_FOREIGN_LETTERS)).strip()
    return text.strip(" ,;:|_~")


# A dot glued between two syllables ('TẠP HÓA.TRANG', 'đã.ly hôn'): a speck, as no
# sentence goes on without a space. Abbreviations ('TP.HCM', 'v.v.') have no vowel or one
# letter before their dot, and addresses or e-mail without marks ('gmail.com') are kept.
_GLUED_DOT = re.compile(r"(?<=[^\W\d_]{2})\.(?=[^\W\d_]{2})")


def _speck_dot(m: re.Match[str]) -> str:
    text = m.string
    before = re.search(r"[^\W\d_]+$", text[:m.start()])
    after = re.match(r"[^\W\d_]+", text[m.end():])
    if before is None or after is None or not re.search(r"[aeiouy]", fold(before.group())):
        return m.group()
    words = before.group() + after.group()
    return " " if fold(words) != words.lower() else m.group()


# 'Öã đăng ký': no Vietnamese word starts with 'Ö', and neither 'Oã' nor 'Ôã' is a word,
# so before a lone 'ã' or 'á' it is the 'Đ' of 'Đã', 'Đá'.
_D_READ_AS_O_UMLAUT = re.compile(r"(?<!\w)([Öö])(?=[ãá](?!\w))")


def normalise_text(text: str) -> Normalised | None:
    """Free text (purpose, status, trade): cleaned, without the sentence's final dot."""
    value = clean_text(text).rstrip(".").strip()
    if not value:
        return None
    spaced = _GLUED_DOT.sub(_speck_dot, value)
    spaced = _D_READ_AS_O_UMLAUT.sub(lambda m: "Đ" if m.group(1) == "Ö" else "đ", spaced)
    return Normalised(spaced, guessed=spaced != value)


# ---------------------------------------------------------------- names and places

_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def natural_case_name(text: str) -> str:
    """'NGUYỄN VĂN AN' or 'nguyễn văn an' → 'Nguyễn Văn An' (every syllable capitalised)."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


# Common Vietnamese family names. OCR often gets their tone marks wrong ("Đỉnh", "Đình"
# for "Đinh"); a first word that is not a family name but folds to exactly one of them is
# that family name. Family names that fold alike (Chu/Chử, Lò/Lô) are never repaired.
FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Mai", "Đào", "Đoàn",
    "Trương", "Lâm", "Phùng", "Cao", "Tạ", "Hà", "Tô", "Kiều", "Quách", "Thái", "Triệu",
    "Lại", "Khúc", "Nông", "Lò", "Lô", "Chu", "Chử", "Tăng", "Tôn", "Thạch", "Giang",
    "Vương", "Châu", "Lưu", "Mạc", "Âu", "Đàm", "Khổng", "Doãn", "Diệp", "Đồng", "Hứa",
    "Lục", "Nghiêm", "Ninh", "Tiêu",
)


def _family_name_repairs() -> dict[str, str]:
    by_fold: dict[str, list[str]] = {}
    for name in FAMILY_NAMES:
        by_fold.setdefault(fold(name), []).append(name)
    return {k: v[0] for k, v in by_fold.items() if len(v) == 1}


_FAMILY_BY_FOLD = _family_name_repairs()


_NAME_JOINER = re.compile(r"(?<=[^\W\d_])[.\-](?=[^\W\d_])")
# A dot after a whole syllable and before the next word ('Thành. Nghĩa'): a speck of the
# copy, since a name has no dots. Not after a letter run without a vowel ('Th.', 'Ng.'): an
# abbreviation is not a speck and such a name stays unread. A colon likewise ('Đức: Trường'),
# but only inside a name whose every word starts with a capital: in 'Nguyễn Văn An Giớ tnh:
# Nam' the colon ends a misread label and the text is not one name.
_NAME_SPECK = re.compile(r"(?<=[^\W\d_])[.:](?=\s+[^\W\d_])")


def _speck_dots(text: str) -> str:
    titled = all(w[:1].isupper() for w in re.findall(r"[^\W\d_]+", text))

    def drop(m: re.Match[str]) -> str:
        word = re.search(r"[^\W\d_]+$", text[:m.start()])
        syllable = word is not None and re.search(r"[aeiouy]", fold(word.group())) is not None
        return "" if syllable and (m.group() == "." or titled) else m.group()

    return _NAME_SPECK.sub(drop, text)


def _repair_family_name(words: list[str]) -> tuple[list[str], bool]:
    first = natural_case_name(words[0])
    written = " ".join(words)
    if first in FAMILY_NAMES or fold(written) == written.lower():
        return words, False  # a name written without any marks stays so
    repaired = _FAMILY_BY_FOLD.get(fold(first))
    if repaired is None or len(words) < 2:
        return words, False
    return [repaired, *words[1:]], True


def _without_specks(words: list[str]) -> list[str]:
    """A card prints the name in capitals; a short word in small letters beside it ('Va VÕ
    QUỐC SƠN') is OCR of the photo's edge, not part of the name."""
    caps = [w for w in words if w.isupper()]
    if len(caps) < 2:
        return words
    while words and not words[0].isupper() and len(words[0]) <= 3:
        words = words[1:]
    while words and not words[-1].isupper() and len(words[-1]) <= 3:
        words = words[:-1]
    return words


def normalise_name(text: str) -> Normalised | None:
    """A person's name in natural case; None when it holds digits or symbols (not a name).

    Two OCR slips are repaired (and marked guessed): syllables joined or followed by a dot,
    colon or hyphen ("Đỉnh.Khánh", "HOÀNG-TUẤN", "Thành. Nghĩa"; names have none of them)
    and a family name read with the wrong tone mark ("Đình Mỹ Nhung" → "Đinh Mỹ Nhung").
    """
    value = clean_text(text).strip(".")
    joined = _NAME_JOINER.sub(" ", _speck_dots(value))
    words = _without_specks(joined.split())
    dropped = len(words) != len(joined.split())
    if not words or not all(_NAME_CHARS.match(w) for w in words):
        return None
    words, family_fixed = _repair_family_name(words)
    # Behind a Kinh family name written with its marks every syllable is Vietnamese, so a
    # plain one with an impossible ending is a slip too ('Trần Diệu Loah'). Not when the
    # name holds an apostrophe or a lone letter: 'Y Bih', "H'Bloh" are Ê Đê names.
    family = natural_case_name(words[0])
    kinh = family in FAMILY_NAMES and fold(family) != family.lower() and not any(
        "'" in w or "’" in w or len(w) == 1 for w in words)
    name = natural_case_name(repair_syllables(" ".join(words), plain_too=kinh))
    return Normalised(name, guessed=family_fixed or joined != value or dropped
                      or name != natural_case_name(" ".join(words)))


# Unit words that are written in lower case inside an address ("phường Bến Thành").
_UNIT_WORDS = (
    "thị trấn", "thị xã", "khu phố", "tổ dân phố", "phường", "xã", "tỉnh", "quận", "huyện",
    "ngõ", "ngách", "hẻm", "kiệt", "đường", "phố", "thôn", "ấp", "bản", "xóm", "tổ", "khu",
    "số", "đặc khu",
)
UNIT_WORDS = _UNIT_WORDS
_UNIT_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted(_UNIT_WORDS, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)


def natural_case_place(text: str) -> str:
    """Natural case for an address printed in capitals.

    'SỐ 5, ĐƯỜNG LÊ LỢI, PHƯỜNG BẾN THÀNH, THÀNH PHỐ HỒ CHÍ MINH' →
    'Số 5, đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh': proper names
    capitalised, unit words lower case, 'Thành phố' and the first word capitalised
    as official documents write them.
    """
    titled = natural_case_name(text)
    out = _UNIT_RE.sub(lambda m: m.group(1).lower(), titled)
    out = re.sub(r"(?<!\w)thành phố(?!\w)", "Thành phố", out, flags=re.IGNORECASE)
    return out[:1].upper() + out[1:]


# A unit word is always followed by its name, never by a comma: "Thành phố, Hà Nội" is
# an OCR speck read as a comma.
_UNIT_COMMA = re.compile(
    r"(?<!\w)(thành phố|thị xã|thị trấn|tỉnh|phường|xã|quận|huyện|đường|thôn|ấp|xóm|ngõ|hẻm)"
    r"\s*,\s*(?=[^\W\d_])", re.IGNORECASE)

# A dot OCR put between two words ('Lâm.Đồng', 'Thành.phố'); after three letters, so
# abbreviations such as 'TP.HCM' or 'Tp.Hồ Chí Minh' keep theirs.
_PLACE_DOT = re.compile(r"(?<=[^\W\d_]{3})\.(?=[^\W\d_])")


# Two syllables OCR ran together ('ĐắkLắk', 'PhúLộc'): a capital right after a small letter.
_JOINED_SYLLABLES = re.compile(r"(?<=[^\W\d_])(?<![A-ZĐ])(?=[A-ZĐ][a-zà-ỹđ])")
_VOWEL_CHARS = "aeiouy"


def repair_syllables(text: str, plain_too: bool = False) -> str:
    """Endings no Vietnamese syllable has, from OCR's usual slips: 'Lârh' → 'Lâm' (m read
    as 'rh'), 'Yêh' → 'Yên' (n read as 'h'). Only words with marks (plainly Vietnamese),
    or with ``plain_too`` every word (the caller knows the text is Vietnamese)."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        folded = fold(word)
        if (folded == word.lower() and not plain_too) or len(word) < 2:
            return word
        if folded.endswith("rh") and len(folded) >= 3 and folded[-3] in _VOWEL_CHARS:
            return word[:-2] + ("M" if word[-1].isupper() else "m")
        if folded[-1] == "h" and folded[-2] in _VOWEL_CHARS:
            return word[:-1] + ("N" if word[-1].isupper() else "n")
        return word

    return re.sub(r"[^\W\d_]+", fix, text)


# Specks at an address's ends that no address has: a word of one or two letters right
# before a unit word in small letters ('Lá xã Long Điền': no name precedes 'xã'), and a
# lone capital after the province, which is always last ('tỉnh Quảng Ninh C').
_LEADING_SPECK = re.compile(
    r"^(?!(?i:ấp|số|tổ|xã|khu)\s)[^\W\d_]{1,2}\s+(?=(?:xã|phường|thôn|ấp|xóm|bản|tỉnh|đường|"
    r"thị trấn|khu phố|tổ dân phố)\s)")
_PROVINCE_SPECK = re.compile(
    r"(?<=,)(?P<province>\s*(?:tỉnh|Thành phố)\s+[^,]*?[^\W\d_]{2,})\s+[A-Z]$")


# A run of dots between two words of a name ('Điện .. Biên Phủ'): a speck, no punctuation.
_DOTS_BETWEEN = re.compile(r"(?<=[^\W\d_])\s+[.·…]{1,3}\s+(?=[A-ZĐÀ-Ỹ])")


# A dot then a space inside an address, which separates its parts with commas only: before
# a unit word it is a misread comma ('Số 79. ngõ 154'); after a syllable, before a capital,
# it is a speck ('xã Đông. Hưng', 'tỉnh. Khánh Hòa'). Abbreviations ('Tp. Hồ Chí Minh',
# 'P. Bến Thành') have no vowel or a single letter before their dot and keep it.
_DOT_BEFORE_UNIT = re.compile(
    r"(?<=[\w])\.\s+(?=(?:" + "|".join(sorted(_UNIT_WORDS, key=len, reverse=True))
    + r")\s)", re.IGNORECASE)
_DOT_IN_NAME = re.compile(r"(?<=[^\W\d_]{2})\.\s+(?=[A-ZĐÀ-Ỹ])")


def _address_dots(text: str) -> str:
    def speck(m: re.Match[str]) -> str:
        word = re.search(r"[^\W\d_]+$", text[:m.start()])
        vowel = word is not None and re.search(r"[aeiouy]", fold(word.group())) is not None
        return " " if vowel else m.group()

    return _DOT_IN_NAME.sub(speck, _DOT_BEFORE_UNIT.sub(", ", text))


# A comma with a speck beside it ('Trung,.phường', 'Hòa.,xã') or read as the low quote
# '„' ('176„ đường'): an address separates its parts with a comma, nothing else.
_SPECKED_COMMA = re.compile(r"(?<=\w)\s*(?:„|,\s*[.,„]+|\.\s*,)\s*(?=\w)")
# 'phố' after 'Khu'/'Tổ dân' and 'ngõ' leading a segment, one mark off, before the number
# they always take ('Khu phổ 3', 'ngỗ 185'): no other word folds so in that place.
_PHO_SLIP = re.compile(r"(?<!\w)(?P<before>(?i:khu|tổ dân)\s+)(?P<word>ph[ôổồốộỗóòỏõọơớờởỡợ])"
                       r"(?=\s+\d)")
_NGO_SLIP = re.compile(r"(?:^|(?<=,\s))(?P<word>[Nn]g[ôổồốộỗóòỏọơớờởỡợ])(?=\s+\d)")
# A lone capital before a name that starts with it, after a unit word ('phường V Vĩnh
# Yên'): the name's first letter read twice. No official unit name starts so.
_DOUBLED_INITIAL = re.compile(
    r"(?<!\w)(?P<unit>(?i:phường|xã|thị trấn|thị xã|huyện|quận|tỉnh|thành phố|đường))\s+"
    r"(?P<letter>[A-ZĐÀ-Ỹ])\s+(?=(?P=letter)[^\W\d_])")
# A syllable printed capitalised but read with its second letter capital too ('Đồng
# THáp'): in a mixed-case address, a name's syllable is a capital and small letters.
_TWO_CAPITALS = re.compile(r"(?<!\w)(?P<head>[A-ZĐ][A-ZĐ])(?P<tail>[a-zà-ỹđ]+)(?!\w)")


def _place_slips(text: str) -> str:
    """The address's specks and one-mark slips that its context makes certain (above)."""
    text = _SPECKED_COMMA.sub(", ", text)
    text = _PHO_SLIP.sub(lambda m: m.group("before") + "phố", text)
    text = _NGO_SLIP.sub(lambda m: "Ngõ" if m.group("word")[0] == "N" else "ngõ", text)
    text = _DOUBLED_INITIAL.sub(lambda m: m.group("unit") + " ", text)
    if not _is_caps(text):
        text = _TWO_CAPITALS.sub(lambda m: m.group("head")[0] + m.group("head")[1].lower()
                                 + m.group("tail"), text)
    return text


def _unit_word_case(m: re.Match[str]) -> str:
    """A unit word printed in capitals inside a mixed-case address ('SỐ 47, đường …')."""
    word = m.group(1)
    if not word.isupper() or len(word) < 2:
        return word
    return word.capitalize() if m.start() == 0 else word.lower()


def normalise_place(text: str) -> Normalised | None:
    """An address or place as written (NFC, single spaces); capitals become natural case."""
    from pipeline.understand.card_place import repair_unit_marks
    from pipeline.understand.unit_names import repair_unit_names, repair_unit_words

    value = clean_text(text).rstrip(".").strip()
    if not value or not any(c.isalpha() for c in value):
        return None
    repaired = repair_unit_marks(_DOTS_BETWEEN.sub(" ", repair_unit_words(_place_slips(value))))
    repaired = _JOINED_SYLLABLES.sub(" ", repair_syllables(repaired))
    repaired = re.sub(r",(?=[^\W\d_])", ", ", repaired.replace(";", ","))  # '65,đường'
    repaired = _address_dots(repaired)
    # An address holds no colon or double quote between its words ('xã Đông: Hưng').
    repaired = re.sub(r"(?<=\w)\s*:\s*(?=\w)|\s*[\"“”]\s*(?=\w)",
                      lambda m: " " if m.group().strip() else m.group(), repaired)
    repaired = _PLACE_DOT.sub(" ", _UNIT_COMMA.sub(lambda m: m.group(1) + " ", repaired))
    repaired = _PROVINCE_SPECK.sub(r"\g<province>", _LEADING_SPECK.sub("", repaired))
    if _is_caps(repaired):
        repaired = natural_case_place(repaired)
    else:
        repaired = _UNIT_RE.sub(_unit_word_case, repaired)
    repaired = repair_unit_names(repaired)
    guessed = repaired != (natural_case_place(value) if _is_caps(value) else value)
    return Normalised(repaired, guessed=guessed)


# 'Nam' as OCR misreads it on a card's guilloche ('Natn', 'Narn', 'Nam.').
_NAM_MISREADS = frozenset({"nam", "natn", "narn", "nan", "nain", "nam."})


def normalise_nationality(text: str) -> Normalised | None:
    """A nationality as written; 'Việt Nam' read with a wrong tone mark ('Việt Nắm') repaired.

    The field is almost always 'Việt Nam', so a value that folds to it is it.
    """
    place = normalise_place(text)
    if place is None:
        return None
    if re.sub(r"[\W_]+", "", fold(place.value)) == "vietnam":
        return Normalised("Việt Nam", guessed=place.value != "Việt Nam")
    # 'Việt Nam F', 'Việt Nam .:': a speck of the card's guilloche after the value.
    m = re.match(r"viet\s*(?P<nam>n\S{1,3})\b(?P<rest>.*)$", fold(place.value))
    if m and m.group("nam") in _NAM_MISREADS and not re.search(r"[a-z]{2}", m.group("rest")):
        return Normalised("Việt Nam", guessed=True)
    # One glyph misread ('Việ‡ Nam', 'Vệt Nam'): no other nationality is one letter away.
    letters = re.sub(r"[^a-z]+", "", fold(place.value))
    if len(letters) >= 6 and _one_edit(letters, "vietnam"):
        return Normalised("Việt Nam", guessed=True)
    return place


def _one_edit(a: str, b: str) -> bool:
    """``a`` is ``b`` with at most one letter changed, dropped or added."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


# ---------------------------------------------------------------- gender


def normalise_gender(text: str) -> Normalised | None:
    """'Nam'/'Nữ' from 'Nam', 'NỮ', 'Nu', 'Nữ/F', 'Male', 'Female' …"""
    folded = fold(clean_text(text))
    m = re.match(r"^(nam|nu|n[uư]|male|female|m|f)\b", folded)
    if not m:
        return None
    word = m.group(1)
    # A mark neither form has ('Nảm', 'Ñam'): one of the two, read with a slip.
    written = clean_text(text).split()[0].lower() if clean_text(text) else ""
    slip = fold(written) != written and written[: len(word)] not in ("nữ", "nư")
    if word in ("nam", "male", "m"):
        return Normalised("Nam", guessed=word == "m" or slip)
    return Normalised("Nữ", guessed=word == "f" or slip)


# ---------------------------------------------------------------- identity numbers

# What OCR reads instead of digits inside a number.
_DIGIT_CONFUSIONS = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
    "!": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9",
})
_NUMBERISH = re.compile(r"[0-9OoDQlIi|!SsBZzgq]+")


def _digitise_token(token: str) -> tuple[str, bool] | None:
    """A token that is a number with OCR confusions → (digits, repaired?)."""
    token = token.strip(".,;:()")
    if not token or not _NUMBERISH.fullmatch(token):
        return None
    digits = sum(c.isdigit() for c in token)
    if digits == 0 or digits < len(token) * 0.4:
        return None
    fixed = token.translate(_DIGIT_CONFUSIONS)
    return fixed, fixed != token


def normalise_id_number(text: str) -> Normalised | None:
    """Digits of an identity number (12-digit số định danh, or a 9-digit CMND).

    Groups written apart ('079 090 001 234') are joined; letters OCR reads for
    digits (O→0, l/I→1 …) are repaired inside number-looking tokens only, so
    the 'số' in 'Căn cước số 0790…' is never taken for '50'.
    """
    runs: list[tuple[str, bool]] = []
    current, repaired = "", False
    for token in re.split(r"[\s\-–]+", nfc(text)):
        got = _digitise_token(token)
        if got is None:
            if current:
                runs.append((current, repaired))
            current, repaired = "", False
            continue
        current += got[0]
        repaired = repaired or got[1]
    if current:
        runs.append((current, repaired))
    for wanted in (12, 9):
        for run, fixed in runs:
            if len(run) == wanted:
                return Normalised(run, guessed=fixed)
    # A whole 12-digit token with a speck beside it ('031179973091 5'): the card's number.
    whole = [t for t in re.split(r"[\s\-–]+", nfc(text)) if re.fullmatch(r"\d{12}", t)]
    if len(whole) == 1:
        return Normalised(whole[0], guessed=True)
    longest = max(runs, key=lambda r: len(r[0]), default=None)
    if longest and len(longest[0]) >= 8:
        return Normalised(longest[0], guessed=True)
    return None


# ---------------------------------------------------------------- numbers in words

_UNITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "nham": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}
_BIG = {"nghin": 1000, "ngan": 1000, "trieu": 1_000_000, "ty": 1_000_000_000}
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_BIG) | {"muoi", "tram", "linh", "le"}
_MONTH_WORDS = {"gieng": 1, "chap": 12}


def words_to_number(words: list[str]) -> int | None:
    """Vietnamese number words (folded) → int: ['mot', 'nghin', 'chin', 'tram', …] → 1990.

    Handles mười/mươi (both fold to 'muoi'), trăm, nghìn/ngàn, triệu, tỷ, linh/lẻ,
    mốt/lăm/tư, 'không trăm'; and digit-by-digit reading of years ('hai không hai
    bốn' → 2024). None if any word is not a number word.
    """
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    if not words or any(w not in _NUMBER_WORDS for w in words):
        return None
    total, group = 0, 0
    current: int | None = None
    prev = ""
    digits: list[int] = []
    for w in words:
        if w == "muoi":
            current = 10 if current is None or prev not in _UNITS else current * 10
        elif w == "tram":
            group += (1 if current is None else current) * 100
            current = None
        elif w in _BIG:
            group += current or 0
            total += (group or 1) * _BIG[w]
            group, current = 0, None
        elif w in _UNITS:
            unit = _UNITS[w]
            digits.append(unit)
            if prev == "muoi" and current is not None:
                current += unit
            elif current is None or prev not in _UNITS:
                current = unit
            else:
                current = current * 10 + unit  # read digit by digit
        prev = w
    if all(w in _UNITS for w in words):
        return int("".join(map(str, digits)))
    return total + group + (current or 0)


# ---------------------------------------------------------------- dates

# OCR of a photocopy may split the year ('17/05/1 988'): one space after its first digit.
_DATE_NUMERIC = re.compile(
    r"(?<![\dA-Za-z])(?P<d>[0-3OolI]?[0-9OolI])\s?[/\-.]\s?(?P<m>[01OolI]?[0-9OolI])\s?[/\-.]\s?"
    r"(?P<y>[12OolI] ?[0-9OolI]{3}|[0-9OolI]{2})(?![\d])"
)
_DATE_ISO = re.compile(r"(?<!\d)(?P<y>[12]\d{3})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)")
# After 'năm' one stray mark may stick to the year: italics read 'năm 2025' as 'năm n2025'.
# A handwritten or photocopied '1' leading a two-digit day or month is read as a glyph of
# the same upright shape ('tháng †1', 'ngày |5'): such a glyph glued to a digit in a slot
# is that '1' (the value is marked guessed, hence reviewed).
_ONE_GLYPHS = "†‡|!lI]["
_ONE_LIKE = "[" + re.escape(_ONE_GLYPHS.lower()) + "]"
_DATE_WRITTEN = re.compile(  # on folded text
    r"(?:ngay\s*)?(?<!\d)(?P<d>[0-3]?\d|(?<![a-z])" + _ONE_LIKE + r"\d)\s*thang\s*"
    r"(?P<m>[01]?\d|" + _ONE_LIKE + r"[0-2])\s*[,.]?\s*"
    r"(?:nam\s*(?P<stray>[^\w\s]|[a-z](?=\d))?\s*)?(?P<y>[12]\d{3})(?!\d)"
)
# The month word one glyph off ('tháïg', 'thúng') between 'ngày D' and 'M năm YYYY': with
# both of the others in place, nothing else stands there (marked guessed).
_DATE_WRITTEN_SLIP = re.compile(  # on folded text
    r"ngay\s*(?P<d>[0-3]?\d)\s+(?!thang\b)(?=t[a-z]{2,4}\s)(?:th[a-z]{2,3}|t[a-z]ang)\s*"
    r"(?P<m>[01]?\d)\s*[,.]?\s*nam\s*(?P<y>[12]\d{3})(?!\d)")
_ONE_GLYPH_DIGITS = str.maketrans(dict.fromkeys(_ONE_GLYPHS, "1"))
_DATE_COMPACT = re.compile(r"(?<!\d)(?P<d>[0-3]\d)(?P<m>[01]\d)(?P<y>(?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found inside a longer text: ISO value and where it was (character offsets)."""

    value: str
    start: int
    end: int
    guessed: bool = False


def _digits(s: str) -> str:
    return s.translate(_DIGIT_CONFUSIONS).translate(_ONE_GLYPH_DIGITS)


def _make_date(d: str, m: str, y: str) -> tuple[str, bool] | None:
    guessed = any(not c.isdigit() for c in d + m + y)
    y = y.replace(" ", "")
    try:
        day, month, year = int(_digits(d)), int(_digits(m)), int(_digits(y))
    except ValueError:
        return None
    if len(_digits(y)) == 2:
        guessed = True
        year += 2000 if year <= date.today().year % 100 else 1900
    try:
        return date(year, month, day).isoformat(), guessed
    except ValueError:
        return None


def _words_date(folded: str) -> DateMatch | None:
    """'ngay muoi hai thang ba nam mot nghin chin tram chin muoi' → 1990-03-12.

    'năm' is both the year marker and the number five ('ngày năm tháng năm năm hai
    nghìn'), so every 'năm' after the month is tried as the marker in turn.
    """
    tokens = list(re.finditer(r"[a-z]+|\d+", folded))
    words = [t.group() for t in tokens]
    for i, w in enumerate(words):
        if w != "ngay" or "thang" not in words[i + 2:]:
            continue
        t = words.index("thang", i + 2)
        day = words_to_number(words[i + 1:t])
        if day is None or not 1 <= day <= 31:
            continue
        for p in range(t + 2, len(words)):
            if words[p] != "nam":
                continue
            month_words = words[t + 1:p]
            month = _MONTH_WORDS.get(" ".join(month_words)) or words_to_number(month_words)
            end = p + 1
            while end < len(words) and (words[end] in _NUMBER_WORDS or words[end].isdigit()):
                end += 1
            year = words_to_number(words[p + 1:end])
            if month is None or not 1 <= month <= 12 or year is None or year < 1800:
                continue
            try:
                iso = date(year, month, day).isoformat()
            except ValueError:
                continue
            start, stop = tokens[i].start(), tokens[end - 1].end()
            # Tokens skip what is not a letter or digit: a glyph glued to a number ('†1',
            # a misread '1') was dropped, so the value is a guess, not a reading.
            glued = re.search(r"[^\w\s,.]\d|\d[^\w\s,.]", folded[start:stop]) is not None
            return DateMatch(iso, start, stop, glued)
    return None


def find_date(text: str) -> DateMatch | None:
    """The first date written anywhere in ``text`` (offsets refer to ``text``)."""
    text = nfc(text)
    folded = fold(text)
    found: list[DateMatch] = []
    for pattern, source in ((_DATE_ISO, text), (_DATE_WRITTEN, folded), (_DATE_NUMERIC, text),
                            (_DATE_COMPACT, text)):
        for m in pattern.finditer(source):
            got = _make_date(m.group("d"), m.group("m"), m.group("y"))
            if got:
                stray = bool(m.groupdict().get("stray"))
                found.append(DateMatch(got[0], m.start(), m.end(), got[1] or stray))
                break
    words = _words_date(folded)
    if words:
        found.append(words)
    if not found:
        slip = _DATE_WRITTEN_SLIP.search(folded)
        got = _make_date(slip.group("d"), slip.group("m"), slip.group("y")) if slip else None
        if slip and got:
            found.append(DateMatch(got[0], slip.start(), slip.end(), True))
    return min(found, key=lambda f: (f.start, f.guessed), default=None)


def normalise_date(text: str) -> Normalised | None:
    """A date in any usual Vietnamese form → 'YYYY-MM-DD'; None if none is there."""
    got = find_date(text)
    return Normalised(got.value, got.guessed) if got else None


NO_EXPIRY = "Không thời hạn"
_NO_EXPIRY = re.compile(r"khong\s*(?:co\s*)?(?:thoi\s*han|gioi\s*han)")


def normalise_expiry(text: str) -> Normalised | None:
    """An expiry date, or 'Không thời hạn' (cards issued after 58 never expire).

    The card prints those words in place of a date; they are a legitimate value, not an
    unreadable one, and are kept as the text 'Không thời hạn'.
    """
    got = find_date(text)
    if got is not None:
        return Normalised(got.value, got.guessed)
    return Normalised(NO_EXPIRY) if _NO_EXPIRY.search(fold(text)) else None


# ---------------------------------------------------------------- money

_MONEY_UNITS = {"ty": 1_000_000_000, "trieu": 1_000_000, "nghin": 1_000, "ngan": 1_000}


def normalise_money(text: str) -> Normalised | None:
    """An amount in VND as digits: '500.000.000 đồng' and '500 triệu đồng' → '500000000'.

    Also '1,5 tỷ đồng' and amounts in words ('Năm trăm triệu đồng').
    """
    folded = fold(clean_text(text))
    m = re.search(r"(\d[\d.,\s]*\d|\d)\s*(ty|trieu|nghin|ngan)\b", folded)
    if m:
        number = re.sub(r"\s", "", m.group(1))
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number):
            amount = int(re.sub(r"[.,]", "", number))
        else:
            try:
                amount = float(number.replace(",", "."))  # decimal comma: 1,5 tỷ
            except ValueError:
                return None
        return Normalised(str(round(amount * _MONEY_UNITS[m.group(2)])))
    m = re.search(r"\d{1,3}(?:[.,\s]\d{3})+(?!\d)|\d+", folded)
    if m:
        return Normalised(re.sub(r"\D", "", m.group()))
    words = re.findall(r"[a-z]+", folded)
    words = [w for w in words if w not in ("dong", "vnd", "chan", "bang", "chu")]
    amount = words_to_number(words)
    return Normalised(str(amount), guessed=True) if amount else None



# ---------------------------------------------------------------- plain numbers

_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d.,]\d)|\d+(?:[.,]\d+)?")


def normalise_number(text: str) -> Normalised | None:
    """A count or measure (parcel number, map sheet, area, height): digits, '.' for decimals.

    Land and building forms write Vietnamese style, '1.250,5 m²' or '120,5 m2'; the value
    is the first number, thousands dots dropped and the decimal comma made a dot
    ('1250.5'), so that values compare across papers. OCR's letters for digits are
    repaired only inside a token that is mostly digits ('l2O' → '120'), and marked guessed.
    """
    tokens = []
    guessed = False
    for token in clean_text(text).split():
        got = _digitise_token(token)
        if got is not None and got[1]:
            guessed = True
            tokens.append(got[0])
        else:
            tokens.append(token)
    m = _NUMBER.search(" ".join(tokens))
    if m is None:
        return None
    number = m.group()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", number):
        number = number.replace(".", "")
    number = number.replace(",", ".")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return Normalised(number, guessed=guessed)


_CODE = re.compile(r"^[^\W_]+(?:[ /.\-][^\W_]+)*$")


def normalise_code(text: str) -> Normalised | None:
    """A register code or serial kept as printed ('CS 01234', 'AĐ 123456'), upper case.

    Codes are letters and digits, not words: they must hold a digit, and nothing but
    letters, digits and single separators; anything else is not a code.
    """
    value = clean_text(text).rstrip(".").strip().upper()
    if not value or not any(c.isdigit() for c in value) or not _CODE.match(value):
        return None
    return Normalised(value)
