"""A5 receipts of Circular 01/2018/TT-VPCP, as PDF: Mẫu 01, 02 and 03.

* Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (accept);
* Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (incomplete);
* Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ (refuse).

Each carries the dossier code as text and as a QR code, so the citizen (or
the desk, when the result is collected) can look it up. Fonts are embedded
TrueType with Vietnamese glyphs (Noto Serif, else DejaVu Serif); the PDF's
text layer keeps the code and dates searchable and machine-checkable.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF

__all__ = ["FONT_CANDIDATES", "Receipt", "render_receipt", "vn_datetime"]

FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"),
     Path("/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf")),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
     Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")),
)

A5_MM = (148.0, 210.0)

TITLES = {
    "accept": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
    "incomplete": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    "refuse": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
}


class FontMissing(RuntimeError):
    """No font with Vietnamese glyphs is installed (apt: fonts-noto-core or fonts-dejavu-core)."""


@dataclass(slots=True)
class Receipt:
    """What goes on the paper; the caller fills it from the records."""

    kind: str  # accept | incomplete | refuse
    dossier_code: str
    agency_name: str
    applicant_name: str
    procedure_name: str
    received_at: datetime
    staff_name: str
    documents: list[str] = field(default_factory=list)
    processing_time: str = ""
    due_at: datetime | None = None
    missing: list[str] = field(default_factory=list)
    reason: str = ""


def vn_datetime(moment: datetime, with_time: bool = True) -> str:
    day = f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {day}" if with_time else day


def _fonts() -> tuple[Path, Path]:
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise FontMissing("no Vietnamese serif font found: install fonts-noto-core")


def _qr_png(text: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


class _Page(FPDF):
    def para(self, text: str, *, bold: bool = False, size: float = 10.5, align: str = "L",
             indent: float = 0) -> None:
        self.set_font("Serif", "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, 5.2, text, align=align, new_x="LMARGIN",
                        new_y="NEXT")


def _header(pdf: _Page, receipt: Receipt) -> None:
    form, title = TITLES[receipt.kind]
    top = pdf.get_y()
    half = pdf.epw * 0.45
    pdf.set_font("Serif", "B", 7.5)
    pdf.multi_cell(half - 2, 4, receipt.agency_name.upper() + "\nBỘ PHẬN TIẾP NHẬN VÀ "
                   "TRẢ KẾT QUẢ", align="C", new_x="RIGHT", new_y="TOP")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(pdf.epw - half, 4,
                   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Serif", "", 8)
    pdf.cell(0, 4, f"{form} (Thông tư 01/2018/TT-VPCP)", align="R", new_x="LMARGIN",
             new_y="NEXT")
    y = pdf.get_y() + 1
    pdf.image(_qr_png(receipt.dossier_code), x=pdf.w - pdf.r_margin - 22, y=y, w=22, h=22)
    pdf.set_xy(pdf.l_margin, y + 4)
    pdf.set_font("Serif", "B", 12)
    pdf.multi_cell(pdf.epw - 24, 6, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 10.5)
    pdf.set_x(pdf.l_margin)
    pdf.cell(pdf.epw - 24, 6, f"Mã hồ sơ: {receipt.dossier_code}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), y + 23))


def _signatures(pdf: _Page, left: str, right: str, right_name: str) -> None:
    pdf.ln(3)
    half = pdf.epw / 2
    y = pdf.get_y()
    pdf.set_font("Serif", "B", 10)
    pdf.cell(half, 5, left, align="C")
    pdf.cell(half, 5, right, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 8.5)
    pdf.cell(half, 4, "(Ký và ghi rõ họ tên)", align="C")
    pdf.cell(half, 4, "(Ký và ghi rõ họ tên)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, y + 24)
    pdf.set_font("Serif", "", 10)
    pdf.cell(half, 5, right_name, align="C", new_x="LMARGIN", new_y="NEXT")


def _body_accept(pdf: _Page, r: Receipt) -> None:
    pdf.para(f"Bộ phận tiếp nhận và trả kết quả {r.agency_name} tiếp nhận hồ sơ của: "
             f"Ông/Bà {r.applicant_name or '...................................'}")
    pdf.para(f"Nội dung yêu cầu giải quyết: {r.procedure_name}")
    pdf.para("1. Thành phần hồ sơ nộp gồm:")
    for i, doc in enumerate(r.documents or ["(không có)"], start=1):
        pdf.para(f"{i}) {doc}", indent=4)
    pdf.para("2. Số lượng hồ sơ: 01 (bộ)")
    pdf.para(f"3. Thời gian giải quyết hồ sơ theo quy định là: {r.processing_time}")
    pdf.para(f"4. Thời gian nhận hồ sơ: {vn_datetime(r.received_at)}")
    due = vn_datetime(r.due_at) if r.due_at else "..."
    pdf.para(f"5. Thời gian trả kết quả giải quyết hồ sơ: {due}", bold=True)
    pdf.para("6. Đăng ký nhận kết quả tại: Bộ phận tiếp nhận và trả kết quả")
    if r.due_at:
        pdf.para(f"Ngày hẹn trả kết quả: {r.due_at:%d/%m/%Y}", bold=True)
    pdf.para("Vào Sổ theo dõi hồ sơ, Quyển số: ..... Số thứ tự: .....", size=9)
    _signatures(pdf, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", r.staff_name)


def _body_incomplete(pdf: _Page, r: Receipt) -> None:
    pdf.para(f"Hồ sơ của: {r.applicant_name or '...................................'}")
    pdf.para(f"Nội dung yêu cầu giải quyết: {r.procedure_name}")
    pdf.para(f"Ngày {r.received_at:%d/%m/%Y}, Bộ phận tiếp nhận và trả kết quả "
             f"{r.agency_name} đã tiếp nhận hồ sơ của Ông/Bà. Mã hồ sơ: {r.dossier_code}.")
    pdf.para("Yêu cầu Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")
    items = list(r.missing) + ([r.reason] if r.reason else [])
    for i, item in enumerate(items or ["..."], start=1):
        pdf.para(f"{i}. {item}", indent=4)
    pdf.para("Lý do: hồ sơ chưa đầy đủ thành phần hoặc chưa đúng quy định của thủ tục.")
    pdf.para("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ Bộ phận "
             "tiếp nhận và trả kết quả để được hướng dẫn.")
    _signatures(pdf, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI HƯỚNG DẪN", r.staff_name)


def _body_refuse(pdf: _Page, r: Receipt) -> None:
    pdf.para(f"Bộ phận tiếp nhận và trả kết quả {r.agency_name} tiếp nhận hồ sơ của: "
             f"Ông/Bà {r.applicant_name or '...................................'}")
    pdf.para(f"Nội dung yêu cầu giải quyết: {r.procedure_name}")
    pdf.para("Qua xem xét, Bộ phận tiếp nhận và trả kết quả thông báo không tiếp nhận, "
             "giải quyết hồ sơ này với lý do cụ thể như sau:")
    pdf.para(r.reason or "...", indent=4, bold=True)
    pdf.para("Xin thông báo để Ông/Bà được biết và thực hiện./.")
    _signatures(pdf, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", r.staff_name)


def render_receipt(receipt: Receipt) -> bytes:
    """The A5 PDF for ``receipt``."""
    if receipt.kind not in TITLES:
        raise ValueError(f"unknown receipt kind {receipt.kind!r}")
    regular, bold = _fonts()
    pdf = _Page(orientation="P", unit="mm", format=A5_MM)
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(True, margin=10)
    pdf.add_font("Serif", "", str(regular))
    pdf.add_font("Serif", "B", str(bold))
    pdf.set_title(f"{TITLES[receipt.kind][1]} - {receipt.dossier_code}")
    pdf.set_creator("hoso")
    pdf.add_page()
    _header(pdf, receipt)
    {"accept": _body_accept, "incomplete": _body_incomplete,
     "refuse": _body_refuse}[receipt.kind](pdf, receipt)
    return bytes(pdf.output())
