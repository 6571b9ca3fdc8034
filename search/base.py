"""The search interface both backends implement, and the records they exchange."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from search.folding import nfc
from search.query import SearchQuery


def field_value(value: object) -> str:
    """A field as text; accepts the pipeline's {"value": ..., "confidence": ...} form too."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(field_value(v) for v in value)
    return str(value)


def searchable_text(text: str, fields: dict[str, object], identity_numbers: list[str]) -> str:
    """OCR text plus field values and identity numbers: everything a query may hit.

    Backends recompute it from stored columns (to delete or rebuild), so it must
    stay a pure function of them.
    """
    extra = [v for v in map(field_value, fields.values()) if v]
    extra.extend(identity_numbers)
    return nfc("\n".join([text, *extra])) if extra else nfc(text)


def normal_id(number: str) -> str:
    """Identity numbers compare as their letters and digits only (contract: digits)."""
    if number.isalnum():  # the usual case: digits only
        return number.upper()
    return "".join(c for c in number if c.isalnum()).upper()


def meta_token(kind: str, value: str) -> str:
    """One index token standing for an exact filter value (agency, procedure, …).

    Filters become full-text terms so the index intersects them with the words
    instead of the database joining every match back to its row.  Hex keeps the
    token a single run of letters/digits whatever the value contains.
    """
    return f"m{kind}{value.encode('utf-8').hex()}"


def meta_doc(agency: str, procedure: str | None, document_type: str | None,
             status: str | None, identity_numbers: list[str]) -> str:
    values = [("a", agency), ("p", procedure), ("t", document_type), ("s", status)]
    words = [meta_token(kind, v) for kind, v in values if v]
    words.extend(meta_token("i", normal_id(n)) for n in identity_numbers if normal_id(n))
    return " ".join(words)


@dataclass(slots=True)
class PageDoc:
    """One stored page as the index sees it.  (record_id, page) identifies it."""

    record_id: str
    dossier_code: str
    agency_code: str
    procedure: str | None
    document_type: str | None
    page: int
    received_at: date | datetime
    status: str | None = None
    identity_numbers: list[str] = field(default_factory=list)
    text: str = ""
    fields: dict[str, object] = field(default_factory=dict)

    def searchable_text(self) -> str:
        return searchable_text(self.text, self.fields, self.identity_numbers)



@dataclass(slots=True)
class SearchHit:
    """One page found.  The contract's six keys first; the rest were added later
    (search.links fills them from the records; None without records or object)."""

    record_id: str
    dossier_code: str
    document_type: str | None
    page: int
    score: float
    snippet: str
    document: int | None = None          # 0-based position of the page's document
    page_image_key: str | None = None    # object store key of the normalised page image
    pdf_key: str | None = None           # object store key of the document's searchable PDF
    page_image_url: str | None = None    # web app link to the page image
    pdf_url: str | None = None           # web app link to the document's PDF

    def as_dict(self) -> dict[str, object]:
        return {"record_id": self.record_id, "dossier_code": self.dossier_code,
                "document_type": self.document_type, "page": self.page,
                "score": round(self.score, 6), "snippet": self.snippet,
                "document": self.document, "page_image_key": self.page_image_key,
                "pdf_key": self.pdf_key, "page_image_url": self.page_image_url,
                "pdf_url": self.pdf_url}


@dataclass(slots=True)
class SearchResult:
    """`total` is exact unless `total_exact` is False: then the query matched more
    pages than were counted (base.RANK_CAP) and `total` is a lower bound."""

    total: int
    hits: list[SearchHit]
    total_exact: bool = True

    def as_dict(self) -> dict[str, object]:
        return {"total": self.total, "hits": [h.as_dict() for h in self.hits],
                "total_exact": self.total_exact}


EMPTY = SearchResult(0, [])

# A query matching more pages than this ranks only the newest RANK_CAP of them
# (by indexing order) and stops counting there (`total_exact` False), so a
# one-word query on a common syllable costs the same at a million pages as at
# ten thousand: neither backend visits every matching page.  Paging further
# than RANK_CAP widens the window to offset + limit.
RANK_CAP = 1000


def as_datetime(value: date | datetime, end_of_day: bool = False) -> datetime:
    """Dates compare as whole days: `date_to` of a day includes that whole day."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, time.max if end_of_day else time.min)


def batched(items: Iterable[PageDoc], size: int) -> Iterator[list[PageDoc]]:
    batch: list[PageDoc] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class SearchIndex(ABC):
    """Full-text index of stored pages.  Every search is limited to `agency_codes`."""

    def index_page(self, doc: PageDoc) -> None:
        self.index_pages([doc])

    @abstractmethod
    def index_pages(self, docs: Iterable[PageDoc]) -> int:
        """Add or replace pages (by record_id and page) in bulk; return how many."""

    @abstractmethod
    def delete_dossier(self, dossier_code: str) -> int:
        """Remove every page of a dossier; return how many were removed."""

    @abstractmethod
    def delete_record(self, record_id: str) -> int:
        """Remove every page of a record; return how many were removed."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Ranked page hits.  Raises QueryError for a query that cannot be searched."""

    @abstractmethod
    def count(self, agency_codes: list[str] | None = None) -> int:
        """Pages indexed (in the given agencies, or all)."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every page (first step of a full reindex)."""

    @abstractmethod
    def rebuild(self) -> None:
        """Recompute the full-text structures from the stored page rows
        (after a change to folding/tokenisation, or to repair the index)."""

    def optimize(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """Compact the index after a bulk load."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
