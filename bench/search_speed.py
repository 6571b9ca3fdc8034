"""Indexing throughput and query latency of the search backends on a synthetic archive.

Generates a deterministic Vietnamese archive (names with a realistic surname
distribution, 12-digit identity numbers, addresses, the boilerplate of the
civil-status and household-business forms) and prints, per backend,
indexing throughput (pages/s, generation excluded; the final compaction
reported separately) and query latency p50/p95 over a fixed query mix:
names (folded and with diacritics), identity numbers, phrases, prefixes, and
filtered queries; then, separately, a filter-only mix (no words: procedure and
period, document type, identity number).  PostgreSQL is started like the
tests do (tests/servers/postgres.py).

    .venv/bin/python bench/search_speed.py [--pages 100000] [--backends sqlite postgres]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search import PageDoc, SearchIndex, SearchQuery, open_index  # noqa: E402
from search.folding import fold  # noqa: E402

SEED = 20261125
AGENCIES = [f"000.{d:02d}.{w:02d}.H26" for d in range(1, 4) for w in range(1, 4)]
SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
            ("Phan", 4), ("Vũ", 4), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
            ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Mai", 1)]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Gia"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Thị Thu", "Thị Ngọc", "Hồng"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa",
           "Kiên", "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thành",
           "Thắng", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Đông", "Lâm", "Phát"]
GIVEN_F = ["An", "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương",
           "Huyền", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương",
           "Quỳnh", "Thảo", "Trang", "Trâm", "Tuyết", "Uyên", "Vân", "Vy", "Yến", "Diệp"]
PROVINCES = [("001", "Hà Nội"), ("079", "Thành phố Hồ Chí Minh"), ("048", "Đà Nẵng"),
             ("031", "Hải Phòng"), ("092", "Cần Thơ"), ("026", "Vĩnh Phúc"), ("038", "Thanh Hóa"),
             ("040", "Nghệ An"), ("046", "Thừa Thiên Huế"), ("075", "Đồng Nai")]
WARDS = ["Phường Bến Nghé", "Phường Tân Định", "Phường 7", "Phường Hòa Cường Bắc", "Xã Đông Anh",
         "Phường Láng Hạ", "Xã Tân Phú", "Phường Trường Thi", "Xã Hòa Phước", "Phường An Khánh"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt",
           "Điện Biên Phủ", "Phan Đình Phùng", "Võ Văn Tần", "Đống Đa", "Quang Trung"]
TRADES = ["Bán lẻ thực phẩm", "Cà phê giải khát", "Sửa chữa xe máy", "May mặc", "Tạp hóa"]
HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
PROCEDURES = {"1.001193": ["to_khai_khai_sinh", "giay_chung_sinh", "cccd"],
              "1.000894": ["to_khai_ket_hon", "cccd", "cccd"],
              "1.004873": ["to_khai_xac_nhan_hon_nhan", "cccd"],
              "1.001612": ["giay_de_nghi_ho_kinh_doanh", "cccd", "giay_uy_quyen"]}


class Archive:
    """Deterministic generator of PageDocs; the same seed gives the same archive."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.surnames = [s for s, _ in SURNAMES]
        self.weights = [w for _, w in SURNAMES]
        self.people: list[tuple[str, str]] = []  # sample of (name, id) to query later

    def person(self) -> tuple[str, str, str, date, str]:
        r = self.rng
        male = r.random() < 0.5
        name = " ".join([r.choices(self.surnames, self.weights)[0],
                         r.choice(MIDDLE_M if male else MIDDLE_F),
                         r.choice(GIVEN_M if male else GIVEN_F)])
        born = date(1950, 1, 1) + timedelta(days=r.randrange(365 * 70))
        code, province = r.choice(PROVINCES)
        century = (0 if born.year < 2000 else 2) + (0 if male else 1)
        number = f"{code}{century}{born.year % 100:02d}{r.randrange(10**6):06d}"
        return name, number, "Nam" if male else "Nữ", born, province

    def address(self) -> str:
        r = self.rng
        return f"Số {r.randrange(1, 400)} đường {r.choice(STREETS)}, {r.choice(WARDS)}"

    def page(self, kind: str) -> tuple[str, dict[str, str], list[str]]:
        name, number, gender, born, province = self.person()
        when = f"{born.day:02d}/{born.month:02d}/{born.year}"
        addr = self.address()
        if len(self.people) < 5000 and self.rng.random() < 0.05:
            self.people.append((name, number) if kind == "cccd" else (name, ""))
        if kind == "cccd":
            text = (f"CĂN CƯỚC CÔNG DÂN\nSố / No.: {number}\nHọ và tên / Full name: {name.upper()}"
                    f"\nNgày sinh / Date of birth: {when}\nGiới tính / Sex: {gender}"
                    f" Quốc tịch / Nationality: Việt Nam\nQuê quán / Place of origin: {province}"
                    f"\nNơi thường trú / Place of residence: {addr}, {province}")
            return text, {"so_dinh_danh": number, "ho_ten": name, "noi_thuong_tru": addr}, [number]
        mother, m_number, _, _, _ = self.person()
        titles = {"to_khai_khai_sinh": "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                  "giay_chung_sinh": "GIẤY CHỨNG SINH",
                  "to_khai_ket_hon": "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
                  "to_khai_xac_nhan_hon_nhan": "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
                  "giay_de_nghi_ho_kinh_doanh": "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
                  "giay_uy_quyen": "VĂN BẢN ỦY QUYỀN"}
        text = (f"{HEADER}{titles[kind]}\nKính gửi: Ủy ban nhân dân {self.rng.choice(WARDS)}\n"
                f"Họ, chữ đệm, tên người yêu cầu: {mother}\nGiấy tờ tùy thân: {m_number}\n"
                f"Nơi cư trú: {addr}, {province}\nĐề nghị cơ quan đăng ký cho người có tên dưới"
                f" đây:\nHọ, chữ đệm, tên: {name}\nNgày, tháng, năm sinh: {when}"
                f" Giới tính: {gender}\nNơi sinh: {province}\nTôi cam đoan những nội dung khai"
                " trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của"
                " mình.\n")
        if kind == "giay_de_nghi_ho_kinh_doanh":
            text += f"Ngành, nghề kinh doanh: {self.rng.choice(TRADES)}\nVốn kinh doanh: " \
                    f"{self.rng.randrange(10, 900)}000000 đồng\n"
        fields = {"nguoi_yeu_cau_ho_ten": mother, "nguoi_yeu_cau_so_giay_to": m_number,
                  "ho_ten": name, "ngay_sinh": born.isoformat()}
        if len(self.people) < 5000 and self.rng.random() < 0.05:
            self.people.append((mother, m_number))
        return text, fields, [m_number]

    def pages(self, count: int) -> Iterator[PageDoc]:
        r, made, serial = self.rng, 0, 0
        start = datetime(2019, 1, 1, 7, 30)
        while made < count:
            serial += 1
            procedure = r.choice(list(PROCEDURES))
            agency = r.choice(AGENCIES)
            received = start + timedelta(minutes=r.randrange(60 * 24 * 365 * 7))
            code = f"{agency}-{received:%y%m%d}-{serial:06d}"
            for index, kind in enumerate(PROCEDURES[procedure]):
                text, fields, numbers = self.page(kind)
                yield PageDoc(f"rec-{serial:08d}", code, agency, procedure, kind, index,
                              received, r.choice(["done", "done", "done", "processing"]),
                              numbers, text, fields)
                made += 1
                if made >= count:
                    return


