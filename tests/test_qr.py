"""Card QR codes: a real QR image made with segno and read with zxing-cpp; bad payloads."""

from __future__ import annotations

import io

import numpy as np
import pytest
import segno
from PIL import Image

from pipeline.understand.qr import decode_qr_codes, parse_cccd_qr

PAYLOAD = ("079090001234|123456789|Nguyễn Văn An|12031990|Nam|"
           "Số 5, đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh|01022021")


def qr_image(payload: str, scale: int = 4, rgb: bool = False) -> np.ndarray:
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB" if rgb else "L")).copy()


def test_decode_a_real_qr_code() -> None:
    assert decode_qr_codes(qr_image(PAYLOAD)) == [PAYLOAD]


def test_decode_colour_image_on_a_page() -> None:
    page = np.full((900, 700, 3), 235, dtype=np.uint8)
    code = qr_image(PAYLOAD, scale=3, rgb=True)
    page[400:400 + code.shape[0], 300:300 + code.shape[1]] = code
    assert decode_qr_codes(page) == [PAYLOAD]


def test_decode_nothing() -> None:
    assert decode_qr_codes(np.full((200, 200), 255, dtype=np.uint8)) == []
    assert decode_qr_codes(np.zeros((0, 0), dtype=np.uint8)) == []


def test_parse_a_card_payload() -> None:
    card = parse_cccd_qr(PAYLOAD)
    assert card is not None
    assert card.number == "079090001234" and card.old_number == "123456789"
    assert card.full_name == "Nguyễn Văn An"
    assert card.birth_date == "1990-03-12" and card.issue_date == "2021-02-01"
    assert card.gender == "Nam"
    assert card.residence.startswith("Số 5, đường Lê Lợi")


def test_round_trip_image_to_card() -> None:
    [payload] = decode_qr_codes(qr_image(PAYLOAD))
    card = parse_cccd_qr(payload)
    assert card is not None and card.full_name == "Nguyễn Văn An"


def test_tolerated_variants() -> None:
    no_old = parse_cccd_qr("001305012345||TRẦN THỊ BÍCH NGỌC|05012005|Nữ|Thôn Phú Lộc|01072024")
    assert no_old is not None and no_old.old_number == "" and no_old.full_name == \
        "Trần Thị Bích Ngọc"
    extra = parse_cccd_qr(PAYLOAD + "|extra|fields")
    assert extra is not None and extra.extra == ("extra", "fields")
    padded = parse_cccd_qr("\ufeff " + PAYLOAD + "\n")
    assert padded is not None
    six = parse_cccd_qr("079090001234|Nguyễn Văn An|12031990|Nam|Huế|01022021")
    assert six is not None and six.old_number == ""


@pytest.mark.parametrize("payload", [
    "",
    "https://dichvucong.gov.vn",
    "079090001234|123456789|Nguyễn Văn An",  # cut short
    "07909000123|123456789|Nguyễn Văn An|12031990|Nam|Huế|01022021",  # 11 digits
    "079090001234|12345|Nguyễn Văn An|12031990|Nam|Huế|01022021",  # bad old number
    "079090001234|123456789||12031990|Nam|Huế|01022021",  # no name
    "079090001234|123456789|Nguyễn Văn An|31021990|Nam|Huế|01022021",  # 31 February
    "079090001234|123456789|Nguyễn Văn An|1990-03-12|Nam|Huế|01022021",  # wrong date form
    "079090001234|123456789|Nguyễn Văn An|12031990|X|Huế|01022021",  # sex
    "079090001234|123456789|Nguyễn Văn An|12031990|Nam|Huế|2021",  # issue date
    "||||||",
    "\x00\x01\x02",
])
def test_malformed_payloads_give_none(payload: str) -> None:
    assert parse_cccd_qr(payload) is None


def test_non_string_gives_none() -> None:
    assert parse_cccd_qr(None) is None  # type: ignore[arg-type]
    assert parse_cccd_qr(b"079090001234") is None  # type: ignore[arg-type]
