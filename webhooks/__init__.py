"""Outgoing webhooks to the province's one-stop system (Hệ thống thông tin giải quyết TTHC).

Every state change of a dossier writes one event row in the same transaction
(``webhooks.outbox``); a deliverer (``webhooks.delivery``: the dramatiq actor,
``dossier webhooks deliver``, or a background thread in the embedded mode)
sends the rows, signed (``webhooks.signature``), per dossier in order, retried
with backoff until the receiver answers 2xx. See webhooks/README.md.
"""
