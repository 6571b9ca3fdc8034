"""Export packages and import: schema, lossless round trip, idempotence, tampering, CLI.

One dossier is processed once by the real pipeline (Tesseract on the two-page
sample without its giấy chứng sinh: a tờ khai and a CCCD photocopy), exported,
and imported into fresh installations: SQLite + folder, and PostgreSQL +
SeaweedFS started by the shared fixtures.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from exchange import (
    DossierNotFound,
    ImportConflict,
    PackageInvalid,
    export_dossier,
    import_package,
)
from exchange.export import MANIFEST, XML_NAME
from exchange.package_xml import NAMESPACE, SCHEMA_PATH, from_xml, schema, to_xml, validate
from exchange.snapshot import DossierData, read_snapshot
from intake.status import dossier_status
from models.catalog import load_catalog
from models.database import open_database
from models.dossier_code import allocate_code, parse_code
from models.records import (
    AuditEntry,
    Document,
    Dossier,
    DossierCounter,
    FieldValue,
    Page,
    StoredObjectRecord,
)
from pipeline.options import OcrOptions
from storage import ObjectStore, open_store
from tests import test_records as records

postgres = records.postgres  # one PostgreSQL shared with the records tests

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "dossiers" / "khai-sinh-thieu-giay-chung-sinh" / "ho-so.pdf"
DOSSIER = Path(sys.executable).parent / "dossier"
AGENCY = "000.00.00.H26"
N = f"{{{NAMESPACE}}}"


@dataclass
class Installation:
    home: Path
    database_url: str
    store: ObjectStore
    sessions: sessionmaker[Session]

    def snapshot(self, code: str) -> DossierData:
        with self.sessions() as session:
            found = read_snapshot(session, code)
        assert found is not None
        return found

    def counts(self) -> dict[str, int]:
        with self.sessions() as session:
            return {m.__name__: int(session.scalar(select(func.count()).select_from(m)) or 0)
                    for m in (Dossier, Document, FieldValue, Page, StoredObjectRecord,
                              AuditEntry)}


def installation(home: Path, database_url: str | None = None,
                 store_url: str | None = None) -> Installation:
    db = database_url or f"sqlite:///{home / 'hoso.sqlite3'}"
    _engine, sessions = open_database(db)
    return Installation(home, db, open_store(store_url or (home / "objects").as_uri()), sessions)


@dataclass
class Source:
    place: Installation
    code: str
    result: dict
    package: Path


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """The sample dossier processed for real at AGENCY, and its package."""
    from intake.process import process_dossier

    home = tmp_path_factory.mktemp("nguon")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DOSSIER_HOME", str(home))  # anything a keep step writes stays in here
        env.setenv("OMP_THREAD_LIMIT", "1")
        place = installation(home)
        outcome = process_dossier([SAMPLE], "1.001193", agency_code=AGENCY, store=place.store,
                                  sessions=place.sessions, catalog=load_catalog(),
                                  options=OcrOptions(jobs=2))
        code = outcome.result["dossier_code"]
        with place.sessions() as session:
            package = export_dossier(session, place.store, code, home / "goi")
        yield Source(place, code, outcome.result, package)


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(package: Path, target: Path, changes: dict[str, bytes]) -> Path:
    """A copy of ``package`` with some members' bytes replaced (a well-formed ZIP)."""
    with zipfile.ZipFile(package) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, changes.get(info.filename, old.read(info.filename)))
    return target


# ----------------------------------------------------------------------------- schema


def test_package_layout_and_xml_validate_against_the_schema(source: Source) -> None:
    files = members(source.package)
    assert source.package.name == f"{source.code}.zip"
    kinds = {name.split("/")[1] for name in files if name.startswith("objects/")}
    assert kinds == {"original", "page", "ocr", "pdf", "metadata"}
    manifest = dict(reversed(line.split("  ")) for line in files[MANIFEST].decode().splitlines())
    assert set(manifest) == set(files) - {MANIFEST}
    if importlib.util.find_spec("signing") is not None:  # the PDFs kept are the signed ones
        assert all(b"/ByteRange" in data for name, data in files.items()
                   if name.startswith("objects/pdf/"))
    xml = files[XML_NAME]
    tree = etree.fromstring(xml)
    assert schema().validate(etree.ElementTree(tree)), schema().error_log
    # Decree 30/2020 Appendix VI values, and our verdict
    assert tree.findtext(f"{N}HoSo/{N}MaHoSo") == source.code
    assert tree.findtext(f"{N}HoSo/{N}TongSoVanBan") == "2"
    assert tree.findtext(f"{N}HoSo/{N}SoLuongTrang") == "2"
    types = [v.get("MaLoai") for v in tree.iterfind(f"{N}DanhSachVanBan/{N}VanBan")]
    assert types == [d["type"] for d in source.result["documents"]]
    for doc in tree.iterfind(f"{N}DanhSachVanBan/{N}VanBan"):
        assert doc.findtext(f"{N}TenLoaiVanBan") and doc.findtext(f"{N}TrichYeuNoiDung")
        assert doc.findtext(f"{N}NgonNgu") == "Tiếng Việt"
    assert tree.find(f"{N}KetLuan").get("Du") == "false"
    assert [m.text for m in tree.iterfind(f"{N}KetLuan/{N}ThieuThanhPhan")] == [
        "giay_chung_sinh"]
    # the standalone schema file validates it too (what an outside system would do)
    standalone = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    assert standalone.validate(etree.ElementTree(tree))


