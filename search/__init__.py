"""Full-text search over stored pages, folding case and Vietnamese diacritics.

Usage::

    from search import open_index, PageDoc, SearchQuery
    with open_index(url) as index:
        index.index_pages(docs)
        result = index.search(SearchQuery("nguyen van an", agency_codes=["000.00.00.H26"]))
"""

from search.base import PageDoc, SearchHit, SearchIndex, SearchResult
from search.factory import SearchConfigError, open_index, reindex
from search.folding import fold, tokens
from search.query import QueryError, SearchQuery

__all__ = [
    "PageDoc",
    "QueryError",
    "SearchConfigError",
    "SearchHit",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "fold",
    "open_index",
    "reindex",
    "tokens",
]
