"""Where a hit's page image and its document's PDF are: object keys and web app links.

The search tables stay independent of the records models; but hoso keeps the
index in the records database, so the records tables (`pages`, `documents`,
`stored_objects`) are read here with one plain SQL join per result page.
Looking the keys up at search time, rather than copying them into the index,
means a hit never points at an object that a reprocessing or `fsck --repair`
has since replaced.  A search-only database gives hits without links.

The links are the web app's own routes, which check the caller's agency again
(another agency's dossier is a 404 there, whatever the link says).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

from search.base import SearchHit

RECORD_TABLES = ("pages", "documents", "stored_objects")

# One row per page of the given dossiers: its document's position, the page
# image key and the document PDF key (None when not kept, e.g. a PDF text layer).
_SQL = """
SELECT p.dossier_id, p.page_index, d.position, img.key, pdf.key
FROM pages p
LEFT JOIN documents d ON d.id = p.document_id
LEFT JOIN stored_objects img ON img.dossier_id = p.dossier_id AND img.kind = 'page'
     AND img.page_index = p.page_index
LEFT JOIN stored_objects pdf ON pdf.dossier_id = p.dossier_id AND pdf.kind = 'pdf'
     AND pdf.document_id = p.document_id
WHERE p.dossier_id IN ({marks})
ORDER BY img.id, pdf.id
"""

Rows = Sequence[tuple[str, int, int | None, str | None, str | None]]


def page_image_url(dossier_code: str, page: int) -> str:
    """The desk's page image route (webapp/pages.py), 0-based page."""
    return f"/ho-so/{quote(dossier_code, safe='')}/trang/{int(page)}"


def pdf_url(dossier_code: str, document: int) -> str:
    """The desk's document PDF route (webapp/pages.py), 0-based document position."""
    return f"/ho-so/{quote(dossier_code, safe='')}/giay-to/{int(document)}.pdf"


def links_sql(count: int, mark: str) -> str:
    """The lookup for `count` record ids, with the driver's placeholder (`?` or `%s`)."""
    return _SQL.format(marks=",".join([mark] * count))


def attach(hits: list[SearchHit], fetch: Callable[[list[str]], Rows]) -> None:
    """Fill each hit's keys and links from `fetch(record_ids)` (rows as in `_SQL`)."""
    if not hits:
        return
    found: dict[tuple[str, int], tuple[int | None, str | None, str | None]] = {}
    for record_id, page, position, image_key, pdf_key in fetch(
            sorted({h.record_id for h in hits})):
        # The first image/PDF row wins, as in the web app's own lookup.
        found.setdefault((record_id, int(page)), (position, image_key, pdf_key))
    for hit in hits:
        position, image_key, pdf_key = found.get((hit.record_id, hit.page), (None, None, None))
        hit.document = position
        hit.page_image_key = image_key
        hit.pdf_key = pdf_key
        hit.page_image_url = page_image_url(hit.dossier_code, hit.page) if image_key else None
        hit.pdf_url = (pdf_url(hit.dossier_code, position)
                       if pdf_key and position is not None else None)
