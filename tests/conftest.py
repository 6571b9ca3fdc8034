"""Shared pytest fixtures. Each area keeps its fixtures in its own section."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# --------------------------------------------------------------------------
# Storage fixtures (storage/): a real SeaweedFS S3 server for the session,
# and a `store` fixture parametrised over both backends.
# --------------------------------------------------------------------------

STORAGE_BACKENDS = ("local", "s3")


@pytest.fixture(scope="session")
def seaweedfs(request: pytest.FixtureRequest) -> Iterator[object]:
    """One SeaweedFS (``weed mini``) with S3 auth on, for the whole session.

    Its log is printed at the end of the session if any test failed.
    """
    from tests.servers.seaweedfs import start_seaweedfs

    server = start_seaweedfs()
    try:
        yield server
    finally:
        if request.session.testsfailed:
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_sep("-", "SeaweedFS log (tail)")
                reporter.write_line(server.log_tail())
        server.stop()


@pytest.fixture
def s3_bucket(seaweedfs: object) -> str:
    """A fresh, empty bucket on the session's SeaweedFS."""
    return seaweedfs.new_bucket()  # type: ignore[attr-defined]


@pytest.fixture(params=STORAGE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    """An empty ``ObjectStore``: a local folder, or a fresh bucket on SeaweedFS."""
    from storage import LocalStore, open_store

    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    server = request.getfixturevalue("seaweedfs")
    return open_store(server.url(server.new_bucket()))
