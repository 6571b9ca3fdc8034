"""Format sniffing by content and the text-layer trust check."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import DocumentError, ErrorKind
from pipeline.sniff import FileFormat, sniff_bytes, sniff_file
from pipeline.text_layer import looks_like_text


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", FileFormat.PDF),
        (b"\xef\xbb\xbf%PDF-1.4", FileFormat.PDF),
        (b"\x89PNG\r\n\x1a\n\x00", FileFormat.PNG),
        (b"\xff\xd8\xff\xe0", FileFormat.JPEG),
        (b"II*\x00\x08", FileFormat.TIFF),
        (b"MM\x00*\x00", FileFormat.TIFF),
        (b"Ho ten: Nguyen Van An", None),
        (b"", None),
    ],
)
def test_sniff_bytes(head: bytes, expected: FileFormat | None) -> None:
    assert sniff_bytes(head) == expected


def test_sniff_file_ignores_the_name(tmp_path: Path) -> None:
    fake = tmp_path / "scan.pdf"
    fake.write_text("Tờ khai đăng ký khai sinh, không phải PDF", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        sniff_file(fake, 10_000)
    assert err.value.kind is ErrorKind.NOT_A_DOCUMENT


def test_sniff_file_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "a.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(DocumentError) as err:
        sniff_file(big, 50)
    assert err.value.kind is ErrorKind.TOO_LARGE


def test_sniff_missing_and_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    for name in ("empty.pdf", "absent.pdf"):
        with pytest.raises(DocumentError) as err:
            sniff_file(tmp_path / name, 50)
        assert err.value.kind is ErrorKind.NOT_A_DOCUMENT


@pytest.mark.parametrize(
    ("text", "trusted"),
    [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc", True),
        ("This file has no /DocumentInfo block", True),
        ("Payed 2017-Jan-22", True),
        ('"7+%-', False),  # TrueType without a Unicode map
        ("\x19\x12", False),  # Type 3 without ToUnicode
        ("(cid:25)(cid:18)", False),
        ("x", False),
        ("bcdfg hjklm npqrst", False),  # no vowels: glyph ids mapped to consonants
    ],
)
def test_looks_like_text(text: str, trusted: bool) -> None:
    assert looks_like_text(text) is trusted
