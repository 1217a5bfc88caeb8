"""The composition root: settings → clock → store → service, built in one place.

The command line and the Discord bot both start here, so they run on the same wiring
(the same clock, database, lexicon and seed files) and `bot/` never imports the CLI.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from knowledge.clock import Clock, SystemClock
from knowledge.matching import Lexicon
from knowledge.matching.semantic import Embedder, VectorCache, load_encoder
from knowledge.service import ClaimService
from knowledge.settings import Settings
from knowledge.storage import sqlite_path
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
        embedder=build_embedder(settings),
    )


def build_embedder(settings: Settings) -> Embedder | None:
    """The semantic model the settings name, with its on-disk vector cache; None without a usable model."""
    encoder = load_encoder(settings.embedding_model)
    if encoder is None:
        return None
    cache = settings.embedding_cache
    if cache is None and settings.database_url.startswith("sqlite:"):
        database = sqlite_path(settings.database_url)
        # An in-memory database keeps nothing between runs: neither do its vectors.
        cache = None if database.startswith(":memory:") else Path(database).parent / "embeddings.sqlite3"
    elif cache is None:
        # On PostgreSQL, vectors are cached per machine (derived data, safe to delete).
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claimbot" / "embeddings.sqlite3"
    return Embedder(encoder, VectorCache(cache))
