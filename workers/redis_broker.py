"""dramatiq's RedisBroker with a doorbell, so idle consumers wait on Redis instead of polling.

dramatiq's Redis consumer asks for work (a Lua script call) whenever its queue
is empty, every ``dramatiq_worker_timeout`` ms. A dossier waits up to that long
at each hop (submit -> split -> page -> publish), so ``dossier worker`` used to
poll every 50 ms, and that polling alone cost ~0.07 CPU-s a second per worker
process, most of it while the pages were being read.

Here every message sent to a dossier queue also pushes a token on that queue's
doorbell list, and a consumer that found its queue empty blocks on the doorbell
(``BLPOP``) for up to ``DOORBELL_WAIT_S`` instead of sleeping: it wakes at once
when work arrives and costs nothing while it waits. Tokens are hints, never
the work itself: a token whose message a busy consumer already took costs one
empty fetch; a message that rings no bell (requeued from a dead worker by
dramatiq's maintenance) is found at the next timeout. The list is trimmed so
tokens pushed while no worker runs cannot pile up. A consumer that is full
(as many messages in hand as its prefetch) never takes a token: it waits for
its own threads, polling its local state at ``dramatiq_worker_timeout``.
Delay queues (retries) and webhooks keep dramatiq's own pace, ``SLOW_POLL_MS``.
"""

from __future__ import annotations

from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed

from workers.queues import QUEUES

__all__ = ["DOORBELL_WAIT_S", "FAST_QUEUES", "SLOW_POLL_MS", "DoorbellRedisBroker"]

FAST_QUEUES = frozenset(QUEUES)
SLOW_POLL_MS = 1_000
DOORBELL_WAIT_S = 1.0  # also how late a message that rang no bell is found
MAX_TOKENS = 10_000


class DoorbellRedisBroker(RedisBroker):
    """RedisBroker whose dossier queues ring a doorbell; other queues poll slowly."""

    def doorbell(self, queue_name: str) -> str:
        return f"{self.namespace}:doorbell:{queue_name}"

    def consume(self, queue_name: str, prefetch: int = 1,
                timeout: int = 5000) -> dramatiq.Consumer:
        if queue_name in FAST_QUEUES:
            return _DoorbellConsumer(self, queue_name, prefetch, timeout)
        return super().consume(queue_name, prefetch, max(timeout, SLOW_POLL_MS))

    def enqueue(self, message: dramatiq.Message, *, delay: int | None = None) -> dramatiq.Message:
        sent = super().enqueue(message, delay=delay)
        if delay is None and message.queue_name in FAST_QUEUES:
            bell = self.doorbell(message.queue_name)
            with self.client.pipeline(transaction=False) as pipe:
                pipe.rpush(bell, 1)
                pipe.ltrim(bell, -MAX_TOKENS, -1)
                pipe.execute()
        return sent


class _DoorbellConsumer(_RedisConsumer):
    """Fetches as dramatiq's does; when the queue is empty, waits on the doorbell."""

    def __next__(self) -> Any:
        if self.message_cache or self.outstanding_message_count >= self.prefetch:
            return super().__next__()  # a cached message, or full: dramatiq's own short wait
        try:
            self.message_cache = self.broker.do_fetch(
                self.queue_name, self.prefetch - self.outstanding_message_count)
            if not self.message_cache:
                self.broker.client.blpop([self.broker.doorbell(self.queue_name)],
                                         timeout=DOORBELL_WAIT_S)
                return None
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None
        return super().__next__()
