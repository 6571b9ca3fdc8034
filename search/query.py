"""The user's query language, parsed by us so raw input never reaches SQL or FTS syntax.

Syntax: plain words (all must match), "quoted phrases", and `prefix*`.
Everything else (punctuation, parentheses, colons, carets, minus signs) is a
word separator.  The upper-case keyword AND is accepted and ignored (AND is
implicit); OR, NOT and NEAR are refused with a clear QueryError rather than
being silently matched as words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from search.folding import exact_tokens, nfc, tokens

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
MIN_PREFIX_CHARS = 2
_UNSUPPORTED = {"OR", "NOT", "NEAR"}
# A quoted phrase (closing quote optional), or a run of non-space, non-quote characters.
_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')


class QueryError(ValueError):
    """The query cannot be searched; the message is safe to show the user."""


@dataclass(frozen=True, slots=True)
class Term:
    """One thing that must match: a word or phrase (folded and exact forms), maybe a prefix."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.folded) > 1


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    terms: tuple[Term, ...]


@dataclass(slots=True)
class SearchQuery:
    """What the caller asks for.  `agency_codes` is the caller's visibility: required."""

    text: str
    agency_codes: list[str]
    procedure: str | None = None
    document_type: str | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    status: str | None = None
    identity_number: str | None = None
    limit: int = 20
    offset: int = 0


def _term(raw: str, prefix: bool) -> Term | None:
    folded = tuple(tokens(raw))
    if not folded:
        return None
    exact = tuple(exact_tokens(raw))
    if len(exact) != len(folded):  # stray combining marks: fall back to folded form
        exact = folded
    if prefix and len(folded[-1]) < MIN_PREFIX_CHARS:
        raise QueryError(f"prefix '{folded[-1]}*' is too short "
                         f"(at least {MIN_PREFIX_CHARS} letters before *)")
    return Term(folded, exact, prefix)


def parse(text: str) -> ParsedQuery:
    """Parse `text`; raise QueryError when nothing searchable is left."""
    if text is None or not text.strip():
        raise QueryError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    terms: list[Term] = []
    for match in _PIECE.finditer(nfc(text)):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            term = _term(phrase, prefix=False)
        else:
            if word == "AND":
                continue
            if word in _UNSUPPORTED:
                raise QueryError(f"operator {word} is not supported: words are all required; "
                                 f'use "quotes" for a phrase')
            term = _term(word, prefix=word.endswith("*"))
        if term is not None and term not in terms:
            terms.append(term)
    if not terms:
        raise QueryError("query has no words to search for")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"too many words ({len(terms)}, at most {MAX_TERMS})")
    return ParsedQuery(tuple(terms))


def has_filter(query: SearchQuery) -> bool:
    """True when the query narrows by something other than words and agency."""
    return any(v not in (None, "") for v in (
        query.procedure, query.document_type, query.date_from, query.date_to, query.status,
        query.identity_number))


def parse_query(query: SearchQuery) -> ParsedQuery:
    """The words of `query`; no terms at all means "browse the newest pages".

    A blank text with at least one filter (procedure, type, dates, status,
    identity number) is a browse: the desk asks "the birth registrations of
    March" without a name.  A blank text without a filter would be the whole
    archive, so it stays an error; text that has no words (only punctuation)
    stays an error too, because the user typed something we cannot search.
    """
    if (query.text is None or not query.text.strip()) and has_filter(query):
        return ParsedQuery(())
    if query.text is None or not query.text.strip():
        raise QueryError("empty query: type words, or give a filter "
                         "(procedure, type, dates, status, identity number)")
    return parse(query.text)


MAX_LIMIT = 1000


def check_paging(query: SearchQuery) -> None:
    """Refuse paging values that would make the database do silly work."""
    if not 1 <= int(query.limit) <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= int(query.offset) <= 100_000:
        raise QueryError("offset must be between 0 and 100000")
