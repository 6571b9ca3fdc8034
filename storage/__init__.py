"""Object storage for scans, pages, OCR text and PDFs: one interface, S3 or a local folder.

    store = open_store()                      # DOSSIER_STORAGE_URL, or $DOSSIER_HOME/objects
    obj = store.put_content(path, agency_code=..., received_year=2026,
                            dossier_code=..., kind="original", extension="pdf")
    store.verify(obj.key)
"""

from storage.base import DEFAULT_CONTENT_TYPE, ObjectStore, StoredObject
from storage.errors import (
    AccessDenied,
    BucketMissing,
    ChecksumMismatch,
    InvalidStorageURL,
    ObjectMissing,
    RetryPolicy,
    StorageError,
    StorageFull,
    StorageUnavailable,
)
from storage.factory import default_store_url, open_store, redact
from storage.keys import KINDS, ObjectKey, object_key, parse_key, sha256_file, validate_key
from storage.local import LocalStore
from storage.s3 import S3Store

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "KINDS",
    "AccessDenied",
    "BucketMissing",
    "ChecksumMismatch",
    "InvalidStorageURL",
    "LocalStore",
    "ObjectKey",
    "ObjectMissing",
    "ObjectStore",
    "RetryPolicy",
    "S3Store",
    "StorageError",
    "StorageFull",
    "StorageUnavailable",
    "StoredObject",
    "default_store_url",
    "object_key",
    "open_store",
    "parse_key",
    "redact",
    "sha256_file",
    "validate_key",
]
