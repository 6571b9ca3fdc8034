"""The actors: one per step of ``intake.steps``, each a few lines of wiring, no business logic.

    submit ──> split(dossier) ──> ocr_page(dossier, i)  × every page, on every worker
                                      └── the one that completes the set ──> publish(dossier)

Queues are separate so a worker always takes a ready ``publish`` (a citizen
waiting at the desk) before more pages of a long scan: dramatiq's worker
hands out messages by actor priority (lower first).

Importing this module sets the global broker from ``DOSSIER_BROKER_URL``;
``dramatiq workers.actors`` (what ``dossier worker`` runs) imports it.
"""

from __future__ import annotations

import dramatiq

from intake import steps
from workers.broker import make_broker
from workers.queues import OCR, PUBLISH, QUEUES, SPLIT, SPLIT_ACTOR
from workers.resources import context
from workers.settings import WorkerSettings

__all__ = ["QUEUES", "broker", "ocr_page", "publish", "split"]

broker = make_broker(WorkerSettings.from_env())
dramatiq.set_broker(broker)

from workers import webhook_actor  # noqa: E402,F401  (after set_broker: webhooks to the one-stop system)


@dramatiq.actor(actor_name=SPLIT_ACTOR, queue_name=SPLIT, priority=10)
def split(dossier_id: str, files: list[list[str]]) -> None:
    """Count the originals' pages; fan out one OCR message per page."""
    steps.split(context(), dossier_id, [steps.SourceFile(key, name) for key, name in files],
                send_page=lambda index, page: ocr_page.send(dossier_id, index, page.key,
                                                            page.number),
                send_publish=lambda: publish.send(dossier_id))


@dramatiq.actor(queue_name=OCR, priority=20)
def ocr_page(dossier_id: str, index: int, key: str | None = None,
             number: int | None = None) -> None:
    """OCR page ``number`` of original ``key``; the page that completes the dossier sends
    ``publish``. (Messages without ``key`` come from a split of an earlier version.)"""
    source = steps.PageSource(key, number) if key is not None and number is not None else None
    steps.ocr_one(context(), dossier_id, index, send_publish=lambda: publish.send(dossier_id),
                  source=source)


@dramatiq.actor(queue_name=PUBLISH, priority=0)
def publish(dossier_id: str) -> None:
    """Verdict, searchable PDFs, records; the dossier becomes ``done``."""
    steps.publish(context(), dossier_id)
