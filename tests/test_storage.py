"""Object storage against both backends: a local folder and a real SeaweedFS S3 server.

Nothing is mocked: the S3 cases talk HTTP to ``weed mini`` started by the
``seaweedfs`` fixture (tests/servers/seaweedfs.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the project is not installed in the test venv
    sys.path.insert(0, str(ROOT))

from storage import (  # noqa: E402
    AccessDenied,
    BucketMissing,
    ChecksumMismatch,
    InvalidStorageURL,
    LocalStore,
    ObjectMissing,
    ObjectStore,
    RetryPolicy,
    S3Store,
    StorageFull,
    StorageUnavailable,
    object_key,
    open_store,
    parse_key,
    sha256_file,
)
from storage.factory import default_store_url, redact  # noqa: E402
from tests.servers.seaweedfs import SeaweedFS, free_ports  # noqa: E402

AGENCY = "000.00.00.H26"
DOSSIER = "000.00.00.H26-261125-0001"
MiB = 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_for(data: bytes, kind: str = "original", ext: str = "pdf", dossier: str = DOSSIER) -> str:
    return object_key(AGENCY, 2026, dossier, sha(data), kind, ext)


class OneShotStream(io.RawIOBase):
    """A non-seekable stream, like a socket or a scanner pipe."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def write_big_file(path: Path, size: int) -> str:
    """Write ``size`` pseudo-random bytes in 1 MiB chunks; return their SHA-256."""
    digest = hashlib.sha256()
    seed = os.urandom(MiB)
    with open(path, "wb") as out:
        for i in range(size // MiB):
            chunk = i.to_bytes(8, "little") + seed[8:]
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def raw_record(store: ObjectStore, key: str) -> dict[str, str]:
    """What the backend itself holds: S3 ``x-amz-meta-*`` headers, or the local sidecar."""
    if isinstance(store, LocalStore):
        sidecar = json.loads((store.root / ".meta" / f"{key}.json").read_text())
        return {"sha256": sidecar["sha256"], **sidecar["metadata"]}
    assert isinstance(store, S3Store)
    info = store.client.stat_object(store.bucket, key)
    return {k.lower()[len("x-amz-meta-"):]: v for k, v in info.metadata.items()
            if k.lower().startswith("x-amz-meta-")}


def tamper(store: ObjectStore, key: str) -> None:
    """Change an object's bytes behind the layer's back, keeping its recorded metadata."""
    if isinstance(store, LocalStore):
        path = store.root / key
        with open(path, "r+b") as handle:
            first = handle.read(1)
            handle.seek(0)
            handle.write(bytes([first[0] ^ 0xFF]))
        return
    assert isinstance(store, S3Store)
    info = store.client.stat_object(store.bucket, key)
    meta = {k[len("x-amz-meta-"):]: v for k, v in info.metadata.items()
            if k.lower().startswith("x-amz-meta-")}
    bad = b"tampered content"
    store.client.put_object(store.bucket, key, io.BytesIO(bad), len(bad), metadata=meta)


# ---------------------------------------------------------------- round trips


def test_put_get_round_trip_with_checksum_and_metadata(store: ObjectStore) -> None:
    data = "Tờ khai đăng ký khai sinh".encode() * 100
    key = key_for(data)
    obj = store.put_bytes(data, key, "application/pdf", {"Source": "desk-3"})
    assert (obj.key, obj.sha256, obj.size) == (key, sha(data), len(data))

    record = store.stat(key)
    assert record is not None
    assert record.sha256 == sha(data)
    assert record.size == len(data)
    assert record.content_type == "application/pdf"
    assert record.dossier_code == DOSSIER
    assert record.metadata["source"] == "desk-3"
    assert store.exists(key)
    assert store.get_bytes(key) == data
    with store.open(key) as stream:
        assert stream.read(10) + stream.read() == data
    assert store.verify(key)
    assert raw_record(store, key) == {"sha256": sha(data), "dossier-code": DOSSIER,
                                      "source": "desk-3"}


@pytest.mark.parametrize("kind", ["path", "seekable", "one-shot"])
def test_put_file_accepts_paths_and_streams(store: ObjectStore, tmp_path: Path, kind: str) -> None:
    data = os.urandom(300_000)
    key = key_for(data, "page", "png")
    if kind == "path":
        source: object = tmp_path / "scan.png"
        (tmp_path / "scan.png").write_bytes(data)
    elif kind == "seekable":
        source = io.BytesIO(data)
    else:
        source = OneShotStream(data)
    obj = store.put_file(source, key, "image/png")  # type: ignore[arg-type]
    assert obj.sha256 == sha(data) and obj.size == len(data)
    assert store.get_bytes(key) == data


def test_put_content_builds_the_content_addressed_key(store: ObjectStore) -> None:
    data = b'{"ho_ten": "Nguyen Minh Khang"}'
    obj = store.put_content(
        OneShotStream(data), agency_code=AGENCY, received_year=2026, dossier_code=DOSSIER,
        kind="metadata", extension="JSON", content_type="application/json",
    )
    assert obj.key == f"{AGENCY}/2026/{DOSSIER}/metadata/{sha(data)}.json"
    assert parse_key(obj.key) is not None
    assert store.get_bytes(obj.key) == data


def test_free_form_key_records_checksum(store: ObjectStore) -> None:
    store.put_bytes(b"v1", "exports/report.txt", "text/plain")
    store.put_bytes(b"v2", "exports/report.txt", "text/plain")  # overwrite is allowed
    record = store.stat("exports/report.txt")
    assert record is not None and record.sha256 == sha(b"v2")
    assert store.get_bytes("exports/report.txt") == b"v2"
    assert store.verify("exports/report.txt")


def test_second_put_of_same_content_is_idempotent(store: ObjectStore) -> None:
    data = b"scan of a birth certificate" * 1000
    key = key_for(data)
    first = store.put_bytes(data, key, "application/pdf")
    before = _raw_version(store, key)
    time.sleep(1.1)  # S3 Last-Modified has one-second resolution
    second = store.put_bytes(data, key, "application/pdf")
    assert second == first
    assert _raw_version(store, key) == before, "the second put wrote a new copy"
    assert [o.key for o in store.list(f"{AGENCY}/")] == [key]


def _raw_version(store: ObjectStore, key: str) -> object:
    if isinstance(store, LocalStore):
        st = (store.root / key).stat()
        return (st.st_ino, st.st_mtime_ns)
    assert isinstance(store, S3Store)
    return store.client.stat_object(store.bucket, key).last_modified


def test_wrong_content_for_content_addressed_key_is_refused(store: ObjectStore) -> None:
    key = key_for(b"the real content")
    with pytest.raises(ChecksumMismatch) as err:
        store.put_bytes(b"something else", key)
    assert key in str(err.value)
    assert not store.exists(key)
    big = os.urandom(20 * MiB)  # multipart on S3: must be aborted, not completed
    with pytest.raises(ChecksumMismatch):
        store.put_file(io.BytesIO(big), key)
    assert not store.exists(key)
    assert list(store.list()) == []


def test_large_file_streams_with_bounded_memory(store: ObjectStore, tmp_path: Path) -> None:
    size = 128 * MiB
    path = tmp_path / "stack-500-pages.pdf"
    digest = write_big_file(path, size)
    assert sha256_file(path) == digest
    key = object_key(AGENCY, 2026, DOSSIER, digest, "original", "pdf")

    tracemalloc.start()
    try:
        obj = store.put_file(path, key, "application/pdf")
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read_hash = hashlib.sha256()
        with store.open(key) as stream:
            while chunk := stream.read(MiB):
                read_hash.update(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert obj.size == size and obj.sha256 == digest
    assert read_hash.hexdigest() == digest
    # S3: about 2 x part size x parallel uploads (8 MiB x 2), whatever the size.
    assert put_peak < size / 3, f"put peak {put_peak / MiB:.1f} MiB for a 128 MiB file"
    assert get_peak < 8 * MiB, f"get peak {get_peak / MiB:.1f} MiB"
    assert store.verify(key)
    assert raw_record(store, key) == {"sha256": digest, "dossier-code": DOSSIER}  # multipart too


def test_list_by_prefix(store: ObjectStore) -> None:
    other = "000.00.00.H26-261125-0002"
    layout = {b"a": ("original", "pdf", DOSSIER), b"b": ("page", "png", DOSSIER),
              b"c": ("ocr", "txt", DOSSIER), b"d": ("original", "pdf", other)}
    keys = set()
    for data, (kind, ext, dossier) in layout.items():
        keys.add(store.put_bytes(data, key_for(data, kind, ext, dossier)).key)

    listed = list(store.list(f"{AGENCY}/2026/{DOSSIER}/"))
    assert [o.key for o in listed] == sorted(k for k in keys if DOSSIER + "/" in k)
    assert all(o.sha256 and o.size == 1 and o.dossier_code == DOSSIER for o in listed)
    assert [o.key for o in store.list(f"{AGENCY}/2026/{DOSSIER}/page/")] == [
        key_for(b"b", "page", "png")
    ]
    assert sorted(o.key for o in store.list()) == sorted(keys)
    # A prefix that is not a whole folder name still matches, as on S3.
    assert len(list(store.list(f"{AGENCY}/2026/000.00.00.H26-261125-000"))) == 4
    assert list(store.list("nothing-here/")) == []


def test_delete(store: ObjectStore) -> None:
    data = b"to be deleted"
    key = key_for(data)
    store.put_bytes(data, key)
    store.delete(key)
    assert not store.exists(key)
    assert store.stat(key) is None
    with pytest.raises(ObjectMissing) as err:
        store.get_bytes(key)
    assert key in str(err.value)
    store.delete(key)  # deleting an absent key is not an error
    assert list(store.list()) == []


def test_missing_object(store: ObjectStore) -> None:
    key = key_for(b"never stored")
    assert store.stat(key) is None
    with pytest.raises(ObjectMissing):
        store.open(key)
    with pytest.raises(ObjectMissing):
        store.verify(key)


def test_presigned_url_is_readable(store: ObjectStore) -> None:
    data = b"%PDF-1.7 fake but fine"
    key = key_for(data)
    store.put_bytes(data, key, "application/pdf")
    url = store.presigned_url(key, expires_s=60)
    expected_scheme = "file" if isinstance(store, LocalStore) else "http"
    assert url.split(":", 1)[0] == expected_scheme
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == data


def test_verify_detects_a_changed_object(store: ObjectStore) -> None:
    data = b"original scan bytes" * 50
    key = key_for(data)
    store.put_bytes(data, key)
    assert store.verify(key)
    tamper(store, key)
    record = store.stat(key)
    assert record is not None and record.sha256 == sha(data), "metadata kept by the tamper"
    assert not store.verify(key)


def test_key_validation(store: ObjectStore) -> None:
    digest = sha(b"x")
    for bad in (
        lambda: object_key("../etc", 2026, DOSSIER, digest, "original", "pdf"),
        lambda: object_key(AGENCY, 2026, "a/b", digest, "original", "pdf"),
        lambda: object_key(AGENCY, 2026, "..", digest, "original", "pdf"),
        lambda: object_key(AGENCY, 2026, "x..y", digest, "original", "pdf"),
        lambda: object_key(AGENCY, 26, DOSSIER, digest, "original", "pdf"),
        lambda: object_key(AGENCY, 2026, DOSSIER, digest, "thumbnail", "pdf"),
        lambda: object_key(AGENCY, 2026, DOSSIER, "ABC", "original", "pdf"),
        lambda: object_key(AGENCY, 2026, DOSSIER, digest, "original", "p/df"),
        lambda: object_key("", 2026, DOSSIER, digest, "original", "pdf"),
    ):
        with pytest.raises(ValueError):
            bad()
    for bad_key in ("../x", "a/../b", "/abs", "a//b", "a/.hidden", "a\\b", "", "a\nb"):
        with pytest.raises(ValueError):
            store.put_bytes(b"x", bad_key)
    with pytest.raises(ValueError):
        store.put_bytes(b"x", "ok/key", metadata={"ho-ten": "Nguyễn"})  # not ASCII
    assert parse_key("a/b/c") is None
    assert parse_key(key_for(b"x")) is not None


# ---------------------------------------------------------------- faults


def test_wrong_secret_key_is_access_denied(seaweedfs: SeaweedFS, s3_bucket: str) -> None:
    store = open_store(seaweedfs.url(s3_bucket, secret_key="not-the-secret"))
    start = time.monotonic()
    with pytest.raises(AccessDenied) as err:
        store.put_bytes(b"x", key_for(b"x"))
    assert time.monotonic() - start < 5, "access denied must not be retried"
    message = str(err.value)
    assert s3_bucket in message and "not-the-secret" not in message
    assert "\n" not in message


def test_missing_bucket(seaweedfs: SeaweedFS) -> None:
    name = f"absent-{uuid.uuid4().hex[:8]}"
    store = open_store(seaweedfs.url(name))
    with pytest.raises(BucketMissing) as err:
        store.put_bytes(b"x", key_for(b"x"))
    assert name in str(err.value)
    assert not seaweedfs.client().bucket_exists(name), "a missing bucket must not be created"

    created = open_store(seaweedfs.url(name), create_bucket=True)
    created.put_bytes(b"x", key_for(b"x"))
    assert seaweedfs.client().bucket_exists(name)
    assert open_store(seaweedfs.url(name)).get_bytes(key_for(b"x")) == b"x"


def test_server_down_is_unavailable_after_bounded_retries() -> None:
    (port,) = free_ports(1)  # nothing listens there
    policy = RetryPolicy(attempts=3, base_delay_s=0.1)
    store = S3Store(f"127.0.0.1:{port}", "k", "s", "dossiers", retry_policy=policy)
    start = time.monotonic()
    with pytest.raises(StorageUnavailable) as err:
        store.put_bytes(b"x", key_for(b"x"))
    elapsed = time.monotonic() - start
    assert err.value.attempts == 3
    assert err.value.retryable
    assert 0.25 <= elapsed < 5, f"took {elapsed:.2f}s"
    assert str(port) in str(err.value) and "after 3 attempts" in str(err.value)


def test_retry_helper_retries_transient_faults_only() -> None:
    from storage.errors import call_with_retries

    calls: list[int] = []
    sleeps: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise StorageUnavailable("s3://x/b", "k", "connection refused")
        return "ok"

    policy = RetryPolicy(attempts=4, base_delay_s=0.1)
    assert call_with_retries(flaky, policy, sleep=sleeps.append) == "ok"
    assert (len(calls), sleeps) == (3, [0.1, 0.2])

    def denied() -> None:
        calls.append(1)
        raise AccessDenied("s3://x/b", "k", "SignatureDoesNotMatch")

    calls.clear()
    with pytest.raises(AccessDenied):
        call_with_retries(denied, policy, sleep=sleeps.append)
    assert len(calls) == 1


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs, so ENOSPC is real and not simulated; skipped when mounting is not allowed."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_local_full_disk_is_storage_full_and_leaves_no_partial_file(tiny_tmpfs: Path) -> None:
    store = LocalStore(tiny_tmpfs / "objects")
    small = b"fits"
    store.put_bytes(small, key_for(small))
    data = os.urandom(3 * MiB)
    key = key_for(data)
    with pytest.raises(StorageFull) as err:
        store.put_file(io.BytesIO(data), key)
    assert key in str(err.value)
    assert not store.exists(key)
    leftovers = [p for p in tiny_tmpfs.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    assert leftovers == []
    assert [o.key for o in store.list()] == [key_for(small)]
    assert store.verify(key_for(small))


# ---------------------------------------------------------------- factory


def test_open_store_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = open_store((tmp_path / "objs").as_uri())
    assert isinstance(local, LocalStore) and local.root == tmp_path / "objs"

    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOSSIER_STORAGE_URL", raising=False)
    default = open_store()
    assert isinstance(default, LocalStore) and default.root == tmp_path / "home" / "objects"
    assert open_store("").name == default_store_url() == default.name

    s3 = open_store("s3://AK%2F1:se%2Fc%40ret%3A@minio.example:9000/dossiers?secure=true")
    assert isinstance(s3, S3Store)
    assert (s3.endpoint, s3.bucket, s3.secure, s3.create_bucket) == (
        "minio.example:9000", "dossiers", True, False)
    assert s3.client._provider.retrieve().secret_key == "se/c@ret:"  # type: ignore[union-attr]
    assert s3.client._provider.retrieve().access_key == "AK/1"  # type: ignore[union-attr]
    assert "se%2Fc" not in redact("s3://AK:se%2Fc@h:1/b")

    for bad in ("ftp://x/y", "s3://h:9000/b", "s3://a:b@h:9000/", "s3://a:b@h:9000/b/c",
                "s3://a:b@h:9000/b?secure=maybe", "s3://a:b@h:9000/b?colour=red",
                "file://relative/path", "s3://a:topsecret@h:port/b"):
        with pytest.raises(InvalidStorageURL) as err:
            open_store(bad)
        assert "topsecret" not in str(err.value)
