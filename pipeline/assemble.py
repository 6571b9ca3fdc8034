"""Group a sheet-feeder stack's pages into documents.

A titled page starts a document. A page without a title continues a form next
to it (page 2 of a tờ khai), whichever neighbour's field labels it shares more
of, which also catches a two-page form fed back to front. Identity-card copies
never absorb other pages: a card's back joins its front, nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.classify import PageType
from pipeline.understand.nlp import label_set
from pipeline.understand.normalise import fold

CARD = "cccd"
UNKNOWN = "khac"
MAX_FORM_PAGES = 4


@dataclass(slots=True)
class Document:
    type_id: str
    pages: list[int]  # indices into the list of pages given to assemble()
    confidence: float
    titles: list[str] = field(default_factory=list)


def label_affinity(text: str, type_id: str) -> int:
    """How many of a type's printed field labels appear on a page."""
    try:
        labels = label_set(type_id)
    except KeyError:
        return 0
    folded = fold(text)
    return sum(1 for pattern in labels.patterns.values() if pattern.regex.search(folded))


def _continues(doc: Document | None) -> bool:
    return doc is not None and doc.type_id not in (CARD, UNKNOWN) and len(
        doc.pages) < MAX_FORM_PAGES


def assemble(page_types: list[PageType], texts: list[str]) -> list[Document]:
    """Documents in stack order; every page belongs to exactly one."""
    titled: list[Document | None] = []
    for number, kind in enumerate(page_types):
        if kind.type_id is None:
            titled.append(None)
        else:
            titled.append(Document(kind.type_id, [number], kind.confidence, [kind.title]))
    documents: list[Document] = []
    owner: dict[int, Document] = {}
    for number, doc in enumerate(titled):
        if doc is None:
            continue
        previous = documents[-1] if documents else None
        is_card_back = doc.type_id == CARD and doc.titles[0] == "mặt sau thẻ căn cước"
        if (previous is not None and is_card_back and previous.type_id == CARD
                and len(previous.pages) == 1 and previous.pages[0] == number - 1):
            previous.pages.append(number)
            owner[number] = previous
            continue
        documents.append(doc)
        owner[number] = doc
    for number, doc in enumerate(titled):
        if doc is not None:
            continue
        before = _neighbour(owner, number, -1)
        after = _neighbour(owner, number, +1)
        choice = _choose(texts[number], before if _continues(before) else None,
                         after if _continues(after) else None)
        if choice is None:
            choice = Document(UNKNOWN, [], 0.5)
            documents.append(choice)
        choice.pages.append(number)
        owner[number] = choice
    for doc in documents:
        doc.pages.sort()
    documents.sort(key=lambda d: d.pages[0])
    return _merge_unknown_runs(documents)


def _neighbour(owner: dict[int, Document], number: int, step: int) -> Document | None:
    """The document of the nearest page on one side (only across untitled pages)."""
    probe = number + step
    while probe in owner or probe >= 0:
        if probe in owner:
            return owner[probe]
        if probe < 0 or step > 0:
            return None
        probe += step
    return None


def _choose(text: str, before: Document | None, after: Document | None) -> Document | None:
    if before is None or after is None:
        return before or after
    if before.type_id == after.type_id:
        return before
    return after if label_affinity(text, after.type_id) > label_affinity(
        text, before.type_id) else before


def _merge_unknown_runs(documents: list[Document]) -> list[Document]:
    """Consecutive unrecognised pages form one `khac` document, not one each."""
    merged: list[Document] = []
    for doc in documents:
        last = merged[-1] if merged else None
        if (last is not None and doc.type_id == UNKNOWN and last.type_id == UNKNOWN
                and last.pages[-1] + 1 == doc.pages[0]):
            last.pages.extend(doc.pages)
        else:
            merged.append(doc)
    return merged
