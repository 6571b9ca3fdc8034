"""Handing a dossier in loads no pipeline, and queues the very message the split actor makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dramatiq
from dramatiq.brokers.stub import StubBroker

from workers.queues import SPLIT, send_split

ROOT = Path(__file__).resolve().parents[1]


def test_submit_imports_no_pipeline_or_language_model() -> None:
    code = ("import sys, workers.submit, cli.worker_commands; "
            "print(sorted(m for m in ('intake.steps', 'spacy', 'pipeline.dossier_check', "
            "'pytesseract', 'workers.actors') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, text=True,
                         capture_output=True, env={"PATH": "/usr/bin:/bin",
                                                   "DOSSIER_BROKER_URL": "redis://127.0.0.1:1/0"})
    assert out.stdout.strip() == "[]"


def test_the_queued_message_is_the_actors_own() -> None:
    from workers import actors

    files = [["000.00.00.H26/2026/abc/original/x.pdf", "scan.pdf"]]
    made = actors.split.message("dossier-1", files)
    broker = StubBroker()
    send_split(broker, "dossier-1", files)
    sent = dramatiq.Message.decode(broker.queues[SPLIT].get_nowait())
    assert (sent.queue_name, sent.actor_name, sent.args, sent.kwargs) == (
        made.queue_name, made.actor_name, tuple(made.args), made.kwargs)
    assert actors.broker.get_actor(sent.actor_name) is actors.split
