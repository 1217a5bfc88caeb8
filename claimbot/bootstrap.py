"""The composition root: settings → clock → store → service, built in one place.

The command line and the Discord bot both start here, so they run on the same wiring
(the same clock, database, lexicon and seed files) and `bot/` never imports the CLI.
"""

from __future__ import annotations

from datetime import timedelta

from knowledge.clock import Clock, SystemClock
from knowledge.matching import Lexicon
from knowledge.service import ClaimService
from knowledge.settings import Settings
from knowledge.store import open_store


def build_service(settings: Settings, *, clock: Clock | None = None) -> ClaimService:
    """The claim service for these settings, on the store its database URL names (SQLite or
    PostgreSQL); `clock` defaults to the wall clock (tests pin one)."""
    lexicon = Lexicon.load(*settings.lexicon_files) if settings.lexicon_files else None
    return ClaimService(
        open_store(settings.database_url, clock=clock or SystemClock(), busy_timeout=settings.busy_timeout_seconds),
        lexicon=lexicon,
        seed_files=settings.seed_files,
        question_retention=timedelta(days=settings.question_retention_days),
    )
