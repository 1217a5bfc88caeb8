from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from knowledge.base import KnowledgeBase
from knowledge.clock import ManualClock
from knowledge.knowledge_file import load_knowledge_file
from knowledge.store import ClaimStore, open_store

if TYPE_CHECKING:
    from knowledge.service import ClaimService

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "seeds" / "belgorod-incursion.claims.yaml"


class FakeClock(ManualClock):
    """The project's manual clock, pinned at a fixed date: timestamps in history are predictable."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) -> None:
        super().__init__(start)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_url(store_engine: str, store_url: str) -> str:
    """The SQLite file's URL, for tests about SQLite itself (they run on SQLite only)."""
    assert store_engine == "sqlite", "db_url is SQLite's: use store_url"
    return store_url


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[ClaimStore]:
    """An empty store on this test's engine (SQLite, then PostgreSQL)."""
    s = open_store(store_url, clock=clock)
    yield s
    s.close()


@pytest.fixture(scope="session")
def seed_kb() -> KnowledgeBase:
    return load_knowledge_file(SEED_FILE)


@pytest.fixture
def service(store: ClaimStore) -> ClaimService:
    from knowledge.service import ClaimService

    svc = ClaimService(store, seed_files=[SEED_FILE])
    svc.ensure_seeded(COMMUNITY)
    return svc


COMMUNITY = "111"

# A topic the seed base does not have, as knowledge-file lines to add below its first event's
# `topics:` (tests of a write made by one process and seen by another).
NEW_TOPIC = """
      - id: shebekino-power-station
        title: Was the power station in Shebekino shelled?
        claims:
          - id: gladkov-shebekino-power
            party: gladkov
            statement: The Shebekino power station was shelled.
            sources: [belgorod-article]
"""
