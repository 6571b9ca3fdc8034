"""Is the dossier complete? Required components from the catalogue against documents found.

`complete` means every required component (or a lawful substitute) was
handed in *and could be read*: a dossier is never called complete on the
strength of a page we could not classify or read. Inconsistencies between
papers are listed as problems but do not change `complete`: the officer
decides whether a mismatch is a typo to fix at the counter or a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models.catalog import Catalog, NoVersionError, ProcedureVersion

MIN_TYPE_CONFIDENCE = 0.6  # below this a page's type is a guess
MAX_UNREADABLE_SHARE = 0.5  # more of a form's fields unreadable than this: not read


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    message: str  # Vietnamese, for the officer and the citizen

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True, slots=True)
class FoundDocument:
    """What the verdict needs to know about one document."""

    type_id: str
    pages: tuple[int, ...]
    confidence: float
    fields_expected: int
    fields_unreadable: int  # expected fields missing or flagged for review


@dataclass(slots=True)
class Completeness:
    complete: bool
    missing: list[str]
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"complete": self.complete, "missing": list(self.missing),
                "problems": [p.as_dict() for p in self.problems]}


def _pages(doc: FoundDocument) -> str:
    return ", ".join(str(p + 1) for p in doc.pages)


def _readable(doc: FoundDocument) -> bool:
    if doc.confidence < MIN_TYPE_CONFIDENCE:
        return False
    if doc.fields_expected == 0:
        return True
    return doc.fields_unreadable / doc.fields_expected <= MAX_UNREADABLE_SHARE


def check(version: ProcedureVersion, documents: list[FoundDocument],
          catalog: Catalog) -> Completeness:
    missing: list[str] = []
    problems: list[Problem] = []
    unreadable_required = False
    for required in version.required_types():
        present = [d for d in documents if required.accepts(d.type_id)]
        name = catalog.document_type(required.type).name
        if not present:
            missing.append(required.type)
            problems.append(Problem("thieu_thanh_phan", f"Thiếu thành phần hồ sơ: {name}."))
            continue
        if not any(_readable(d) for d in present):
            unreadable_required = True
            doc = present[0]
            problems.append(Problem(
                "khong_doc_duoc",
                f"{name} (trang {_pages(doc)}) không đọc được rõ: cần cán bộ kiểm tra trực "
                "tiếp bản giấy.",
            ))
    return Completeness(not missing and not unreadable_required, missing, problems)


def propose_procedure(catalog: Catalog, type_ids: set[str], on: date) -> str | None:
    """The procedure whose required components the documents cover best, or None."""
    best: tuple[float, int, str] | None = None
    for code, procedure in sorted(catalog.procedures.items()):
        try:
            version = procedure.version_on(on)
        except NoVersionError:
            continue
        required = version.required_types()
        if not required:
            continue
        covered = sum(1 for r in required if any(r.accepts(t) for t in type_ids))
        if covered == 0:
            continue
        key = (covered / len(required), covered, code)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None
