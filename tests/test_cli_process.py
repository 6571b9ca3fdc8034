"""`dossier process` end to end on the bundled sample dossiers: real Tesseract, real storage.

Runs once with the embedded defaults (SQLite, local folder) and once against
PostgreSQL and SeaweedFS; checks the contract's JSON, the verdict against the
sample's truth, idempotence, and that fsck finds everything in order.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.postgres import PostgresServer, start_postgres

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "dossiers"
DOSSIER = Path(sys.executable).parent / "dossier"
CODE = re.compile(r"^000\.00\.00\.H26-\d{6}-\d{4}$")


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "servers"])
def environment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DOSSIER_HOME": str(tmp_path / "home"),
           "DOSSIER_AGENCY_CODE": "000.00.00.H26"}
    for key in ("DOSSIER_DATABASE_URL", "DOSSIER_STORAGE_URL"):
        env.pop(key, None)
    if request.param == "servers":
        s3 = request.getfixturevalue("seaweedfs")
        env["DOSSIER_STORAGE_URL"] = s3.url(s3.new_bucket())
        env["DOSSIER_DATABASE_URL"] = request.getfixturevalue("postgres").new_database()
    return env


def dossier(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DOSSIER), *args], env=env, capture_output=True, text=True,
                          timeout=600, cwd=env["DOSSIER_HOME"].rsplit("/", 1)[0])


def truth(name: str) -> dict:
    return json.loads((SAMPLES / name / "truth.json").read_text(encoding="utf-8"))


def test_complete_dossier(environment: dict[str, str]) -> None:
    files = [str(p) for p in sorted((SAMPLES / "khai-sinh-day-du").glob("*.pdf"))]
    first = dossier(environment, "process", *files, "--procedure", "1.001193", "--json")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    result = json.loads(first.stdout)
    assert CODE.match(result["dossier_code"])
    assert result["procedure"] == "1.001193"
    expected = truth("khai-sinh-day-du")
    assert [(d["type"], d["pages"]) for d in result["documents"]] == [
        (d["type"], d["pages"]) for d in expected["documents"]]
    assert result["completeness"]["complete"] is True
    assert result["completeness"]["missing"] == []
    for doc in result["documents"]:
        for name, value in doc["fields"].items():
            assert set(value) >= {"value", "confidence", "page", "bbox"}, name
            assert value["page"] in doc["pages"]
    stored = result["stored"]
    assert stored["record_id"] and len(stored["objects"]) >= 5
    assert any("/original/" in key for key in stored["objects"])

    status = json.loads(dossier(environment, "status", result["dossier_code"], "--json").stdout)
    assert status["state"] == "done"
    assert status["pages_done"] == status["pages_total"] == len(expected["pages"])

    again = json.loads(dossier(environment, "process", *files, "--procedure", "1.001193",
                               "--json").stdout)
    assert again["dossier_code"] == result["dossier_code"]
    assert sorted(again["stored"]["objects"]) == sorted(stored["objects"])

    mother = next(d["fields"]["me_ho_ten"] for d in expected["documents"]
                  if d["type"] == "giay_chung_sinh")
    folded = mother.lower().replace("đ", "d")  # typed without diacritics at the desk
    import unicodedata

    folded = "".join(c for c in unicodedata.normalize("NFD", folded)
                     if not unicodedata.combining(c))
    found = json.loads(dossier(environment, "search", folded, "--json").stdout)
    assert result["dossier_code"] in {hit["dossier_code"] for hit in found["hits"]}
    assert dossier(environment, "reindex").returncode == 0
    again_found = json.loads(dossier(environment, "search", folded, "--json").stdout)
    assert again_found["total"] == found["total"]

    check = dossier(environment, "fsck", "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["ok"] is True


def test_incomplete_dossier_names_what_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "DOSSIER_HOME": str(tmp_path / "home"),
           "DOSSIER_AGENCY_CODE": "000.00.00.H26"}
    files = [str(p) for p in sorted((SAMPLES / "khai-sinh-thieu-giay-chung-sinh").glob("*.pdf"))]
    proc = dossier(env, "process", *files, "--json")  # no --procedure: it is proposed
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["procedure"] == "1.001193"
    assert result["completeness"]["complete"] is False
    assert result["completeness"]["missing"] == truth("khai-sinh-thieu-giay-chung-sinh")[
        "missing"] == ["giay_chung_sinh"]
    assert "Giấy chứng sinh" in " ".join(p["message"] for p in result["completeness"]["problems"])


def test_bad_input_is_kept_and_named(tmp_path: Path) -> None:
    env = {**os.environ, "DOSSIER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    note = tmp_path / "ghi-chu.pdf"
    note.write_text("không phải bản quét", encoding="utf-8")
    proc = dossier(env, "process", str(note), "--procedure", "1.000894", "--json")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "ghi-chu.pdf" in line and "not-a-document" in line
    result = json.loads(proc.stdout)
    assert result["completeness"]["complete"] is False
    assert any("/original/" in key for key in result["stored"]["objects"])  # kept all the same
    unknown = dossier(env, "process", str(note), "--procedure", "9.999999")
    assert unknown.returncode == 2 and "9.999999" in unknown.stderr
