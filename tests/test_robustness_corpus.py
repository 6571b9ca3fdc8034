"""Every file in ../shared/corpus/pdf-robustness is processed or refused as its manifest says.

Each file runs through the real `dossier ocr --json` command in its own process,
so the checks cover exit codes, the one-line error, no traceback, and the time
and memory a desk machine can afford (2 minutes, 2 GiB per file).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf-robustness"
if not CORPUS.is_dir():  # CI lays shared/ beside the clone
    CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "pdf-robustness"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
DOSSIER = Path(sys.executable).parent / "dossier"
TIME_LIMIT_S = 120
MEMORY_LIMIT_KIB = 2 * 1024 * 1024


def test_corpus_is_intact() -> None:
    for line in (CORPUS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        name = name.lstrip("*")
        assert hashlib.sha256((CORPUS / name).read_bytes()).hexdigest() == digest, name


# Starts the command from a small process and reports the command's own peak memory.
# Linux counts in a child's peak the parent's resident size at fork (the copied memory
# map's high-water mark is recorded at exec), and the test session itself grows past
# 2 GiB, so measuring from here would report the session, not the run.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\\nhoso-peak-kib={usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_dossier(path: Path) -> tuple[int, str, str, float, int]:
    """Run `dossier ocr --json`: (exit code, stdout, stderr, seconds, peak RSS in KiB of the
    run and the Tesseracts it waited for)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(DOSSIER), "ocr", "--json", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        pytest.fail(f"{path.name}: took longer than {TIME_LIMIT_S} s")
    err, _, peak = err.rpartition("\nhoso-peak-kib=")
    return proc.returncode, out, err, time.monotonic() - started, int(peak.strip())


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_corpus_file(row: dict[str, str]) -> None:
    path = CORPUS / row["file"]
    code, out, err, seconds, peak_kib = run_dossier(path)
    assert "Traceback" not in err, err
    assert seconds < TIME_LIMIT_S
    assert peak_kib < MEMORY_LIMIT_KIB, f"the run used {peak_kib // 1024} MiB, over 2 GiB"
    report = json.loads(out)
    assert set(report) >= {"files", "pages"}
    (result,) = report["files"]
    if row["expect"] == "reject":
        assert code == 2
        assert result["error"] is not None, f"{row['file']} should be refused"
        assert result["error"]["kind"] == row["reason"]
        assert result["error"]["message"]
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and row["file"] in lines[0] and row["reason"] in lines[0]
        return
    assert code == 0, err
    assert result["error"] is None
    pages = result["pages"]
    expected_pages = {"cardinal.pdf": 4, "3small.pdf": 3}.get(row["file"], 1)
    assert len(pages) == expected_pages
    for page in pages:
        assert page["source"] in ("ocr", "text-layer")
        assert page["rotation"] in (0, 90, 180, 270)
    words = [w for page in pages for w in page["text"].split() if sum(c.isalnum() for c in w) >= 2]
    if row["reason"] == "text":
        assert len(words) >= 1, f"{row['file']}: expected text, got {pages[0]['text']!r}"
    else:
        # A blank page or a picture: "nothing of substance" (OCR may see noise in a photo).
        assert len(words) <= 30
