"""The store, database, catalogue and OCR options of this worker process, opened once.

Opened lazily on the first message (not at import) so that importing the
actors, e.g. to send a message, never needs the database; and once per
process, because every message would otherwise pay for a connection pool
and a catalogue load.
"""

from __future__ import annotations

import functools

from intake.steps import Context
from models.catalog import load_catalog
from models.database import open_database
from pipeline.options import OcrOptions
from storage import open_store

__all__ = ["context"]


@functools.cache
def context() -> Context:
    """This process's step context (configured from the environment)."""
    _, sessions = open_database()
    return Context(store=open_store(), sessions=sessions, catalog=load_catalog(),
                   options=OcrOptions.from_env())
