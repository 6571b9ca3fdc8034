"""Archive search: folding, query parsing, the SQLite FTS5 backend, and `dossier search`.

The backend checks live in `BackendChecks` so tests/test_search_postgres.py
runs exactly the same ones against PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cli import search_command
from search import (
    PageDoc,
    QueryError,
    SearchConfigError,
    SearchIndex,
    SearchQuery,
    fold,
    open_index,
    reindex,
    tokens,
)
from search.query import parse
from search.sqlite_fts import SqliteSearchIndex

A, B = "001.01.01.H26", "002.02.02.H26"


def page(record: str, dossier: str, number: int, doc_type: str, procedure: str, text: str,
         received: date | datetime, agency: str = A, status: str = "done",
         ids: list[str] | None = None, fields: dict[str, str] | None = None) -> PageDoc:
    return PageDoc(record, dossier, agency, procedure, doc_type, number, received, status,
                   ids or [], text, fields or {})


CORPUS = [
    page("r1", "A-0001", 0, "to_khai_khai_sinh", "1.001193",
         "TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN VĂN AN\nNgày sinh: 12/01/2024\n"
         "Nơi sinh: Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh\nHọ tên mẹ: Trần Thị Bích",
         date(2024, 3, 5), ids=["079203001234"],
         fields={"ho_ten": "Nguyễn Văn An", "me_ho_ten": "Trần Thị Bích"}),
    page("r1", "A-0001", 1, "giay_chung_sinh", "1.001193",
         "GIẤY CHỨNG SINH\nHọ tên mẹ: Trần Thị Bích\nSố định danh: 079186004321\n"
         "Sinh con lúc 08 giờ 30, giới tính: Nam", date(2024, 3, 5), ids=["079186004321"]),
    page("r2", "A-0002", 0, "to_khai_ket_hon", "1.000894",
         "TỜ KHAI ĐĂNG KÝ KẾT HÔN\nBên nữ: Lê Thị Đào\nBên nam: Phạm Đức Duy\n"
         "Nơi cư trú: Phường Đống Đa, Hà Nội", datetime(2023, 6, 10, 9, 15)),
    page("r3", "A-0003", 0, "cccd", "1.004873",
         "CĂN CƯỚC CÔNG DÂN\nSố: 001-090-012345\nHọ và tên: NGUYEN VAN AN\nQuê quán: Hà Nam",
         date(2022, 11, 20), status="processing", ids=["001090012345"]),
    page("r4", "A-0004", 0, "giay_de_nghi_ho_kinh_doanh", "1.001612",
         "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH\nTên hộ kinh doanh: Cà phê Đà Lạt\n"
         "Chủ hộ: Nguyễn Văn Ân\nĐịa chỉ: 12 Lê Lợi, Đà Nẵng", date(2024, 8, 1)),
    page("r5", "A-0005", 0, "giay_uy_quyen", "1.001612",
         "VĂN BẢN ỦY QUYỀN\nNgười ủy quyền ở Đà Nẵng, làm việc tại Đà Nẵng, "
         "nhận hồ sơ tại Đà Nẵng", date(2024, 9, 2)),
    page("r6", "A-0006", 0, "giay_uy_quyen", "1.001612",
         "VĂN BẢN ỦY QUYỀN\nNgười ủy quyền ở Huế, làm việc tại Đà Nẵng, "
         "nhận hồ sơ tại Quảng Nam", date(2024, 9, 3)),
    page("r7", "A-0007", 0, "to_khai_xac_nhan_hon_nhan", "1.004873", "", date(2024, 10, 1),
         fields={"ho_ten": {"value": "Võ Thị Sáu", "confidence": 0.9},  # type: ignore[dict-item]
                 "tinh_trang_hon_nhan": "Độc thân"}),
    page("r9", "B-0001", 0, "to_khai_khai_sinh", "1.001193",
         "TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên: Nguyễn Văn An\nNơi sinh: Đà Nẵng",
         date(2024, 3, 6), agency=B, ids=["079203001234"]),
    # Filler so that bm25's document frequencies look like a real archive's.
    *[page(f"f{i}", f"A-1{i:03d}", 0, "khac", "1.001193",
           f"Ủy ban nhân dân xã Tân Phú tiếp nhận hồ sơ số {i} lúc {i % 12} giờ, "
           "cán bộ tiếp nhận kiểm tra thành phần hồ sơ", date(2021, 1, 1 + i))
      for i in range(14)],
]


def dossiers(result: object) -> list[tuple[str, int]]:
    return [(h.dossier_code, h.page) for h in result.hits]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------
# Folding and parsing (backend-free)
# --------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "folded"), [
    ("NGUYỄN VĂN AN", "nguyen van an"),
    ("Đăng ký  khai\tsinh\n", "dang ky khai sinh"),
    ("đ Đ", "d d"),
    ("Ðà Nẵng", "da nang"),          # eth, a common stand-in for Đ
    ("Thừa Thiên Huế", "thua thien hue"),
    ("Ưng Hoàng Phúc", "ung hoang phuc"),
    ("Quỳnh Ngọc Yến", "quynh ngoc yen"),
    ("Müller Ça", "muller ca"),
])
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_same_for_nfc_and_nfd_input() -> None:
    text = "Nguyễn Thị Hồng Nhung, Đồng Tháp"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)
    assert fold(text) == "nguyen thi hong nhung, dong thap"


def test_tokens_split_on_punctuation_and_underscore() -> None:
    assert tokens("Số: 001-090-012345; ho_ten=Nguyễn") == ["so", "001", "090", "012345", "ho",
                                                          "ten", "nguyen"]


def test_parse_words_phrases_prefixes() -> None:
    parsed = parse('Nguyễn "văn an" bic* AND 2024')
    assert [t.folded for t in parsed.terms] == [("nguyen",), ("van", "an"), ("bic",), ("2024",)]
    assert [t.exact for t in parsed.terms][:2] == [("nguyễn",), ("văn", "an")]
    assert [t.prefix for t in parsed.terms] == [False, False, True, False]


@pytest.mark.parametrize("bad", ["", "   ", "!!! ... ???", "x" * 1001, "a OR b", "NOT a",
                                 "n*", " ".join(f"w{i}" for i in range(40))])
def test_parse_refuses(bad: str) -> None:
    with pytest.raises(QueryError):
        parse(bad)


# --------------------------------------------------------------------------
# Backend checks (run here on SQLite, in test_search_postgres.py on PostgreSQL)
# --------------------------------------------------------------------------

BAD_QUERIES = [
    "", " ", "!!!", "x" * 1001, '"', '""', "*", "(", ")", ":", "^", "-", "NEAR", "AND", "OR",
    "NOT", '" * ( ) : ^ NEAR AND OR NOT -', "nguyen NEAR/2 an", "nguyen OR an", "-nguyen",
    "folded:nguyen", "exact : an", "{exact folded}: an", "an^", "'; DROP TABLE search_pages; --",
    "1' OR '1'='1", "nguyen & van | !an", "van <-> an", "an:*", "\\", "\x00", "%", "_",
    "nguyễn \u0301", "𝓝𝓰𝓾𝔂𝓮𝓷", "🙂",
]


class BackendChecks:
    """Behaviour every SearchIndex must show.  Subclasses provide `index` and `fresh`."""

    def find(self, index: SearchIndex, text: str, agencies: list[str] | None = None,
             **filters: object) -> object:
        return index.search(SearchQuery(text, agencies if agencies is not None else [A],
                                        **filters))  # type: ignore[arg-type]

    # -- folding ---------------------------------------------------------
    def test_no_diacritics_finds_diacritics(self, index: SearchIndex) -> None:
        found = dossiers(self.find(index, "nguyen van an"))
        assert set(found) == {("A-0001", 0), ("A-0003", 0), ("A-0004", 0)}

    def test_dang_ky_finds_dang_ky_with_marks(self, index: SearchIndex) -> None:
        found = set(dossiers(self.find(index, "dang ky")))
        assert {("A-0001", 0), ("A-0002", 0), ("A-0004", 0)} == found

    def test_d_matches_dj(self, index: SearchIndex) -> None:
        assert dossiers(self.find(index, "le thi dao")) == [("A-0002", 0)]
        assert dossiers(self.find(index, "DUC DUY")) == [("A-0002", 0)]

    def test_case_is_ignored(self, index: SearchIndex) -> None:
        upper = self.find(index, "NGUYỄN VĂN AN")
        lower = self.find(index, "nguyễn văn an")
        assert dossiers(upper) == dossiers(lower)
        assert upper.total == 3  # type: ignore[attr-defined]

    # -- ranking ---------------------------------------------------------
    def test_exact_diacritics_rank_first(self, index: SearchIndex) -> None:
        an = dossiers(self.find(index, "Nguyễn Văn An"))
        assert an[0] == ("A-0001", 0)
        assert an.index(("A-0001", 0)) < an.index(("A-0004", 0))
        an_hat = dossiers(self.find(index, "Nguyễn Văn Ân"))
        assert an_hat[0] == ("A-0004", 0)

    def test_more_matches_rank_higher(self, index: SearchIndex) -> None:
        found = self.find(index, "da nang", procedure="1.001612")
        assert dossiers(found)[0] == ("A-0005", 0)
        scores = [h.score for h in found.hits]  # type: ignore[attr-defined]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]

    # -- phrases and prefixes ----------------------------------------------
    def test_phrase(self, index: SearchIndex) -> None:
        assert set(dossiers(self.find(index, '"tran thi bich"'))) == {("A-0001", 0),
                                                                      ("A-0001", 1)}
        assert self.find(index, '"bich thi tran"').total == 0  # type: ignore[attr-defined]
        assert dossiers(self.find(index, '"ca phe da lat"')) == [("A-0004", 0)]

    def test_prefix(self, index: SearchIndex) -> None:
        found = set(dossiers(self.find(index, "ngu* bic*")))
        assert found == {("A-0001", 0)}
        assert ("A-0002", 0) in dossiers(self.find(index, "Phạ* Đứ*"))
        assert self.find(index, '"tran thi bi*"').total == 0  # type: ignore[attr-defined]

    def test_identity_number_as_text(self, index: SearchIndex) -> None:
        assert dossiers(self.find(index, "079186004321")) == [("A-0001", 1)]
        assert dossiers(self.find(index, "001-090-012345")) == [("A-0003", 0)]

    # -- filters ---------------------------------------------------------
    def test_filters(self, index: SearchIndex) -> None:
        def codes(**f: object) -> set[str]:
            return {d for d, _ in dossiers(self.find(index, "nguyen", **f))}

        assert codes() == {"A-0001", "A-0003", "A-0004"}
        assert codes(procedure="1.001193") == {"A-0001"}
        assert codes(document_type="cccd") == {"A-0003"}
        assert codes(status="processing") == {"A-0003"}
        assert codes(date_from=date(2024, 1, 1)) == {"A-0001", "A-0004"}
        assert codes(date_to=date(2024, 3, 5)) == {"A-0001", "A-0003"}  # whole last day
        assert codes(date_from=date(2024, 3, 5), date_to=date(2024, 3, 5)) == {"A-0001"}
        assert codes(date_from=datetime(2024, 3, 5, 12, 0)) == {"A-0004"}
        assert codes(identity_number="079 203 001 234") == {"A-0001"}
        assert codes(identity_number="000000000000") == set()
        assert codes(procedure="1.001193", document_type="cccd") == set()
        exact = self.find(index, "Nguyễn Văn Ân", date_from=date(2024, 1, 1),
                          date_to=date(2024, 12, 31), procedure="1.001612")
        assert dossiers(exact) == [("A-0004", 0)]

    # -- snippets --------------------------------------------------------
    def test_snippet_highlights_original_text(self, index: SearchIndex) -> None:
        hit = next(h for h in self.find(index, "nguyen van an").hits  # type: ignore[attr-defined]
                   if h.dossier_code == "A-0001")
        assert "«NGUYỄN» «VĂN» «AN»" in hit.snippet
        phrase = self.find(index, '"ca phe"').hits[0]  # type: ignore[attr-defined]
        assert "«Cà phê»" in phrase.snippet
        number = self.find(index, "079186004321").hits[0]  # type: ignore[attr-defined]
        assert "«079186004321»" in number.snippet
        prefix = self.find(index, "bic*").hits[0]  # type: ignore[attr-defined]
        assert "«Bích»" in prefix.snippet
        field = self.find(index, "vo thi sau").hits[0]  # type: ignore[attr-defined]
        assert field.dossier_code == "A-0007" and "«Võ» «Thị» «Sáu»" in field.snippet

    def test_hit_fields(self, index: SearchIndex) -> None:
        hit = self.find(index, "giay chung sinh").hits[0]  # type: ignore[attr-defined]
        assert (hit.record_id, hit.dossier_code, hit.document_type, hit.page) == (
            "r1", "A-0001", "giay_chung_sinh", 1)
        assert isinstance(hit.score, float) and hit.score > 0
        assert set(hit.as_dict()) >= {"record_id", "dossier_code", "document_type", "page",
                                      "score", "snippet"}
        # No records tables next to this index: the link keys are there, empty.
        assert hit.as_dict()["page_image_url"] is None and hit.as_dict()["pdf_key"] is None

    # -- the agency limit ----------------------------------------------------
    def test_other_agencies_never_appear(self, index: SearchIndex) -> None:
        for text in ["nguyen van an", "079203001234", "khai sinh", '"da nang"']:
            result = self.find(index, text)
            assert all(h.dossier_code.startswith("A-") for h in result.hits)  # type: ignore[attr-defined]
            assert result.total == len(result.hits)  # type: ignore[attr-defined]
        only_b = self.find(index, "nguyen van an", [B])
        assert dossiers(only_b) == [("B-0001", 0)] and only_b.total == 1  # type: ignore[attr-defined]
        both = self.find(index, "nguyen van an", [A, B])
        assert both.total == 4  # type: ignore[attr-defined]
        assert self.find(index, "nguyen", [A], identity_number="079203001234").total == 1  # type: ignore[attr-defined]

    def test_no_agencies_sees_nothing(self, index: SearchIndex) -> None:
        result = self.find(index, "nguyen van an", [])
        assert result.total == 0 and result.hits == []  # type: ignore[attr-defined]
        assert self.find(index, "nguyen", ["", ""]).total == 0  # type: ignore[attr-defined]
        assert index.count([]) == 0 and index.count([B]) == 1

    # -- paging ----------------------------------------------------------
    def test_paging(self, index: SearchIndex) -> None:
        everything = dossiers(self.find(index, "tiep nhan", limit=50))
        assert len(everything) == 14
        first = self.find(index, "tiep nhan", limit=5)
        second = self.find(index, "tiep nhan", limit=5, offset=5)
        beyond = self.find(index, "tiep nhan", limit=5, offset=100)
        assert dossiers(first) + dossiers(second) == everything[:10]
        assert first.total == second.total == beyond.total == 14  # type: ignore[attr-defined]
        assert beyond.hits == []  # type: ignore[attr-defined]
        for limit, offset in [(0, 0), (-1, 0), (100_000, 0), (5, -1)]:
            with pytest.raises(QueryError):
                self.find(index, "ho so", limit=limit, offset=offset)

    def test_rank_cap_bounds_total_and_ranks_newest(self, index: SearchIndex,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sys.modules[type(index).__module__], "RANK_CAP", 3)
        result = self.find(index, "tiep nhan", limit=5)  # window max(3, 0 + 5) of 14
        assert (result.total, result.total_exact) == (5, False)  # type: ignore[attr-defined]
        assert result.as_dict()["total_exact"] is False  # type: ignore[attr-defined]
        assert {d for d, _ in dossiers(result)} == {f"A-1{i:03d}" for i in range(9, 14)}
        last = self.find(index, "tiep nhan", limit=5, offset=10)  # window 15: all counted
        assert (last.total, last.total_exact, len(last.hits)) == (14, True, 4)  # type: ignore[attr-defined]
        small = self.find(index, "nguyen van an", limit=3)
        assert (small.total, small.total_exact) == (3, True)  # type: ignore[attr-defined]
        browse = self.find(index, "", document_type="khac", limit=2)
        assert (browse.total, browse.total_exact) == (3, False)  # type: ignore[attr-defined]
        assert [d for d, _ in dossiers(browse)] == ["A-1013", "A-1012"]

    # -- filters only: browse the newest -------------------------------------
    def test_filter_only_browses_newest_first(self, index: SearchIndex) -> None:
        result = self.find(index, "", procedure="1.001612")
        assert dossiers(result) == [("A-0006", 0), ("A-0005", 0), ("A-0004", 0)]
        assert result.total == 3 and all(h.score == 0 for h in result.hits)  # type: ignore[attr-defined]
        assert result.hits[0].snippet.startswith("VĂN BẢN ỦY QUYỀN")  # type: ignore[attr-defined]
        march = self.find(index, "  ", date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
        assert dossiers(march) == [("A-0001", 0), ("A-0001", 1)]  # B-0001 is another agency's
        both = self.find(index, "", [A, B], date_from=date(2024, 3, 1),
                         date_to=date(2024, 3, 31))
        assert dossiers(both) == [("B-0001", 0), ("A-0001", 0), ("A-0001", 1)]
        assert dossiers(self.find(index, "", identity_number="079 186 004 321")) == [
            ("A-0001", 1)]
        assert dossiers(self.find(index, "", [B], identity_number="079203001234")) == [
            ("B-0001", 0)]
        assert self.find(index, "", [A], status="processing").total == 1  # type: ignore[attr-defined]
        assert self.find(index, "", [], procedure="1.001193").total == 0  # type: ignore[attr-defined]
        fields_only = self.find(index, "", document_type="to_khai_xac_nhan_hon_nhan")
        assert "Võ Thị Sáu" in fields_only.hits[0].snippet  # type: ignore[attr-defined]

    def test_filter_only_limit_and_paging(self, index: SearchIndex) -> None:
        filler = self.find(index, "", document_type="khac", limit=5)
        assert filler.total == 14 and len(filler.hits) == 5  # type: ignore[attr-defined]
        assert [d for d, _ in dossiers(filler)] == [f"A-1{i:03d}" for i in (13, 12, 11, 10, 9)]
        rest = self.find(index, "", document_type="khac", limit=5, offset=12)
        assert [d for d, _ in dossiers(rest)] == ["A-1001", "A-1000"]
        with pytest.raises(QueryError):
            self.find(index, "", document_type="khac", limit=0)

    def test_empty_query_without_filter_is_refused(self, index: SearchIndex) -> None:
        for text in ["", "   "]:
            with pytest.raises(QueryError, match="filter"):
                self.find(index, text)
        with pytest.raises(QueryError):  # typed something unsearchable: not a browse
            self.find(index, "!!!", procedure="1.001193")

    # -- links to the page image and the document PDF --------------------------
    def test_hits_link_to_page_image_and_pdf(self, fresh_url: str) -> None:
        codes = records_with_objects(fresh_url)
        with open_index(fresh_url) as idx:
            result = self.find(idx, "nguyen van an")
            by_page = {(h.dossier_code, h.page): h.as_dict()  # type: ignore[attr-defined]
                       for h in result.hits}  # type: ignore[attr-defined]
            assert set(by_page) == {(codes[0], 0), (codes[0], 1)}
            first, second = by_page[(codes[0], 0)], by_page[(codes[0], 1)]
            assert first["page_image_key"] == "k/page-0.png"
            assert first["page_image_url"] == f"/ho-so/{codes[0]}/trang/0"
            assert first["pdf_key"] == "k/doc-0.pdf" and first["document"] == 0
            assert first["pdf_url"] == f"/ho-so/{codes[0]}/giay-to/0.pdf"
            # Page 1 is a PDF text layer (no image kept) in the second document.
            assert second["page_image_key"] is None and second["page_image_url"] is None
            assert second["pdf_key"] == "k/doc-1.pdf"
            assert second["pdf_url"] == f"/ho-so/{codes[0]}/giay-to/1.pdf"
            browsed = self.find(idx, "", procedure="1.001193").hits  # type: ignore[attr-defined]
            assert browsed[0].page_image_key == "k/page-0.png"
            other = self.find(idx, "nguyen van an", ["000.00.00.H99"])
            assert other.total == 0  # type: ignore[attr-defined]

    # -- bad queries -----------------------------------------------------
    @pytest.mark.parametrize("text", BAD_QUERIES)
    def test_bad_queries_never_reach_the_database(self, index: SearchIndex, text: str) -> None:
        try:
            result = self.find(index, text)
        except QueryError as exc:
            assert str(exc)
        else:
            assert result.total == len(result.hits)  # type: ignore[attr-defined]
        assert index.count() == len(CORPUS)

    # -- writing ---------------------------------------------------------
    def test_replace_delete_rebuild(self, fresh: SearchIndex) -> None:
        assert fresh.index_pages(CORPUS) == len(CORPUS)
        fresh.index_page(page("r2", "A-0002", 0, "to_khai_ket_hon", "1.000894",
                              "Bên nữ: Hoàng Thị Mai", date(2023, 6, 10)))
        assert fresh.count() == len(CORPUS)
        assert self.find(fresh, "le thi dao").total == 0  # type: ignore[attr-defined]
        assert dossiers(self.find(fresh, "hoang thi mai")) == [("A-0002", 0)]
        assert fresh.delete_dossier("A-0001") == 2
        assert fresh.delete_dossier("A-0001") == 0
        assert self.find(fresh, "tran thi bich").total == 0  # type: ignore[attr-defined]
        assert fresh.delete_record("r9") == 1 and fresh.count([B]) == 0
        fresh.rebuild()
        assert set(dossiers(self.find(fresh, "nguyen van an"))) == {("A-0003", 0), ("A-0004", 0)}
        assert reindex(fresh, CORPUS[:3]) == 3 and fresh.count() == 3
        assert self.find(fresh, "ha noi").total == 1  # type: ignore[attr-defined]


def records_with_objects(url: str) -> list[str]:
    """A recorded dossier of agency A (2 pages, 2 documents, image of page 0 only, a PDF
    per document), indexed from the records as the pipeline does; its code."""
    from intake.indexing import index_dossier
    from models.database import open_database
    from models.records import Agency, Document, Dossier, Page, Procedure, StoredObjectRecord

    engine, sessions = open_database(url)
    try:
        with sessions() as s:
            agency = Agency(code=A, name="UBND xã thử")
            procedure = Procedure(code="1.001193", name="Đăng ký khai sinh")
            dossier = Dossier(code=f"{A}-240305-0001", agency=agency, procedure=procedure,
                              status="done", received_at=datetime(2024, 3, 5, 1, 0, tzinfo=UTC))
            s.add_all([agency, procedure, dossier])
            s.flush()
            docs = [Document(dossier_id=dossier.id, position=i, type_id=t, first_page=i,
                             page_count=1) for i, t in enumerate(["to_khai_khai_sinh",
                                                                  "giay_chung_sinh"])]
            s.add_all(docs)
            s.flush()
            texts = ["TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN VĂN AN",
                     "GIẤY CHỨNG SINH\nTên dự kiến: Nguyễn Văn An"]
            for i, text in enumerate(texts):
                s.add(Page(dossier_id=dossier.id, page_index=i, document_id=docs[i].id,
                           source="ocr" if i == 0 else "text-layer", text=text, dpi=300))
                s.add(StoredObjectRecord(dossier_id=dossier.id, key=f"k/doc-{i}.pdf",
                                         sha256="0" * 64, size=1, content_type="application/pdf",
                                         kind="pdf", document_id=docs[i].id))
            s.add(StoredObjectRecord(dossier_id=dossier.id, key="k/page-0.png", sha256="1" * 64,
                                     size=1, content_type="image/png", kind="page",
                                     page_index=0))
            s.commit()
            code = dossier.code
        assert index_dossier(sessions, url, code) == 2
    finally:
        engine.dispose()
    return [code]


# --------------------------------------------------------------------------
# SQLite
# --------------------------------------------------------------------------

class TestSqlite(BackendChecks):
    @pytest.fixture(scope="class")
    @classmethod
    def index(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
        idx = open_index(f"sqlite:///{tmp_path_factory.mktemp('search') / 'hoso.sqlite3'}")
        idx.index_pages(CORPUS)
        idx.optimize()
        yield idx
        idx.close()

    @pytest.fixture
    def fresh(self, tmp_path: Path) -> Iterator[SearchIndex]:
        idx = open_index(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        yield idx
        idx.close()

    @pytest.fixture
    def fresh_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'records.sqlite3'}"

    def test_reopen_keeps_pages(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'again.sqlite3'}"
        with open_index(url) as idx:
            idx.index_pages(CORPUS)
        with open_index(url) as idx:
            assert idx.count() == len(CORPUS)
            assert self.find(idx, "nguyen van an").total == 3  # type: ignore[attr-defined]


def test_factory_default_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_DATABASE_URL", raising=False)
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "home"))
    with open_index("") as idx:
        assert isinstance(idx, SqliteSearchIndex)
    assert (tmp_path / "home" / "hoso.sqlite3").is_file()
    for url in ["mysql://u:p@h/db", "not a url"]:
        with pytest.raises(SearchConfigError):
            open_index(url)


# --------------------------------------------------------------------------
# `dossier search` (run() through a parser built with add_parser)
# --------------------------------------------------------------------------

def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dossier")
    search_command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["search", *argv])
    return int(args.run(args))


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    with open_index(url) as idx:
        idx.index_pages(CORPUS)
    monkeypatch.setenv("DOSSIER_DATABASE_URL", url)
    monkeypatch.setenv("DOSSIER_AGENCY_CODE", A)
    return url


def test_cli_json_contract(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["nguyen van an", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"total", "hits", "total_exact"} and out["total"] == 3
    assert out["total_exact"] is True
    assert all(set(h) == {"record_id", "dossier_code", "document_type", "page", "score",
                          "snippet", "document", "page_image_key", "pdf_key",
                          "page_image_url", "pdf_url"} for h in out["hits"])
    assert {h["dossier_code"] for h in out["hits"]} == {"A-0001", "A-0003", "A-0004"}
    assert "«NGUYỄN» «VĂN» «AN»" in out["hits"][0]["snippet"] + out["hits"][1]["snippet"]


def test_cli_filters_and_agency(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["nguyen", "--procedure", "1.001193", "--type", "to_khai_khai_sinh",
                "--from", "2024-01-01", "--to", "2024-12-31", "--json"]) == 0
    assert [h["dossier_code"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["A-0001"]
    assert cli(["nguyen van an", "--agency", B, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert cli(["nguyen van an", "--agency", A, B, "--limit", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 4 and len(out["hits"]) == 2
    assert cli(["nguyen van an"]) == 0
    assert "3 page(s)" in capsys.readouterr().out


def test_cli_filter_only_and_object_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    (code,) = records_with_objects(url)
    monkeypatch.setenv("DOSSIER_DATABASE_URL", url)
    monkeypatch.setenv("DOSSIER_AGENCY_CODE", A)
    assert cli(["--procedure", "1.001193", "--json"]) == 0  # no words: newest pages
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 2 and [h["page"] for h in out["hits"]] == [0, 1]
    assert [h["page_image_key"] for h in out["hits"]] == ["k/page-0.png", None]
    assert [h["pdf_key"] for h in out["hits"]] == ["k/doc-0.pdf", "k/doc-1.pdf"]
    assert out["hits"][0]["dossier_code"] == code
    assert cli(["--json"]) == 2  # neither words nor a filter
    assert "filter" in capsys.readouterr().err


def test_cli_default_agency_sees_nothing_of_others(
        cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_AGENCY_CODE")  # default 000.00.00.H00: not in the corpus
    assert cli(["nguyen", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"total": 0, "hits": [], "total_exact": True}


@pytest.mark.parametrize("bad", ["", "!!!", "a OR b", "x" * 1001])
def test_cli_bad_query(cli_db: str, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    assert cli([bad, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("dossier: search: bad query: ")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_cli_bad_date(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(["nguyen", "--from", "05/03/2024"])
    assert exit_info.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_cli_bad_database_url(capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_DATABASE_URL", "mysql://u:p@localhost/db")
    assert cli(["nguyen", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dossier: search: configuration:") and err.count("\n") == 1
