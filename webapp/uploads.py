"""Take uploaded scans off the request: count and size limits, format from content.

A file's name and declared type are the browser's word; the first bytes are
the truth (``pipeline.sniff.sniff_bytes``). Files are copied in chunks and
abandoned as soon as one passes the size limit, so an oversized upload never
fills the disk. Saved names are ours (``tep-01.pdf``): the citizen's file
names may carry personal data and never reach a path or a log line.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile

from pipeline.sniff import sniff_bytes
from webapp.config import MB, Settings

__all__ = ["SavedUpload", "save_uploads"]

CHUNK = 1024 * 1024
_EXTENSIONS = {"pdf": "pdf", "tiff": "tif", "jpeg": "jpg", "png": "png"}


@dataclass(frozen=True, slots=True)
class SavedUpload:
    folder: Path
    paths: list[Path]


def _copy(upload: UploadFile, target: Path, limit: int) -> bytes:
    """Copy ``upload`` to ``target``; returns its head; 413 past ``limit`` bytes."""
    upload.file.seek(0)
    head = b""
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            if len(head) < 1024:
                head += chunk[: 1024 - len(head)]
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"Tệp quá lớn: tối đa {limit // MB} MB mỗi tệp.")
            out.write(chunk)
    if size == 0:
        raise HTTPException(422, "Tệp rỗng (0 byte).")
    return head


def save_uploads(files: list[UploadFile], settings: Settings) -> SavedUpload:
    """Save ``files`` into a fresh folder under the upload dir; HTTP errors in Vietnamese."""
    files = [f for f in files if f.filename or f.size]
    if not files:
        raise HTTPException(422, "Chưa chọn tệp nào.")
    if len(files) > settings.max_files:
        raise HTTPException(413, f"Quá nhiều tệp: tối đa {settings.max_files} tệp một lần.")
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="up-", dir=settings.upload_dir))
    paths: list[Path] = []
    try:
        for i, upload in enumerate(files, start=1):
            part = folder / f"tep-{i:02d}.part"
            head = _copy(upload, part, settings.max_file_bytes)
            fmt = sniff_bytes(head)
            if fmt is None:
                raise HTTPException(415, f"Tệp thứ {i} không phải PDF, TIFF, JPEG hay PNG "
                                         "(nhận biết theo nội dung tệp, không theo tên).")
            path = folder / f"tep-{i:02d}.{_EXTENSIONS[fmt.value]}"
            part.rename(path)
            paths.append(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return SavedUpload(folder, paths)
