"""Queue and actor names the workers and the processes that hand dossiers in agree on.

Importing this loads no pipeline: ``dossier submit`` (a desk's one command) needs
only to store the originals and queue one message, and loading the OCR and
language models with ``workers.actors`` made it take ~4 s, and ~0.6 s more to
exit, while the workers were already reading its pages on the same cores.
"""

from __future__ import annotations

import dramatiq

__all__ = ["OCR", "PUBLISH", "QUEUES", "SPLIT", "SPLIT_ACTOR", "send_split"]

SPLIT = "hoso.split"
OCR = "hoso.ocr"
PUBLISH = "hoso.publish"
QUEUES = (SPLIT, OCR, PUBLISH)
SPLIT_ACTOR = "split"  # workers.actors.split: (dossier id, [[original key, file name], ...])


def send_split(broker: dramatiq.Broker, dossier_id: str, files: list[list[str]]) -> None:
    """Queue the first step of a dossier: the message ``workers.actors.split.send`` makes."""
    broker.declare_queue(SPLIT)
    broker.enqueue(dramatiq.Message(queue_name=SPLIT, actor_name=SPLIT_ACTOR,
                                    args=(dossier_id, files), kwargs={}, options={}))
