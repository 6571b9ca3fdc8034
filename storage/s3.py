"""S3 backend through the ``minio`` client (MinIO in production, any S3 server).

The checksum, content type and dossier code travel as object metadata
(``x-amz-meta-sha256``, ``x-amz-meta-dossier-code``) so the bucket alone is
enough to audit.  Uploads stream with ``length=-1`` and a fixed part size, so
memory stays at a few parts whatever the scan's size.  urllib3's own retries
are switched off: transient faults are retried once, in ``storage.errors``.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any, BinaryIO

import certifi
import urllib3
from minio import Minio
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError

from storage.base import (
    DEFAULT_CONTENT_TYPE,
    SHA256_META,
    HashingReader,
    ObjectStore,
    Source,
    SourceFile,
    StoredObject,
    rereadable_source,
    user_metadata,
)
from storage.errors import (
    AccessDenied,
    BucketMissing,
    ObjectMissing,
    RetryPolicy,
    StorageError,
    StorageFull,
    StorageUnavailable,
    call_with_retries,
    retrying,
)
from storage.keys import iter_stream, parse_key, sha256_chunks, validate_key, validate_prefix

_META_PREFIX = "x-amz-meta-"
_MAX_PARTS = 10_000
_DENIED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AllAccessDisabled",
}
_MISSING_OBJECT = {"NoSuchKey", "NoSuchObject", "ResourceNotFound", "NoSuchVersion"}
_TRANSIENT = {
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "XMinioServerNotInitialized",
}
_FULL = {"XMinioStorageFull", "EntityTooLarge", "QuotaExceeded"}


class S3Store(ObjectStore):
    """Objects in one S3 bucket.

    ``create_bucket=False`` (the default) turns a missing bucket into
    ``BucketMissing`` on first use, so a typo in the URL never silently
    creates a new, empty archive.
    """

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        region: str = "us-east-1",
        create_bucket: bool = False,
        retry_policy: RetryPolicy | None = None,
        part_size: int = 8 * 1024 * 1024,
        parallel_uploads: int = 2,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 120.0,
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        self.name = f"{'https' if secure else 'http'}://{endpoint}/{bucket}"
        self.create_bucket = create_bucket
        self.retry_policy = retry_policy or RetryPolicy()
        self.part_size = part_size
        self.parallel_uploads = parallel_uploads
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s),
            maxsize=max(4, parallel_uploads * 2),
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        )
        try:
            self.client = Minio(
                endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure,
                region=region,
                http_client=http,
            )
        except ValueError as exc:
            raise StorageError(self.name, None, str(exc)) from exc
        self._bucket_ok = False
        self._bucket_lock = threading.Lock()

    # -- error mapping ----------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, key: str | None) -> Iterator[None]:
        """Turn minio / urllib3 exceptions into the typed storage errors."""
        try:
            yield
        except StorageError:
            raise
        except S3Error as exc:
            raise self._from_s3_error(exc, key) from exc
        except ServerError as exc:
            raise StorageUnavailable(self.name, key, f"HTTP {exc.status_code}") from exc
        except InvalidResponseError as exc:
            raise StorageUnavailable(self.name, key, str(exc)[:200]) from exc
        except (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError) as exc:
            raise StorageUnavailable(self.name, key, f"{type(exc).__name__}: {exc}") from exc
        except MinioException as exc:
            raise StorageError(self.name, key, str(exc)) from exc

    def _from_s3_error(self, exc: S3Error, key: str | None) -> StorageError:
        code = exc.code or ""
        detail = f"{code}: {exc.message}" if exc.message else code
        if code in _DENIED:
            return AccessDenied(self.name, key, detail)
        if code == "NoSuchBucket":
            return BucketMissing(self.name, key, detail)
        if code in _MISSING_OBJECT:
            return ObjectMissing(self.name, key, detail)
        if code in _FULL:
            return StorageFull(self.name, key, detail)
        status = exc.response.status if exc.response is not None else 0
        if code in _TRANSIENT or status >= 500:
            return StorageUnavailable(self.name, key, detail)
        return StorageError(self.name, key, detail)

    # -- bucket -----------------------------------------------------------------

    def _ready(self) -> None:
        """Check (once) that the bucket exists, creating it only if asked to."""
        if self._bucket_ok:
            return
        with self._bucket_lock:
            if not self._bucket_ok:
                call_with_retries(self._check_bucket, self.retry_policy)
                self._bucket_ok = True

    def _check_bucket(self) -> None:
        with self._errors(None):
            if self.client.bucket_exists(self.bucket):
                return
            if not self.create_bucket:
                raise BucketMissing(self.name, None, "create it, or open the store with "
                                    "create_bucket=True")
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise

    # -- writes -----------------------------------------------------------------

    def put_file(
        self,
        source: Source,
        key: str,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        validate_key(key)
        meta = user_metadata(key, metadata)
        self._ready()
        parsed = parse_key(key)
        if parsed is not None:
            # The digest is in the key: one streaming pass, checked at EOF.
            existing = self.stat(key)
            if existing is not None and existing.sha256 == parsed.sha256:
                return existing  # same content already stored: no second copy
            return self._upload(SourceFile(source), key, parsed.sha256, content_type, meta)
        # Free-form key: the digest must be known before the metadata header is sent.
        with rereadable_source(source) as src:
            with src.open() as reader:
                digest = sha256_chunks(iter_stream(reader))
            existing = self.stat(key)
            if existing is not None and existing.sha256 == digest:
                return existing
            return self._upload(src, key, digest, content_type, meta)

    def _upload(
        self,
        src: SourceFile,
        key: str,
        sha256: str,
        content_type: str,
        meta: dict[str, str],
    ) -> StoredObject:
        """Stream ``src`` to ``key``; retried only while the source can be re-read."""
        headers = {SHA256_META: sha256, **meta}

        failures: list[StorageError] = []

        def attempt() -> StoredObject:
            if failures and not src.rewindable:
                failures[-1].retryable = False  # type: ignore[misc]  # one-shot stream is spent
                raise failures[-1]
            try:
                with src.open() as raw, self._errors(key):
                    reader = HashingReader(raw, sha256, self.name, key)
                    reader.expected_size = src.length(raw)
                    self._put(reader, key, content_type, headers)
            except StorageError as exc:
                failures.append(exc)
                raise
            return StoredObject(key, sha256, reader.size, content_type, meta)

        return call_with_retries(attempt, self.retry_policy)

    def _put(
        self, reader: HashingReader, key: str, content_type: str, headers: dict[str, str]
    ) -> None:
        """One streaming PUT (multipart above ``part_size``); memory ~ a few parts.

        The length is passed when known (paths, seekable streams): minio then reads
        exactly each part instead of one byte over, which saves a copy per part.
        """
        length = -1 if reader.expected_size is None else reader.expected_size
        if length == 0:
            reader.check()  # nothing will be read, so check the empty digest now
        self.client.put_object(
            self.bucket,
            key,
            reader,  # type: ignore[arg-type]
            length=length,
            part_size=_part_size_for(length, self.part_size),
            num_parallel_uploads=self.parallel_uploads,
            content_type=content_type,
            metadata=headers,  # type: ignore[arg-type]
        )
        try:
            reader.check()  # normally already checked while reading; never trust a gap
        except StorageError:
            self.client.remove_object(self.bucket, key)
            raise

    @retrying
    def delete(self, key: str) -> None:
        validate_key(key)
        self._ready()
        with self._errors(key):
            self.client.remove_object(self.bucket, key)

    # -- reads ------------------------------------------------------------------

    @retrying
    def open(self, key: str) -> BinaryIO:
        validate_key(key)
        self._ready()
        with self._errors(key):
            response = self.client.get_object(self.bucket, key)
        return _ResponseStream(response, self, key)  # type: ignore[return-value]

    @retrying
    def stat(self, key: str) -> StoredObject | None:
        validate_key(key)
        self._ready()
        try:
            with self._errors(key):
                info = self.client.stat_object(self.bucket, key)
        except ObjectMissing:
            return None
        meta = {
            name.lower()[len(_META_PREFIX):]: value
            for name, value in (info.metadata or {}).items()
            if name.lower().startswith(_META_PREFIX)
        }
        parsed = parse_key(key)
        sha = meta.pop(SHA256_META, "") or (parsed.sha256 if parsed else "")
        return StoredObject(
            key=key,
            sha256=sha,
            size=int(info.size or 0),
            content_type=info.content_type or DEFAULT_CONTENT_TYPE,
            metadata=meta,
        )

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Objects under ``prefix`` in key order; one HEAD per object to read its metadata."""
        validate_prefix(prefix)
        self._ready()
        names = call_with_retries(lambda: self._list_names(prefix), self.retry_policy)
        for name in names:
            record = self.stat(name)
            if record is not None:
                yield record

    def _list_names(self, prefix: str) -> list[str]:
        with self._errors(prefix or None):
            return [
                obj.object_name
                for obj in self.client.list_objects(
                    self.bucket, prefix=prefix or None, recursive=True
                )
                if obj.object_name and not obj.is_dir
            ]

    def presigned_url(self, key: str, expires_s: int = 300) -> str:
        """A time-limited GET URL; signing is offline, no request is made."""
        validate_key(key)
        with self._errors(key):
            return self.client.presigned_get_object(
                self.bucket, key, expires=timedelta(seconds=expires_s)
            )


def _part_size_for(length: int, preferred: int) -> int:
    """The preferred part size, grown in whole MiB when S3's 10,000-part cap needs it.

    With an unknown length (one-shot stream) the cap is 10,000 x ``preferred``.
    """
    if length <= 0:
        return preferred
    mib = 1024 * 1024
    needed = -(-length // _MAX_PARTS)
    return max(preferred, -(-needed // mib) * mib)


class _ResponseStream(io.RawIOBase):
    """A GET response as a file object that releases its connection on close."""

    def __init__(self, response: Any, store: S3Store, key: str) -> None:
        self._response = response
        self._store = store
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._store._errors(self._key):
            data = self._response.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        with self._store._errors(self._key):
            if size is None or size < 0:
                return self._response.read()
            return self._response.read(size)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._response.close()
                self._response.release_conn()
        super().close()
