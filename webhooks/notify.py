"""Start delivery as soon as a state change commits, without the desk waiting for it.

``outbox.add_event`` marks its session; when that session's transaction
commits, the process's *notifier* is called with the engine. A worker process
installs one that sends the dramatiq actor (``workers.webhook_actor``); every
other process (``dossier process``, the web app, ``dossier submit`` on the
in-memory broker) gets the default: one background thread per database that
delivers what is due with a short time limit per request, so a receiver that
is down costs the desk nothing; what it could not send waits for the next
state change, the next ``dossier webhooks deliver``, or the actor's retry.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

__all__ = ["mark_pending", "set_notifier", "wait_idle"]

log = logging.getLogger(__name__)

_PENDING = "hoso_webhook_pending"
Notifier = Callable[[Engine], None]
_notifier: Notifier | None = None


def mark_pending(session: Session) -> None:
    session.info[_PENDING] = True


def set_notifier(notifier: Notifier | None) -> None:
    """Replace how this process is told about new events (None: the embedded default)."""
    global _notifier
    _notifier = notifier


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING, False):
        return
    try:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        (_notifier or _embedded_notify)(engine)
    except Exception:  # telling the deliverer is best effort: the outbox row is committed
        log.exception("could not start webhook delivery")


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


class _Background:
    """One daemon thread per database: runs ``deliver_due`` whenever kicked."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.kicked = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.thread = threading.Thread(target=self._run, name="hoso-webhooks", daemon=True)
        self.thread.start()

    def kick(self) -> None:
        self.idle.clear()
        self.kicked.set()

    def _run(self) -> None:
        from models.database import make_sessionmaker
        from models.records import utcnow
        from webhooks.delivery import deliver_due
        from webhooks.settings import WebhookSettings

        sessions = make_sessionmaker(self.engine)
        retry_in: float | None = None  # seconds until the next retry falls due, if any
        while True:
            self.kicked.wait(retry_in)
            self.kicked.clear()
            self.idle.clear()
            retry_in = None
            try:
                settings = WebhookSettings.from_env()
                report = deliver_due(sessions, settings, timeout_s=settings.embedded_timeout_s,
                                     budget_s=4 * settings.embedded_timeout_s)
                if report.next_due_at is not None and (report.delivered or report.failed):
                    # a long-running desk (the web app) retries by itself, like the actor
                    wait = (report.next_due_at - utcnow()).total_seconds()
                    retry_in = min(max(wait, 0.5), settings.backoff_max_s)
            except Exception:
                log.exception("webhook delivery failed")
            if not self.kicked.is_set():
                self.idle.set()


_threads: dict[int, _Background] = {}
_lock = threading.Lock()


def _embedded_notify(engine: Engine) -> None:
    from webhooks.settings import WebhookSettings

    if not WebhookSettings.from_env().enabled:
        return  # not connected: the events wait in the outbox
    with _lock:
        worker = _threads.get(id(engine))
        if worker is None or worker.engine is not engine:
            if not _threads:
                atexit.register(_settle_at_exit)
            worker = _threads[id(engine)] = _Background(engine)
    worker.kick()


def _settle_at_exit() -> None:
    """Let a send in flight finish before the interpreter kills the daemon thread.

    Otherwise its lease would hold the dossier's events back until it expires.
    """
    from webhooks.settings import WebhookSettings

    with contextlib.suppress(ValueError):  # misconfigured: nothing was being sent anyway
        wait_idle(WebhookSettings.from_env().embedded_timeout_s + 1)


def wait_idle(timeout_s: float) -> bool:
    """Wait (bounded) for in-process deliveries to finish; True if all are idle.

    A command that exits right after a state change (``dossier process``)
    calls this so its events get their one quick chance before the process ends.
    """
    with _lock:
        workers = list(_threads.values())
    return all(w.idle.wait(timeout_s) for w in workers)