def query_mix(archive: Archive, count: int = 200) -> list[SearchQuery]:
    """Fixed mix: names folded/exact, identity numbers, phrases, prefixes, filtered."""
    r = random.Random(SEED + 1)
    people = archive.people
    queries: list[SearchQuery] = []
    for i in range(count):
        name, number = r.choice(people)
        kind = i % 8
        # A desk sees its own agency; every fourth query (and ID look-ups) is a
        # district/province officer who sees them all.
        agencies = list(AGENCIES) if kind == 2 or i % 4 == 3 else [r.choice(AGENCIES)]
        if kind == 0:
            text = fold(name)                                   # name, no diacritics
        elif kind == 1:
            text = name                                         # name as written
        elif kind == 2:
            text = number or r.choice([n for _, n in people if n])  # identity number
        elif kind == 3:
            text = f'"{fold(name)}"'                            # phrase
        elif kind == 4:
            text = f"{fold(name).split()[0]} {fold(name).split()[-1][:3]}*"  # prefix
        elif kind == 5:
            text = f"{fold(name)} khai sinh"                    # officer's typical query
        elif kind == 6:
            text = '"dang ky ket hon" ' + fold(name).split()[-1]  # phrase + word
        else:
            text = fold(name).split()[-1]                       # one common given name
        q = SearchQuery(text, agencies, limit=20)
        if i % 5 == 4:                                          # every fifth: filtered
            q.procedure = r.choice(list(PROCEDURES))
            q.date_from = date(2021, 1, 1)
            q.date_to = date(2024, 12, 31)
        queries.append(q)
    return queries


