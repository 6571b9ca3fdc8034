"""The scanner's drop folder: finished files become dossiers, unreadable ones are set aside."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from intake.watch import RECEIVED, REFUSED, DropFolder, receive_once

ROOT = Path(__file__).resolve().parents[1]
DOSSIER = Path(sys.executable).parent / "dossier"


def test_a_file_still_being_written_waits(tmp_path: Path) -> None:
    drop = DropFolder(tmp_path, settle_s=60)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 still writing")
    handled: list[Path] = []
    assert receive_once(drop, lambda p: handled.append(p) or "X") == []
    assert handled == [] and (tmp_path / "scan.pdf").exists()
    old = time.time() - 120
    os.utime(tmp_path / "scan.pdf", (old, old))
    assert [code for _, code in receive_once(drop, lambda p: "CODE-1")] == ["CODE-1"]
    assert (tmp_path / RECEIVED / "CODE-1-scan.pdf").exists()


def test_refused_files_are_kept_with_the_reason(tmp_path: Path) -> None:
    drop = DropFolder(tmp_path, settle_s=0)
    (tmp_path / "note.pdf").write_text("ghi chú", encoding="utf-8")

    def refuse(path: Path) -> str:
        raise ValueError("not-a-document: not a PDF")

    assert receive_once(drop, refuse) == []
    assert (tmp_path / REFUSED / "note.pdf").exists()
    assert "not-a-document" in (tmp_path / REFUSED / "note.pdf.txt").read_text(encoding="utf-8")


def test_dossier_watch_receives_a_scanned_stack(tmp_path: Path) -> None:
    folder = tmp_path / "may-quet"
    folder.mkdir()
    shutil.copy(ROOT / "samples/dossiers/ket-hon/ho-so.pdf", folder / "scan-0001.pdf")
    (folder / "scan-0002.pdf").write_text("không phải bản quét", encoding="utf-8")
    env = {**os.environ, "DOSSIER_HOME": str(tmp_path / "home"), "DOSSIER_BROKER_URL": "memory://"}
    proc = subprocess.run([str(DOSSIER), "watch", str(folder), "--once", "--settle", "0",
                           "--procedure", "1.000894"], env=env, capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    code, name = proc.stdout.strip().split("\t")
    assert name == "scan-0001.pdf"
    assert (folder / RECEIVED / f"{code}-scan-0001.pdf").exists()
    assert (folder / REFUSED / "scan-0002.pdf").exists()
    status = json.loads(subprocess.run([str(DOSSIER), "status", code, "--json"], env=env,
                                       capture_output=True, text=True, cwd=tmp_path).stdout)
    assert status["state"] == "done"
    assert status["result"]["completeness"]["complete"] is True
