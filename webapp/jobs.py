"""Process uploaded dossiers in the background, and tell the desk how far along they are.

For now a thread pool inside the web app runs ``process_dossier``; the
interface (``submit`` → dossier code at once, ``progress(code)`` → the
contract's ``dossier status`` shape) is the one the queue workers expose, so
the app can later hand the work to ``workers/`` without changing a page.

The dossier is *received* (originals stored, code allocated) before
``submit`` returns: the citizen's files are safe and the code can be shown
while the pages are still being read. ``process_dossier`` then finds the
same dossier by its files' fingerprint and fills it in.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from archive import receive
from archive.audit import record_audit
from archive.transactions import in_write_transaction
from intake.process import process_dossier
from models.catalog import Catalog
from models.records import Dossier
from pipeline.options import OcrOptions
from storage import ObjectStore
from webhooks.outbox import emit_failed

__all__ = ["JobProgress", "Jobs"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class JobProgress:
    """What ``dossier status --json`` prints, plus how long the job has run."""

    dossier_code: str
    state: str  # received | processing | done | failed
    pages_done: int = 0
    pages_total: int = 0
    result: Any = None
    started: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict[str, Any]:
        return {"dossier_code": self.dossier_code, "state": self.state,
                "pages_done": self.pages_done, "pages_total": self.pages_total,
                "elapsed_s": round(time.monotonic() - self.started, 1),
                "result": self.result if self.state == "failed" else None}


class Jobs:
    """A small thread pool running one dossier at a time (OCR itself uses every core)."""

    def __init__(self, *, store: ObjectStore, sessions: sessionmaker[Session], catalog: Catalog,
                 options: OcrOptions | None = None, threads: int = 1,
                 after_done: Callable[[str], None] | None = None) -> None:
        self._store, self._sessions, self._catalog = store, sessions, catalog
        self._options = options or OcrOptions.from_env()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dossier")
        self._lock = threading.Lock()
        self._jobs: dict[str, JobProgress] = {}
        self._after_done = after_done

    def submit(self, paths: Sequence[Path], procedure: str | None, *, agency_code: str,
               actor: str, cleanup: Path | None = None) -> str:
        """Receive the files now, process them in the background; returns the dossier code."""
        with self._sessions() as session:
            received = receive(paths, agency_code, procedure, self._store, session, actor=actor)
            code, created = received.code, received.created
            already_done = received.dossier.result is not None
        if already_done:
            if cleanup:
                shutil.rmtree(cleanup, ignore_errors=True)
            return code
        if created:
            with self._sessions() as session:
                in_write_transaction(session, lambda s: s.execute(
                    update(Dossier).where(Dossier.code == code).values(status="processing")))
        with self._lock:
            if code in self._jobs and self._jobs[code].state in ("received", "processing"):
                return code
            self._jobs[code] = JobProgress(code, "received")
        self._pool.submit(self._run, list(paths), procedure, agency_code, code, cleanup)
        return code

    def _run(self, paths: list[Path], procedure: str | None, agency_code: str, code: str,
             cleanup: Path | None) -> None:
        job = self._jobs[code]
        job.state = "processing"
        try:
            process_dossier(paths, procedure, agency_code=agency_code, store=self._store,
                            sessions=self._sessions, catalog=self._catalog,
                            options=self._options)
            if self._after_done is not None:  # before "done": the desk may search at once
                self._after_done(code)
            job.state = "done"
            log.info("dossier %s processed in %.1f s", code, time.monotonic() - job.started)
        except Exception as exc:  # the desk must see a failure, not a job stuck forever
            job.state, job.result = "failed", type(exc).__name__
            log.exception("dossier %s failed: %s", code, type(exc).__name__)
            reason = type(exc).__name__
            with self._sessions() as session:
                in_write_transaction(session, lambda s: _mark_failed(s, code, reason))
        finally:
            if cleanup:
                shutil.rmtree(cleanup, ignore_errors=True)

    def progress(self, code: str) -> dict[str, Any]:
        """The job's state; a dossier not run here is read from its record."""
        job = self._jobs.get(code)
        with self._sessions() as session:
            row = session.execute(select(Dossier.status, Dossier.pages_done, Dossier.pages_total)
                                  .where(Dossier.code == code)).first()
        if job is None:
            state = "received" if row is None else row.status
            state = state if state in ("received", "processing", "failed") else "done"
            job = JobProgress(code, state)
        if row is not None:
            job.pages_done, job.pages_total = row.pages_done, row.pages_total
        return job.as_dict()

    def wait(self, code: str, timeout: float = 300.0) -> str:
        """Block until the job ends (tests and the command line); returns its state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.progress(code)["state"]
            if state in ("done", "failed"):
                return state
            time.sleep(0.2)
        raise TimeoutError(f"dossier {code} still processing after {timeout:.0f} s")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def _mark_failed(session: Session, code: str, reason: str) -> None:
    """The same failed state, audit entry and webhook event as a worker's failure."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one_or_none()
    if dossier is None:
        return
    session.execute(update(Dossier).where(Dossier.id == dossier.id).values(status="failed"))
    record_audit(session, "dossier.failed", actor="webapp", dossier_id=dossier.id,
                 details={"reason": reason})
    emit_failed(session, session.get(Dossier, dossier.id, populate_existing=True), reason)