def browse_mix(archive: Archive, count: int = 40) -> list[SearchQuery]:
    """Filter-only queries (no words): the newest pages of a procedure in a period,
    of a document type, or carrying an identity number; one agency or all."""
    r = random.Random(SEED + 2)
    numbers = [n for _, n in archive.people if n]
    queries: list[SearchQuery] = []
    for i in range(count):
        agencies = list(AGENCIES) if i % 4 == 3 or i % 3 == 2 else [r.choice(AGENCIES)]
        q = SearchQuery("", agencies, limit=20)
        if i % 3 == 0:
            q.procedure = r.choice(list(PROCEDURES))
            year = r.randrange(2019, 2026)
            q.date_from, q.date_to = date(year, 1, 1), date(year, 3, 31)
        elif i % 3 == 1:
            q.document_type = r.choice(PROCEDURES[r.choice(list(PROCEDURES))])
        else:
            q.identity_number = r.choice(numbers)
        queries.append(q)
    return queries


def timed(index: SearchIndex, queries: list[SearchQuery]) -> tuple[list[float], list[int]]:
    latencies, totals = [], []
    for q in queries:
        t0 = time.perf_counter()
        result = index.search(q)
        latencies.append((time.perf_counter() - t0) * 1000)
        totals.append(result.total)
    return sorted(latencies), totals


def open_backend(name: str, folder: Path) -> tuple[SearchIndex, object | None]:
    if name == "sqlite":
        return open_index(f"sqlite:///{folder / 'bench.sqlite3'}"), None
    from tests.servers.postgres import start_postgres

    server = start_postgres()
    return open_index(server.new_database()), server


def run(name: str, pages: int, folder: Path) -> dict[str, float]:
    archive = Archive()
    index, server = open_backend(name, folder)
    try:
        spent, done, chunk = 0.0, 0, 10_000
        stream = archive.pages(pages)
        while done < pages:
            batch = [doc for _, doc in zip(range(chunk), stream, strict=False)]
            if not batch:
                break
            t0 = time.perf_counter()
            index.index_pages(batch)
            spent += time.perf_counter() - t0
            done += len(batch)
        t0 = time.perf_counter()
        index.optimize()
        compact = time.perf_counter() - t0
        queries = query_mix(archive)
        for q in queries[:10]:  # warm caches
            index.search(q)
        latencies, totals = timed(index, queries)
        browse, _ = timed(index, browse_mix(archive))
        return {"pages": done, "index_pages_per_s": done / spent, "index_s": spent,
                "optimize_s": compact,
                "p50_ms": statistics.median(latencies),
                "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
                "max_ms": latencies[-1],
                "median_total": statistics.median(totals),
                "browse_p50_ms": statistics.median(browse),
                "browse_p95_ms": browse[int(len(browse) * 0.95) - 1]}
    finally:
        index.close()
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    args = parser.parse_args()
    print(f"# search_speed {datetime.now():%Y-%m-%d %H:%M} · {platform.node()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hoso-search-bench-") as tmp:
        for backend in args.backends:
            figures = run(backend, args.pages, Path(tmp))
            print(f"{backend:8s} pages={figures['pages']:.0f}"
                  f"  indexing {figures['index_pages_per_s']:.0f} pages/s"
                  f" ({figures['index_s']:.1f} s, optimize {figures['optimize_s']:.1f} s)"
                  f"  query p50 {figures['p50_ms']:.1f} ms  p95 {figures['p95_ms']:.1f} ms"
                  f"  max {figures['max_ms']:.1f} ms"
                  f"  filters-only p50 {figures['browse_p50_ms']:.1f} ms"
                  f" p95 {figures['browse_p95_ms']:.1f} ms"
                  f"  (median hits {figures['median_total']:.0f};"
                  f" load average {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
