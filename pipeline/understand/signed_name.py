"""The signer's name printed again under the signature: a second reading of a form's name.

A Vietnamese form ends with '(Ký, ghi rõ họ, chữ đệm, tên)' and the signer's name below
it. OCR of a photocopy slips a tone mark on one reading or the other ('Lý Thành Sợn'
beside 'Lý Thành Sơn'). When the two readings have the same letters and differ only in
marks, the word Tesseract read clearly (a word confidence higher by a margin) is the
better reading; on a tie nothing changes, as a mark cannot be guessed from one paper.
"""

from __future__ import annotations

import re
from itertools import pairwise

from pipeline.understand.normalise import clean_text, fold, natural_case_name, normalise_name

__all__ = ["better_spelling", "signature_names", "word_confidences"]

_SIGN_CAPTION = re.compile(r"\(\s*ky\b[^)]*ghi\s*ro\s*ho")
LOOKAHEAD = 2
"""Lines after the caption where the printed name may stand (a blank line between)."""
CONFIDENCE_MARGIN = 0.03
"""How much clearer a word must be read to replace the other reading's (Tesseract gives
both readings of a clean photocopy 0.95–0.96; a slipped mark mostly costs more)."""

WordConf = tuple[str, float]
PlacedWord = tuple[str, float, int, int]
"""A word's text, confidence, left and right edge."""
COLUMN_GAP_WIDTHS = 2.0
"""A gap wider than this many median word widths parts two signers' columns ('Lý Mỹ Hằng
⟷ Lý Minh Tuấn Nghĩa' under the two captions of a marriage form)."""


def word_confidences(value: str, words: list[WordConf]) -> list[float] | None:
    """Each word of the normalised ``value`` with the OCR confidence of the word it was
    read from, in order; None when a word was repaired (it has no reading of its own)."""
    out: list[float] = []
    rest = list(words)
    for word in value.split():
        for k, (text, conf) in enumerate(rest):
            if natural_case_name(clean_text(text).strip(".,:;")) == word:
                out.append(conf)
                rest = rest[k + 1:]
                break
        else:
            return None
    return out


def _columns(words: list[PlacedWord]) -> list[list[PlacedWord]]:
    """The words of one line split where a gap is far wider than a word (two columns)."""
    if len(words) < 2:
        return [words] if words else []
    widths = sorted(w[3] - w[2] for w in words)
    wide = COLUMN_GAP_WIDTHS * widths[len(widths) // 2]
    out: list[list[PlacedWord]] = [[words[0]]]
    for prev, word in pairwise(words):
        if word[2] - prev[3] > wide:
            out.append([])
        out[-1].append(word)
    return out


def signature_names(lines: list[tuple[str, list[PlacedWord]]]) -> list[tuple[str, list[float]]]:
    """(name, its word confidences) printed under each signature caption of the lines;
    two captions side by side have a name each under them."""
    out: list[tuple[str, list[float]]] = []
    for i, (text, _) in enumerate(lines):
        captions = len(_SIGN_CAPTION.findall(fold(text)))
        if not captions:
            continue
        for below, words in lines[i + 1:i + 1 + LOOKAHEAD]:
            if not below.strip():
                continue
            columns = _columns(words) if captions > 1 else [words]
            texts = [" ".join(w[0] for w in c) for c in columns] if captions > 1 else [below]
            for column, name_text in zip(columns, texts, strict=True):
                got = normalise_name(name_text)
                if got is not None and not got.guessed and len(got.value.split()) >= 2:
                    confs = word_confidences(got.value, [(w[0], w[1]) for w in column])
                    if confs is not None:
                        out.append((got.value, confs))
            break
    return out


def better_spelling(value: str, confs: list[float], signed: list[tuple[str, list[float]]],
                    rivals: list[str]) -> str | None:
    """``value`` with each word the signature reads more clearly in its spelling, or None.

    Not when another name field of the form has the same letters with other marks (two
    people named 'Thu' and 'Thư': the signature is only one of them).
    """
    key = fold(value)
    if any(fold(r) == key and r != value for r in rivals):
        return None
    best, best_conf = value.split(), list(confs)
    for name, name_confs in signed:
        if fold(name) != key or name == value or len(name.split()) != len(best):
            continue
        for k, word in enumerate(name.split()):
            if word != best[k] and name_confs[k] >= best_conf[k] + CONFIDENCE_MARGIN:
                best[k], best_conf[k] = word, name_confs[k]
    better = " ".join(best)
    return better if better != value else None
