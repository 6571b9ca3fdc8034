"""What every request needs: settings, database, store, catalogue, calendar, jobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.catalog import Catalog
from storage import ObjectStore
from webapp.config import Settings
from webapp.jobs import Jobs
from workdays import WorkCalendar

__all__ = ["AppState", "app_state"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: ObjectStore
    catalog: Catalog
    calendar: WorkCalendar
    jobs: Jobs


def app_state(request: Request) -> AppState:
    return request.app.state.hoso  # type: ignore[no-any-return]
