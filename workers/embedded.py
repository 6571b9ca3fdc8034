"""Run the actors in this process until every queue is empty (``DOSSIER_BROKER_URL=memory://``).

The same actors, middleware and retry policy as on a server, with dramatiq's
StubBroker and an in-process ``dramatiq.Worker``: a desk without Redis gets
the identical behaviour, and the tests can exercise the actors without any
server at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name

__all__ = ["drain"]


def drain(broker: StubBroker, queues: Sequence[str], threads: int | None = None) -> None:
    """Process messages with an in-process worker until no queue has work left."""
    worker = dramatiq.Worker(broker, worker_threads=threads or os.cpu_count() or 1,
                             worker_timeout=100)
    worker.start()
    try:
        while True:
            for queue in queues:
                broker.join(queue, fail_fast=False)
            if all(broker.queues[q].unfinished_tasks == 0
                   and broker.queues[dq_name(q)].unfinished_tasks == 0 for q in queues):
                return
    finally:
        worker.stop()