def test_a_broken_xml_does_not_validate(source: Source) -> None:
    xml = members(source.package)[XML_NAME]
    tree = etree.fromstring(xml)
    tree.find(f"{N}HoSo").remove(tree.find(f"{N}HoSo/{N}MaHoSo"))
    with pytest.raises(PackageInvalid, match="MaHoSo"):
        validate(etree.tostring(tree), "x.xml")
    wrong = xml.replace(b"<SoLuongTrang>2</SoLuongTrang>", b"<SoLuongTrang>hai</SoLuongTrang>",
                        1)
    with pytest.raises(PackageInvalid, match="SoLuongTrang"):
        validate(wrong, "x.xml")
    with pytest.raises(PackageInvalid, match=r"DOCTYPE|entit"):
        validate(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]>' + xml.split(b"?>", 1)[1],
                 "x.xml")


def test_xml_round_trip_is_exact_even_for_awkward_values(source: Source) -> None:
    data = source.place.snapshot(source.code)
    data.pages[0].text = "trang có ký tự điều khiển \x0c giữa dòng\n"
    data.pages[0].confidence = 0.1 + 0.2  # not a short decimal
    data.documents[0].fields[0].bbox = [1, 2.5, 3, 4]
    data.applicant_name = "Nguyễn Thị Ánh"
    xml = to_xml(data, catalog=load_catalog(), exported_at=data.updated_at, software="kiem-thu")
    assert b'MaHoa="base64"' in xml
    back = from_xml(xml, "x.xml")
    assert back.canonical() == data.canonical()
    assert [(a.action, a.details) for a in back.audit] == [
        (a.action, a.details) for a in data.audit]


# ----------------------------------------------------------------------------- round trip


def assert_same_dossier(source: Source, target: Installation) -> None:
    before = source.place.snapshot(source.code)
    after = target.snapshot(source.code)
    assert after.canonical() == before.canonical()
    assert after.record_id == before.record_id and after.agency_code == AGENCY
    # every object is in the target store with the same bytes
    for obj in before.objects:
        stored = target.store.stat(obj.key)
        assert stored is not None and (stored.sha256, stored.size) == (obj.sha256, obj.size)
        assert target.store.verify(obj.key)
    # the history came along, and the import is the last entry
    assert [a.action for a in after.audit[:-1] if a.action != "dossier.exported"] == [
        a.action for a in before.audit if a.action != "dossier.exported"]
    assert after.audit[-1].action == "dossier.imported"
    # the contract's status/result reads the same in both places
    with source.place.sessions() as a, target.sessions() as b:
        assert dossier_status(a, source.code) == dossier_status(b, source.code)


def test_export_then_import_into_a_fresh_embedded_installation(source: Source,
                                                               tmp_path: Path) -> None:
    target = installation(tmp_path / "dich")
    with target.sessions() as session:
        done = import_package(session, target.store, source.package, actor="kiem-thu")
    assert done.created and done.code == source.code
    assert done.objects_written == len(source.place.snapshot(source.code).objects)
    assert_same_dossier(source, target)
    # importing the same package again changes nothing at all
    counts = target.counts()
    keys = {o.key for o in target.store.list()}
    with target.sessions() as session:
        again = import_package(session, target.store, source.package)
    assert not again.created and again.objects_written == 0
    assert target.counts() == counts and {o.key for o in target.store.list()} == keys
    # the target never hands the imported code out again
    number = parse_code(source.code)
    with target.sessions() as session:
        counter = session.get(DossierCounter, (AGENCY, number.day))
        assert counter is not None and counter.last_number >= number.number
        assert parse_code(allocate_code(session, AGENCY, number.day)).number > number.number
        session.rollback()


