"""Open the configured object store from one URL (``DOSSIER_STORAGE_URL``).

``file:///path`` -> local folder; ``s3://ACCESS:SECRET@host:port/bucket`` -> S3
(``?secure=true`` for TLS, ``?region=...``, ``?create_bucket=true``).
Credentials may be percent-encoded (a secret containing '/' or '@').
Error messages never repeat the secret.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from storage.base import ObjectStore
from storage.errors import InvalidStorageURL
from storage.local import LocalStore
from storage.s3 import S3Store

ENV_URL = "DOSSIER_STORAGE_URL"
ENV_HOME = "DOSSIER_HOME"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def default_store_url() -> str:
    """``file://$DOSSIER_HOME/objects`` (``DOSSIER_HOME`` defaults to ``./data``)."""
    home = os.environ.get(ENV_HOME) or "./data"
    return (Path(home).absolute() / "objects").as_uri()


def redact(url: str) -> str:
    """The URL with any secret replaced by ``***``, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


def open_store(url: str | None = None, *, create_bucket: bool | None = None) -> ObjectStore:
    """Open the store for ``url``; None reads ``DOSSIER_STORAGE_URL``; empty means the default.

    ``create_bucket`` overrides the URL's ``create_bucket`` query flag (default off:
    a missing bucket raises ``BucketMissing`` on first use).
    """
    if url is None:
        url = os.environ.get(ENV_URL, "")
    url = url.strip() or default_store_url()
    scheme = url.partition(":")[0].lower()
    if scheme == "file":
        return _open_file(url)
    if scheme == "s3":
        return _open_s3(url, create_bucket)
    raise InvalidStorageURL(redact(url), None, "expected file:///path or s3://KEY:SECRET@host:port/bucket")


def _open_file(url: str) -> LocalStore:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise InvalidStorageURL(url, None, "expected an absolute path: file:///path/to/objects")
    return LocalStore(unquote(parts.path))


def _flag(query: dict[str, list[str]], name: str, url: str) -> bool | None:
    values = query.get(name)
    if not values:
        return None
    value = values[-1].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidStorageURL(redact(url), None, f"{name}={values[-1]!r} is not true/false")


def _open_s3(url: str, create_bucket: bool | None) -> S3Store:
    safe = redact(url)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # e.g. a non-numeric port
        raise InvalidStorageURL(safe, None, str(exc)) from exc
    if not host:
        raise InvalidStorageURL(safe, None, "missing host")
    if parts.username is None or parts.password is None:
        raise InvalidStorageURL(safe, None, "missing credentials: s3://ACCESS:SECRET@host:port/bucket")
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise InvalidStorageURL(safe, None, "expected exactly one bucket name as the path")
    query = parse_qs(parts.query)
    known = {"secure", "region", "create_bucket"}
    if unknown := sorted(set(query) - known):
        raise InvalidStorageURL(safe, None, f"unknown option(s) {', '.join(unknown)}")
    secure = bool(_flag(query, "secure", url))
    if create_bucket is None:
        create_bucket = bool(_flag(query, "create_bucket", url))
    endpoint = f"[{host}]" if ":" in host else host
    if port is not None:
        endpoint = f"{endpoint}:{port}"
    try:
        return S3Store(
            endpoint,
            unquote(parts.username),
            unquote(parts.password),
            bucket,
            secure=secure,
            region=query.get("region", ["us-east-1"])[-1],
            create_bucket=create_bucket,
        )
    except ValueError as exc:
        raise InvalidStorageURL(safe, None, str(exc)) from exc
