"""Case and Vietnamese-diacritic folding, and the one tokeniser used everywhere.

Indexing and querying must cut text into the same tokens and fold them the
same way, or a query silently misses pages.  Both backends therefore never
see raw text: they get space-joined tokens produced here, so SQLite's
unicode61 tokenizer and PostgreSQL's 'simple' parser only split on spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A token is a run of letters/digits plus any combining marks; "_" is turned
# into a space first (OCR renders form blanks as ____).
_TOKEN = re.compile(r"[\w\u0300-\u036f]+")
_SPACE = re.compile(r"\s+")


def _build_table() -> dict[int, str]:
    """Precomposed Latin letters → base letters, for text outside the fast path
    (letters of other languages mixed with Vietnamese).  `đ` has no Unicode
    decomposition, so it is mapped by hand.
    """
    table: dict[int, str] = {}
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char)
                       if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    for char in "đĐðÐ":  # Ð (eth) is a common stand-in for Đ in legacy-encoded text
        table[ord(char)] = "d"
    return table


_TABLE = _build_table()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# The combining marks Vietnamese letters decompose into (NFD): grave, acute,
# tilde, hook, dot below, circumflex, breve, horn.
_VIET_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b")


def _strip_marks(lowered: str) -> str:
    """Fast path: NFD then drop to ASCII, valid when only Vietnamese marks were non-ASCII."""
    lowered = lowered.replace("đ", "d").replace("ð", "d")
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFD", lowered)
    ascii_only = decomposed.encode("ascii", "ignore")
    if len(decomposed) - len(ascii_only) == sum(map(decomposed.count, _VIET_MARKS)):
        return ascii_only.decode("ascii")
    # Other scripts or marks: strip every combining mark, keep the letters.
    folded = lowered.translate(_TABLE)
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFD", folded)
                         if not unicodedata.combining(c))
        folded = unicodedata.normalize("NFC", folded)
    return folded


def fold(text: str) -> str:
    """NFC, lower-case, strip diacritics (đ → d), collapse whitespace."""
    folded = _strip_marks(unicodedata.normalize("NFC", text).lower())
    return _SPACE.sub(" ", folded).strip()


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


def fold_token(token: str) -> str:
    """Fold one lower-case token; ASCII (numbers, unaccented words) is already folded."""
    return token if token.isascii() else _fold_word(token)


def exact_tokens(text: str) -> list[str]:
    """Lower-cased NFC tokens that keep their diacritics (for the exact boost)."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower().replace("_", " "))


def tokens(text: str) -> list[str]:
    """Folded tokens of `text` (what the index matches on)."""
    return [f for f in map(fold_token, exact_tokens(text)) if f]


def index_docs(text: str) -> tuple[str, str]:
    """(exact column, folded column): space-joined tokens, tokenised once.

    The folded column is the exact column folded in one pass: folding never
    creates or removes a separator, so both columns (and the query side,
    which uses the same functions) cut words identically.
    """
    exact = " ".join(exact_tokens(text))
    folded = _strip_marks(exact)
    if "  " in folded or folded.startswith(" ") or folded.endswith(" "):
        folded = " ".join(folded.split())  # a token that was only marks
    return exact, folded


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded token) over `text` itself (NFC), for highlighting snippets.

    The tokens are folded in one pass over their space-joined form (folding never
    adds or removes a space), which keeps snippets cheap on long pages.
    """
    matches = list(_TOKEN.finditer(text.replace("_", " ")))
    folded = _strip_marks(" ".join([m.group() for m in matches]).lower()).split(" ")
    if len(folded) != len(matches):  # exotic case mapping: fold token by token
        folded = [fold_token(m.group().lower()) for m in matches]
    return [(*m.span(), word) for m, word in zip(matches, folded, strict=True) if word]
