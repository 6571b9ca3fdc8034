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
from models.records import FINAL_STATUSES
from storage import ObjectStore, sha256_file
from workers.broker import make_broker
from workers.queues import QUEUES, send_split
from workers.settings import WorkerSettings

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
    if dossier.status in FINAL_STATUSES:
        return dossier.code
    files = [[by_digest[sha256_file(path)], str(path)] for path in paths]
    settings = WorkerSettings.from_env()
    if settings.broker_url.partition(":")[0].lower() == "memory":
        # Embedded: the same actors run here, in this process, until the dossier is done.
        from workers import actors
        from workers.embedded import drain

        actors.split.send(dossier.id, files)
        drain(actors.broker, QUEUES)  # type: ignore[arg-type]
        return dossier.code
    broker = make_broker(settings)  # the workers are elsewhere: queue and return
    try:
        send_split(broker, dossier.id, files)
    finally:
        broker.close()
    return dossier.code