def test_export_then_import_into_postgres_and_seaweedfs(source: Source, tmp_path: Path,
                                                        postgres: object,
                                                        seaweedfs: object) -> None:
    target = installation(tmp_path / "dich", postgres.new_database(),  # type: ignore[attr-defined]
                          seaweedfs.url(seaweedfs.new_bucket()))  # type: ignore[attr-defined]
    with target.sessions() as session:
        assert import_package(session, target.store, source.package).created
    assert_same_dossier(source, target)
    counts = target.counts()
    with target.sessions() as session:
        assert not import_package(session, target.store, source.package).created
    assert target.counts() == counts


def test_a_dossier_changed_since_its_export_is_a_conflict(source: Source,
                                                          tmp_path: Path) -> None:
    target = installation(tmp_path / "dich")
    with target.sessions() as session:
        import_package(session, target.store, source.package)
        session.execute(Dossier.__table__.update().values(status="accepted"))
        session.commit()
        with pytest.raises(ImportConflict, match="different records"):
            import_package(session, target.store, source.package)


# ----------------------------------------------------------------------------- tampering


def refused(package: Path, target: Installation, match: str) -> None:
    with target.sessions() as session, pytest.raises(PackageInvalid, match=match):
        import_package(session, target.store, package)
    assert target.counts()["Dossier"] == 0
    assert list(target.store.list()) == []  # nothing stored before the package was proven


