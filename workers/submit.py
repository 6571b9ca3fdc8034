"""Hand a dossier to the workers: keep the originals now, queue the processing.

The originals are stored (and the dossier code allocated) by
``archive.receive`` before anything is queued, so the citizen's files are safe
and the code can be printed at once, whatever happens to the broker. The
message names each original by its object key, in the order handed in, so a
worker on any machine can fetch it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from archive import receive
from intake.steps import FINAL_STATES
from storage import ObjectStore, sha256_file

__all__ = ["submit"]


def submit(paths: Sequence[Path], procedure: str | None, *, agency_code: str,
           store: ObjectStore, sessions: sessionmaker[Session]) -> str:
    """Receive ``paths`` as one dossier and queue it; return its code.

    The same files again give the same dossier: queued again only if it never
    finished (a message lost with a broker that had no persistence), which
    the idempotent steps make harmless.
    """
    with sessions() as session:
        received = receive(paths, agency_code, procedure, store, session)
        dossier = received.dossier
        by_digest = {row.sha256: row.key for row in received.originals}
    if dossier.status in FINAL_STATES:
        return dossier.code
    files = [[by_digest[sha256_file(path)], str(path)] for path in paths]
    from workers import actors  # sets the broker from the environment

    actors.split.send(dossier.id, files)
    if _embedded(actors.broker):
        from workers.embedded import drain

        drain(actors.broker, actors.QUEUES)  # type: ignore[arg-type]
    return dossier.code


def _embedded(broker: object) -> bool:
    from dramatiq.brokers.stub import StubBroker

    return isinstance(broker, StubBroker)
