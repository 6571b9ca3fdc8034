"""Identity numbers OCR slipped a digit of, repaired from the rest of the dossier.

One person's 12-digit number is often printed on several papers of a dossier (the
tờ khai, the card, the card's QR). OCR of a photocopy slips one digit now and then
('822…' for '022…', '…651' for '…631'). The number's own structure (Thông tư
07/2016/TT-BCA, see ``identity``) and the other papers tell such a slip from a
number that is really different, in three cases only:

* **contradicted and corroborated** — the reading fails the validator (province code,
  century-and-sex digit, birth-year digits against the holder's birth date and sex)
  and exactly one other paper's reading, which passes, differs from it by one digit
  or by two neighbouring digits swapped. Two independent readings agree on the other
  eleven digits and the validator settles the twelfth: the repair is trusted.
* **contradicted, one fit** — the reading's own digits are impossible (no such
  province code, a birth year still to come), nothing in the dossier is one slip
  away, and exactly one one-slip change passes every check. The value is proposed
  and stays marked for review.
* **doubted, corroborated** — the reading passes the validator but Tesseract doubted
  it, and the same person (same shared role, or same name) carries on another paper
  a number read cleanly (the card's QR, a clean print) one slip away. The clean one
  is proposed and the field stays marked for review; no mismatch is claimed on the
  strength of a blurred digit.

Every repair is reported (kind ``so_dinh_danh_da_sua``) with both readings, so the
officer sees what was read and why it was changed. A number read cleanly is never
changed, so a number really mistyped on a form still disagrees with the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.crosscheck import PEOPLE, SHARED_ROLES
from pipeline.understand.fields import (
    GUESS_PENALTY,
    REVIEW_THRESHOLD,
    ExtractedDocument,
    Field,
)
from pipeline.understand.identity import NUMBER_REPAIRED, Problem, validate_cccd
from pipeline.understand.normalise import fold

__all__ = ["CLEAN_NUMBER_CONFIDENCE", "repair_numbers", "slips"]

REPAIR_KIND = NUMBER_REPAIRED
CLEAN_NUMBER_CONFIDENCE = 0.94
"""Tesseract gives a 12-digit word it read right 0.95–0.96 on printed forms and cards: one
doubtful glyph pulls the word down a few points. On the bench's 95 cached dossiers, 173 of
the 12-digit words read right are at 0.94 or more, and every one of the 4 read with a slip
is at 0.93 or less (a tạm vắng form's '…397' for '…307' at 0.93, on a line whose other
words are at 0.95–0.96). Below this, a number one slip away from a clean reading of the
same person is taken for a slip, not a different number; it stays marked for review."""
# Validator kinds that say the digits themselves are impossible, whoever the holder is.
_INTRINSIC = {"ma_tinh_khong_hop_le", "nam_sinh_khong_hop_le"}
_VALIDATOR_KINDS = _INTRINSIC | {"gioi_tinh_the_ky_khong_khop", "nam_sinh_khong_khop"}
# Sex a role implies, where the form prints no sex of that person.
_ROLE_SEX = {"ben_nu": "Nữ", "ben_nam": "Nam", "me": "Nữ", "cha": "Nam"}
_ISO = re.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True, slots=True)
class _Reading:
    document: int
    type_name: str
    field_id: str
    field: Field
    role: str
    name: str | None  # folded name of the holder on that paper, when read with confidence
    birth: str | None
    sex: str | None


def _usable(f: Field | None) -> bool:
    return f is not None and bool(f.value) and not f.needs_review and (
        f.confidence >= REVIEW_THRESHOLD)


def _clean(f: Field) -> bool:
    return f.source == "qr" or (not f.needs_review and f.confidence >= CLEAN_NUMBER_CONFIDENCE)


def slips(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one digit, or by two neighbouring digits swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and (a[diff[0]], a[diff[1]]) == (
        b[diff[1]], b[diff[0]])


def _one_slip_away(number: str) -> set[str]:
    out = {number[:i] + d + number[i + 1:] for i in range(len(number)) for d in "0123456789"}
    out |= {number[:i] + number[i + 1] + number[i] + number[i + 2:]
            for i in range(len(number) - 1)}
    out.discard(number)
    return out


def _readings(documents: list[tuple[str, str, ExtractedDocument]]) -> list[_Reading]:
    out: list[_Reading] = []
    for index, (type_id, type_name, fields) in enumerate(documents):
        for role, name_id, number_id, birth_id in PEOPLE.get(type_id, ()):
            number = fields.get(number_id) if number_id else None
            if number is None or not re.fullmatch(r"\d{12}", number.value or ""):
                continue
            name = fields.get(name_id) if name_id else None
            birth = fields.get(birth_id) if birth_id else None
            sex = fields.get("gioi_tinh") if type_id == "cccd" else None
            out.append(_Reading(
                index, type_name, number_id, number, role,
                " ".join(fold(name.value).split()) if name and _usable(name) else None,
                birth.value if _usable(birth) and _ISO.fullmatch(birth.value) else None,
                sex.value if _usable(sex) else _ROLE_SEX.get(role),
            ))
    return out


def _fails(number: str, r: _Reading) -> list[Problem]:
    return validate_cccd(number, r.birth, r.sex)


def _same_person(a: _Reading, b: _Reading) -> bool:
    return (a.role == b.role and a.role in SHARED_ROLES) or (
        a.name is not None and a.name == b.name)


def _where(r: _Reading) -> str:
    return f"{r.type_name} (trang {r.field.page + 1})"


def _repair(r: _Reading, others: list[_Reading]) -> tuple[Field, str] | None:
    """The repaired field and a Vietnamese note, or None when nothing is sure enough."""
    f = r.field
    if f.source == "qr":
        return None
    problems = _fails(f.value, r)
    if problems:
        fits = {o.field.value: o for o in others
                if not o.field.needs_review and slips(f.value, o.field.value)
                and not _fails(o.field.value, o) and not _fails(o.field.value, r)}
        reason = problems[0].message.rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        if len(fits) == 1:
            value, o = next(iter(fits.items()))
            confidence = o.field.confidence * GUESS_PENALTY
            return replace(f, value=value, confidence=confidence,
                           needs_review=confidence < REVIEW_THRESHOLD), (
                f"{_where(r)}: số định danh đọc được «{f.value}» không hợp lệ: {reason}; "
                f"đã lấy «{value}» theo {_where(o)}, chỉ khác một chữ số.")
        if fits or not {p.kind for p in problems} <= _INTRINSIC:
            return None
        elsewhere = {o.field.value for o in others}
        candidates = [c for c in _one_slip_away(f.value) if not _fails(c, r)]
        if len(candidates) != 1 or candidates[0] in elsewhere:
            return None
        return replace(f, value=candidates[0], confidence=f.confidence * GUESS_PENALTY,
                       needs_review=True), (
            f"{_where(r)}: số định danh đọc được «{f.value}» không hợp lệ: {reason}; "
            f"«{candidates[0]}» là số duy nhất hợp lệ khi sửa một chữ số: cán bộ đối chiếu "
            "với bản giấy.")
    if _clean(f):
        return None
    fits = {o.field.value: o for o in others
            if _clean(o.field) and _same_person(r, o) and slips(f.value, o.field.value)
            and not _fails(o.field.value, r) and not _fails(o.field.value, o)}
    if len(fits) != 1:
        return None
    value, o = next(iter(fits.items()))
    return replace(f, value=value, confidence=min(f.confidence, o.field.confidence) * GUESS_PENALTY,
                   needs_review=True), (
        f"{_where(r)}: số định danh đọc không rõ «{f.value}», {_where(o)} ghi «{value}», chỉ "
        f"khác một chữ số: đã lấy số ấy, cán bộ đối chiếu với bản giấy.")


def repair_numbers(
        documents: list[tuple[str, str, ExtractedDocument]]) -> list[ExtractedDocument]:
    """(type id, type name, fields) per document → the fields with slipped numbers repaired.

    Only the original readings serve as evidence, so one repair never feeds another.
    The validator's complaints about a repaired number give way to the repair's note.
    """
    readings = _readings(documents)
    out = [fields for _, _, fields in documents]
    for r in readings:
        others = [o for o in readings if o.document != r.document]
        found = _repair(r, others)
        if found is None:
            continue
        field_, note = found
        old = out[r.document]
        fields = dict(old)
        fields[r.field_id] = field_
        kept = [p for p in old.problems
                if not (p.kind in _VALIDATOR_KINDS and p.message.startswith(f"{r.field_id}: "))]
        out[r.document] = ExtractedDocument(fields, [*kept, Problem(REPAIR_KIND, note)])
    return out