def test_tampered_packages_are_refused_naming_the_file(source: Source, tmp_path: Path) -> None:
    target = installation(tmp_path / "dich")
    files = members(source.package)
    pdf = next(n for n in files if n.startswith("objects/pdf/"))
    changed = bytearray(files[pdf])
    changed[len(changed) // 2] ^= 0x01  # one byte of a signed PDF
    refused(rewrite(source.package, tmp_path / "a.zip", {pdf: bytes(changed)}), target,
            f"{pdf}: checksum mismatch")
    # the XML edited (a field value), manifest left alone
    xml = files[XML_NAME].replace("Lý Diệu Hạnh".encode(), "Lý Diệu Hạnk".encode(), 1)
    refused(rewrite(source.package, tmp_path / "b.zip", {XML_NAME: xml}), target,
            f"{XML_NAME}: checksum mismatch")
    # object and manifest both rewritten: the XML's own checksum still catches it
    manifest = files[MANIFEST].decode()
    forged = "".join(f"{hashlib.sha256(bytes(changed)).hexdigest()}  {pdf}\n"
                     if line.endswith(pdf) else line + "\n" for line in manifest.splitlines())
    refused(rewrite(source.package, tmp_path / "c.zip",
                    {pdf: bytes(changed), MANIFEST: forged.encode()}), target,
            "XML differs from the manifest")
    # a stray file slipped in
    with zipfile.ZipFile(rewrite(source.package, tmp_path / "d.zip", {}), "a") as archive:
        archive.writestr("objects/pdf/extra.pdf", b"%PDF-1.7")
    refused(tmp_path / "d.zip", target, "not listed in the manifest")
    # bytes flipped in the ZIP itself (the CRC catches it while streaming)
    raw = bytearray(source.package.read_bytes())
    start = raw.find(files[pdf][1000:1040])
    raw[start + 5] ^= 0xFF
    (tmp_path / "e.zip").write_bytes(bytes(raw))
    refused(tmp_path / "e.zip", target, "objects/pdf/")
    # not a ZIP at all
    (tmp_path / "f.zip").write_bytes(b"not a zip")
    refused(tmp_path / "f.zip", target, "not a ZIP")


# ----------------------------------------------------------------------------- CLI


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOSSIER_HOME": str(home), "DOSSIER_AGENCY_CODE": AGENCY}
    for key in ("DOSSIER_DATABASE_URL", "DOSSIER_STORAGE_URL"):
        env.pop(key, None)
    return subprocess.run([str(DOSSIER), *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=home.parent)


def test_cli_export_and_import(source: Source, tmp_path: Path) -> None:
    out = run(source.place.home, "export", source.code, "--out", str(tmp_path / "out"), "--json")
    assert out.returncode == 0, out.stderr
    package = Path(json.loads(out.stdout)["package"])
    assert package == tmp_path / "out" / f"{source.code}.zip"
    home = tmp_path / "dich"
    home.mkdir()
    first = run(home, "import", str(package), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["created"] is True
    assert_same_dossier(source, installation(home))
    import search  # the CLI indexed the imported pages: findable at once

    with search.open_index(installation(home).database_url) as index:
        assert index.count([AGENCY]) == len(source.place.snapshot(source.code).pages)
    broken = tmp_path / "hong.zip"
    broken.write_bytes(b"PK\x03\x04 broken")
    bad = run(home, "import", str(broken))
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert "hong.zip" in bad.stderr and "not a ZIP" in bad.stderr


def test_export_limited_to_the_agency(source: Source, tmp_path: Path) -> None:
    with source.place.sessions() as session, pytest.raises(DossierNotFound):
        export_dossier(session, source.place.store, source.code, tmp_path,
                       agency_code="000.00.00.H27")
    with source.place.sessions() as session, pytest.raises(DossierNotFound):
        export_dossier(session, source.place.store, f"{AGENCY}-200101-0001", tmp_path)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- one-stop API

TOKEN = "hoso-thu-nghiem-" + "x" * 32


@pytest.fixture(scope="module")
def api_app(source: Source) -> object:
    from webapp.testing import make_app

    return make_app(source.place.home, onestop_token=TOKEN, onestop_agencies=(AGENCY,))


def test_onestop_api_needs_the_token(api_app: object, source: Source) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(api_app)  # type: ignore[arg-type]
    url = f"/api/onestop/dossiers/{source.code}"
    for headers in ({}, {"Authorization": "Bearer sai"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        for path in (url, url + "/package"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (headers, path)
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert not client.cookies  # machine clients get no session cookie


def test_onestop_api_result_and_package(api_app: object, source: Source,
                                        tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(api_app, headers={"Authorization": f"Bearer {TOKEN}"})  # type: ignore[arg-type]
    body = client.get(f"/api/onestop/dossiers/{source.code}").json()
    expected = json.loads(json.dumps({k: v for k, v in source.result.items()
                                       if k != "stored"}))
    assert {k: body[k] for k in expected} == expected
    assert set(body["stored"]["objects"]) == set(source.result["stored"]["objects"])
    assert body["status"] == "done" and body["state"] == "done" and body["result_ready"]
    assert body["received_at"].endswith("+00:00") and body["updated_at"]

    response = client.get(f"/api/onestop/dossiers/{source.code}/package")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f"{source.code}.zip" in response.headers["content-disposition"]
    package = tmp_path / "tu-api.zip"
    package.write_bytes(response.content)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
    target = installation(tmp_path / "dich")
    with target.sessions() as session:
        assert import_package(session, target.store, package).created
    assert target.snapshot(source.code).canonical() == \
        source.place.snapshot(source.code).canonical()
    assert client.get(f"/api/onestop/dossiers/{AGENCY}-200101-0001").status_code == 404


def test_onestop_api_other_agency_and_switched_off(api_app: object, source: Source) -> None:
    from fastapi.testclient import TestClient

    state = api_app.state.hoso  # type: ignore[attr-defined]
    configured = state.settings
    client = TestClient(api_app, headers={"Authorization": f"Bearer {TOKEN}"})  # type: ignore[arg-type]
    try:
        state.settings = replace(configured, onestop_agencies=("000.00.00.H27",))
        assert client.get(f"/api/onestop/dossiers/{source.code}").status_code == 404
        assert client.get(f"/api/onestop/dossiers/{source.code}/package").status_code == 404
        state.settings = replace(configured, onestop_token=None)
        off = client.get(f"/api/onestop/dossiers/{source.code}")
        assert off.status_code == 503 and "DOSSIER_ONESTOP_TOKEN" in off.json()["detail"]
    finally:
        state.settings = configured


def test_onestop_token_settings() -> None:
    from exchange.onestop_settings import OneStopConfigError, onestop_settings

    assert onestop_settings({}) == {"onestop_token": None,
                                    "onestop_agencies": ("000.00.00.H00",)}
    assert onestop_settings({"DOSSIER_AGENCY_CODE": AGENCY, "DOSSIER_ONESTOP_TOKEN": TOKEN}) == {
        "onestop_token": TOKEN, "onestop_agencies": (AGENCY,)}
    assert onestop_settings({"DOSSIER_ONESTOP_AGENCIES": "a.b, c.d ,"})["onestop_agencies"] == (
        "a.b", "c.d")
    with pytest.raises(OneStopConfigError, match="at least 32"):
        onestop_settings({"DOSSIER_ONESTOP_TOKEN": "ngan"})
