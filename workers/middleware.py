"""Record on the dossier when a message is given up on, so nobody waits for a dead dossier.

dramatiq's ``Retries`` decides *whether* to retry (see ``workers.faults``); this
middleware runs after it and, once a message is failed for good (a permanent
fault, or transient faults past the retry budget), marks its dossier
``failed`` with the reason. Every actor takes the dossier id first.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

__all__ = ["RecordFailure", "WarmUp"]

log = logging.getLogger(__name__)


class RecordFailure(Middleware):
    def after_process_message(self, broker: dramatiq.Broker, message: Any, *,
                              result: Any = None, exception: BaseException | None = None) -> None:
        if exception is None or not getattr(message, "failed", False) or not message.args:
            return
        from intake.steps import mark_failed
        from workers.resources import context

        retries = message.options.get("retries", 0)
        reason = f"{message.actor_name}: {type(exception).__name__}: {exception}"[:1000]
        if retries > 1:
            reason += f" (gave up after {retries} attempts)"
        try:
            mark_failed(context(), str(message.args[0]), reason)
        except Exception:  # the database may be what is down: the log is all we have left
            log.exception("could not record the failure of dossier %s", message.args[0])


class WarmUp(Middleware):
    """Load the models and open the connections before a worker process takes a message.

    A worker that starts cold makes the first dossier it publishes wait ~5-8 s for
    spaCy's Vietnamese tokenizer (pyvi, sklearn, scipy). A failure here (the database
    not up yet) is only logged: the first message opens what it needs itself.
    """

    def before_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        from workers.resources import warm_up

        try:
            warm_up()
        except Exception:
            log.exception("warm-up failed; resources will be opened by the first message")
