"""Vietnamese names for statuses, roles and field ids shown at the desk."""

from __future__ import annotations

STATUS_NAMES = {
    "received": "Đã nhận",
    "processing": "Đang xử lý",
    "done": "Chờ kiểm tra",
    "failed": "Lỗi xử lý",
    "accepted": "Đã tiếp nhận",
    "incomplete": "Yêu cầu bổ sung",
    "refused": "Từ chối tiếp nhận",
}

DECISION_NAMES = {
    "accept": "Tiếp nhận hồ sơ",
    "incomplete": "Yêu cầu bổ sung, hoàn thiện",
    "refuse": "Từ chối tiếp nhận",
}

FIELD_LABELS = {
    "so_dinh_danh": "Số định danh",
    "ho_ten": "Họ, chữ đệm, tên",
    "ngay_sinh": "Ngày sinh",
    "gioi_tinh": "Giới tính",
    "quoc_tich": "Quốc tịch",
    "que_quan": "Quê quán",
    "noi_thuong_tru": "Nơi thường trú",
    "ngay_het_han": "Có giá trị đến",
    "khong_thoi_han": "Không thời hạn",
    "nguoi_yeu_cau_ho_ten": "Người yêu cầu",
    "nguoi_yeu_cau_so_giay_to": "Số giấy tờ người yêu cầu",
    "noi_sinh": "Nơi sinh",
    "me_ho_ten": "Họ tên mẹ",
    "cha_ho_ten": "Họ tên cha",
    "ngay_lam_don": "Ngày làm đơn",
    "me_so_dinh_danh": "Số định danh của mẹ",
    "ten_du_kien": "Tên dự kiến",
    "ben_nu_ho_ten": "Họ tên bên nữ",
    "ben_nu_ngay_sinh": "Ngày sinh bên nữ",
    "ben_nu_so_giay_to": "Số giấy tờ bên nữ",
    "ben_nam_ho_ten": "Họ tên bên nam",
    "ben_nam_ngay_sinh": "Ngày sinh bên nam",
    "ben_nam_so_giay_to": "Số giấy tờ bên nam",
    "so_giay_to": "Số giấy tờ",
    "noi_cu_tru": "Nơi cư trú",
    "tinh_trang_hon_nhan": "Tình trạng hôn nhân",
    "muc_dich_su_dung": "Mục đích sử dụng",
    "ten_ho_kinh_doanh": "Tên hộ kinh doanh",
    "dia_chi_tru_so": "Địa chỉ trụ sở",
    "nganh_nghe": "Ngành, nghề kinh doanh",
    "von_kinh_doanh": "Vốn kinh doanh (đồng)",
    "chu_ho_ho_ten": "Họ tên chủ hộ",
    "chu_ho_so_dinh_danh": "Số định danh chủ hộ",
    "ben_uy_quyen_ho_ten": "Bên ủy quyền",
    "ben_duoc_uy_quyen_ho_ten": "Bên được ủy quyền",
    "noi_dung": "Nội dung ủy quyền",
    "ngay_cap": "Ngày cấp",
    "noi_dang_ky_khai_sinh": "Nơi đăng ký khai sinh",
}

APPLICANT_FIELDS = ("nguoi_yeu_cau_ho_ten", "chu_ho_ho_ten", "ben_nu_ho_ten", "me_ho_ten",
                    "ho_ten")
"""Where to find the name of the person handing the dossier in, in order of preference."""


def field_label(field_id: str) -> str:
    return FIELD_LABELS.get(field_id, field_id.replace("_", " ").capitalize())
