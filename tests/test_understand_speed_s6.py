"""The understanding's speed-ups give exactly what the plain code gave (equivalence, not timing).

Each fast path (memoised line hits, a word prefilter before the label regexes, one
edit-distance bound before five, every title similarity in one ``cdist`` call) is checked
against the straightforward computation it replaces, on real OCR lines and on label texts
with seeded OCR-like slips.
"""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from models.catalog import load_catalog
from pipeline.classify import MIN_RATIO, PageType, _candidates, classify_page, title_patterns
from pipeline.crosscheck import _key
from pipeline.understand import nlp
from pipeline.understand.fields import Field, readable_types
from pipeline.understand.normalise import fold

# Lines as Tesseract read them from generated dossiers (label slips included).
OCR_LINES = [
    ".Họ;chữ đệm, tên người yêu cầu: Phạm Phương Thanh Mai",
    "†io, chứ đệm và tên khai sinh / Full name:",
    "Ngày, thár‡g, năm sinh / Date of birth: 13/08/2000",
    "Số định darih cá nhân / Personal identification number.",
    "Ngày, tháng, năm7 Đate, month, year: 13/06/2022",
    "-_ Nơi cư ‡rú/ Place of residence: Số 121, ngõ 185, đường Điện",
    "- Nơi đẩng ký khai sinh 7 Place of birth: phường Bến Thành,",
    "B CONG AN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Giới tính / Sex; Nữ Quốc tịch / Nationality: Việt Nam",
    "Họ, chữ đệm, tên người rae: Trần Thị Lan",
    "Bên A ủy quyền cho bên B thực hiện",
    "",
    "  ",
]


def _slipped(text: str, rng: random.Random) -> str:
    """A label as OCR might read it: a letter dropped, doubled, swapped or replaced."""
    chars = list(text)
    for _ in range(rng.randint(0, 3)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        op = rng.choice("drsx")
        if op == "d":
            del chars[i]
        elif op == "r":
            chars[i] = rng.choice("aăâeêioôơuưyđrn‡;.,7 ")
        elif op == "s" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, chars[i])
    tail = rng.choice(["", ":", ": Nguyễn Văn An", " 12/03/1990", " / Full name:", "."])
    return "".join(chars) + tail


def _label_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    labels = sorted({p.text for t in readable_types() for p in nlp.label_set(t).patterns.values()})
    return [_slipped(rng.choice(labels), rng) for _ in range(count)]


def _fuzzy_reference(folded: str, enum_end: int, labels: nlp.LabelSet) -> tuple | None:
    """``_fuzzy_start_hit`` as first written: every prefix length, no bound first."""
    rest = folded[enum_end:]
    best = None
    positions = [i for i, c in enumerate(rest) if c.isalnum()]
    compact = "".join(rest[i] for i in positions)
    for label, pat in labels.patterns.items():
        n = len(pat.compact)
        if n < nlp.FUZZY_MIN_LENGTH:
            continue
        for length in range(max(1, n - 2), min(len(compact), n + 2) + 1):
            sim = Levenshtein.normalized_similarity(pat.compact, compact[:length])
            end = positions[length - 1] + 1
            if end < len(rest) and rest[end].isalnum():
                continue
            if sim < nlp.FUZZY_MIN_SIMILARITY or (best is not None and sim <= best[0]):
                continue
            after = nlp._AFTER_LABEL.match(folded, enum_end + end)
            assert after is not None
            if after.group("colon") is None and after.end() < len(folded):
                continue
            best = (sim, after.end(), label)
    return None if best is None else (enum_end, best[1], best[2])


@pytest.mark.parametrize("doc_type", ["cccd", "to_khai_khai_sinh", "giay_uy_quyen"])
def test_fuzzy_label_bound_never_drops_a_match(doc_type: str) -> None:
    labels = nlp.label_set(doc_type)
    lines = OCR_LINES + _label_lines(400, seed=len(doc_type))
    found = 0
    for text in lines:
        folded = fold(text)
        enum_end = nlp._ENUM_PREFIX.match(folded).end()  # type: ignore[union-attr]
        fast = nlp._fuzzy_start_hit(7, folded, enum_end, labels)
        expected = _fuzzy_reference(folded, enum_end, labels)
        assert (None if fast is None else (fast.start, fast.end, fast.label)) == expected, text
        found += expected is not None
    assert found > 20  # the slipped labels really exercise the fuzzy match


def test_label_regex_needs_its_longest_word() -> None:
    lines = [fold(t) for t in OCR_LINES + _label_lines(300, seed=5)]
    for doc_type in readable_types():
        for pat in nlp.label_set(doc_type).patterns.values():
            for folded in lines:
                if pat.regex.search(folded):
                    assert pat.key in folded, (pat.text, folded)


def test_memoised_line_hits_carry_their_own_line_number() -> None:
    labels = nlp.label_set("to_khai_khai_sinh")
    text = "Họ, chữ đệm, tên người yêu cầu: Phạm Phương Thanh Mai"
    first, again = nlp._line_hits(3, text, labels), nlp._line_hits(41, text, labels)
    assert [h.line for h in first] == [3] and [h.line for h in again] == [41]
    assert [(h.start, h.end, h.label) for h in first] == [
        (h.start, h.end, h.label) for h in again]
    assert first[0].label == "Họ, chữ đệm, tên người yêu cầu"


def test_read_pairs_same_with_cold_and_warm_line_cache() -> None:
    labels = nlp.label_set("cccd")
    lines = [*OCR_LINES, *_label_lines(60, seed=9)]
    nlp._hits_on.cache_clear()
    cold = nlp.read_pairs(lines, labels)
    warm = nlp.read_pairs(lines, labels)
    assert cold == warm and cold


def _classify_reference(text: str, patterns: list) -> PageType:
    """``classify_page`` as first written: one ``fuzz.ratio`` per (line, title) pair."""
    best = None
    for folded, raw in _candidates(text.splitlines()):
        for pattern in patterns:
            if abs(len(folded) - len(pattern.folded)) > max(4, len(pattern.folded) // 3):
                continue
            ratio = fuzz.ratio(folded, pattern.folded)
            if ratio < MIN_RATIO:
                continue
            key = (ratio, len(pattern.folded))
            if best is None or key > (best[0], best[1]):
                best = (ratio, len(pattern.folded), pattern, raw)
    if best is not None:
        return PageType(best[2].type_id, best[0] / 100.0, best[3].strip())
    return classify_page(text, [])  # no title: the card-back test, unchanged


def test_classify_same_as_pairwise_ratios() -> None:
    catalog = load_catalog()
    patterns = title_patterns((t.id, t.title_patterns) for t in catalog.document_types.values())
    rng = random.Random(11)
    titles = [t for dt in catalog.document_types.values() for t in dt.title_patterns]
    texts = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
             + _slipped(rng.choice(titles), rng) + "\n" + "\n".join(rng.sample(OCR_LINES, 4))
             for _ in range(150)]
    texts += ["\n".join(OCR_LINES), "", "Đặc điểm nhận dạng: nốt ruồi\nIDVNM1234"]
    typed = 0
    for text in texts:
        got = classify_page(text, patterns)
        assert got == _classify_reference(text, patterns), text
        typed += got.type_id is not None
    assert typed > 60  # most slipped titles still name their type


def test_name_key_folds_as_before() -> None:
    for name in ("Nguyễn  Thị Ánh", "ĐẶNG VĂN  Đức ", "Hoàng Phương.Loan"):
        f = Field(name, 0.9, 0, None, "ocr", name, False)
        assert _key("name", f) == " ".join(fold(name).split())
        assert _key("number", f) == name
