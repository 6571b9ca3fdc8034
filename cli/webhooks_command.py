"""`dossier webhooks deliver [--loop]`: send the outbox to the one-stop system without a broker.

For desks that run no `dossier worker`: once (from cron) or ``--loop``
(a service). Several may run at once, on several machines: events are leased,
never sent twice by two of them.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError


def add_parser(commands: argparse._SubParsersAction) -> None:
    webhooks = commands.add_parser(
        "webhooks", help="events for the one-stop system (outgoing webhooks)",
        description="Send the dossiers' state changes, signed, to DOSSIER_WEBHOOK_URL. "
                    "See webhooks/README.md.")
    sub = webhooks.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    deliver = sub.add_parser(
        "deliver", help="send every event that is due",
        description="Send every due event, per dossier in order, retrying failures with "
                    "backoff. Without --loop: one pass, exit 0 when nothing is left "
                    "undelivered, 1 otherwise. With --loop: until SIGTERM or Ctrl-C.")
    deliver.add_argument("--loop", action="store_true", help="keep delivering until stopped")
    deliver.add_argument("--interval", type=float, default=5.0, metavar="S",
                         help="with --loop: longest pause between two passes (default 5 s)")
    deliver.add_argument("--json", action="store_true", help="print one JSON object per pass")
    deliver.set_defaults(run=run_deliver)


def run_deliver(args: argparse.Namespace) -> int:
    from models.database import open_database, redacted_url
    from models.records import utcnow
    from webhooks.delivery import deliver_due
    from webhooks.settings import WebhookSettings

    try:
        settings = WebhookSettings.from_env()
    except ValueError as exc:
        print(f"dossier: webhooks: configuration: {exc}", file=sys.stderr)
        return 2
    if not settings.enabled:
        print("dossier: webhooks: DOSSIER_WEBHOOK_URL is not set: events stay in the outbox",
              file=sys.stderr)
        return 2
    if args.interval <= 0:
        print("dossier: webhooks: --interval must be greater than 0", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    if args.loop:
        signal.signal(signal.SIGTERM, on_signal)
    try:
        engine, sessions = open_database()
    except SQLAlchemyError as exc:
        print(f"dossier: webhooks: database {redacted_url()}: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 2
    try:
        while True:
            report = deliver_due(sessions, settings)
            summary = {"delivered": len(report.delivered), "failed": report.failed,
                       "pending": report.pending,
                       "next_due_at": report.next_due_at.isoformat()
                       if report.next_due_at else None}
            if args.json:
                print(json.dumps(summary), flush=True)
            elif report.delivered or report.failed or not args.loop:
                print(f"đã gửi {summary['delivered']}, lỗi {summary['failed']}, "
                      f"còn chờ {summary['pending']}", flush=True)
            if not args.loop:
                return 0 if report.pending == 0 else 1
            wait = args.interval
            if report.next_due_at is not None:
                wait = min(wait, max((report.next_due_at - utcnow()).total_seconds(), 0.2))
            if stop.wait(wait):
                return 0
    except KeyboardInterrupt:
        return 130
    except SQLAlchemyError as exc:
        print(f"dossier: webhooks: database {redacted_url()}: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 2
    finally:
        engine.dispose()
