"""Loose matching of what staff type: case and diacritics ignored ("dang ky" ≈ "Đăng ký")."""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "matches"]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def matches(query: str, *texts: str) -> bool:
    """True when every word of ``query`` occurs in one of ``texts`` (empty query: all)."""
    haystack = " ".join(fold(t) for t in texts)
    return all(word in haystack for word in fold(query).split())
