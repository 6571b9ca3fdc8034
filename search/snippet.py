"""Highlighted snippets on the original (diacritics-kept) text.

Built in Python from the stored page text rather than by the database, so
both backends produce the same snippet, and the highlight lands on the text
as printed even though matching happened on folded tokens.
"""

from __future__ import annotations

from search.folding import spans
from search.query import ParsedQuery, Term

OPEN, CLOSE = "«", "»"
WINDOW_TOKENS = 24
MAX_HITS = 200  # the window search is quadratic in hits; a page rarely needs more


def _find_hits(words: list[str], query: ParsedQuery) -> list[tuple[int, int, int]]:
    """(first token, last token, term index) of every match, left to right.

    Terms are looked up by their first word, so the cost is one dict lookup
    per token rather than one comparison per token and term.
    """
    by_first: dict[str, list[tuple[int, Term]]] = {}
    prefixes: list[tuple[int, str]] = []
    for ti, term in enumerate(query.terms):
        if len(term.folded) == 1 and term.prefix:
            prefixes.append((ti, term.folded[0]))
        else:
            by_first.setdefault(term.folded[0], []).append((ti, term))
    hits: list[tuple[int, int, int]] = []
    i, count = 0, len(words)
    while i < count:
        word, step = words[i], 1
        for ti, term in by_first.get(word, ()):
            n = len(term.folded)
            if i + n <= count and all(
                    words[i + k] == want or (term.prefix and k == n - 1
                                             and words[i + k].startswith(want))
                    for k, want in enumerate(term.folded)):
                hits.append((i, i + n - 1, ti))
                step = n
                break
        else:
            for ti, start in prefixes:
                if word.startswith(start):
                    hits.append((i, i, ti))
                    break
        i += step
    return hits


def snippet(text: str, query: ParsedQuery, window: int = WINDOW_TOKENS) -> str | None:
    """The best window of `text` with hits wrapped in « »; None when nothing matches."""
    toks = spans(text)
    hits = _find_hits([t[2] for t in toks], query)[:MAX_HITS]
    if not hits:
        return None
    best_start, best_key = 0, (-1, -1)
    for start, _, _ in hits:
        inside = [h for h in hits if h[0] >= start and h[1] < start + window]
        key = (len({h[2] for h in inside}), len(inside))
        if key > best_key:
            best_start, best_key = start, key
    lo = max(0, best_start - 4)
    hi = min(len(toks), lo + window) - 1
    marked = [(toks[a][0], toks[b][1]) for a, b, _ in hits if a >= lo and b <= hi]
    out: list[str] = []
    pos = toks[lo][0]
    for start, end in marked:
        out.append(text[pos:start])
        out.append(OPEN + text[start:end] + CLOSE)
        pos = end
    out.append(text[pos:toks[hi][1]])
    body = " ".join("".join(out).split())
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(toks) - 1 else ""
    return f"{prefix}{body}{suffix}"


def best_snippet(texts: list[str], query: ParsedQuery) -> str:
    """First text with a hit (OCR text, then field values); else the page's opening words."""
    for text in texts:
        found = snippet(text, query)
        if found:
            return found
    return opening(texts)


def opening(texts: list[str]) -> str:
    """The opening words of the first non-empty text (a browse hit, or no hit in any text)."""
    for text in texts:
        words = text.split()
        if words:
            cut = "…" if len(words) > WINDOW_TOKENS else ""
            return " ".join(words[:WINDOW_TOKENS]) + cut
    return ""
