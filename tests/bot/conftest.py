from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import ClaimBot
from bot.settings import BotSettings
from knowledge.clock import ManualClock
from knowledge.service import ClaimService
from knowledge.storage import Store
from tests.fakediscord import FakeDiscord, Recorded

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"
GUILD = 700000000000000001
CHANNEL = 700000000000000011
AUTO_CHANNEL = 700000000000000012
MEMBER = 700000000000000021
MODERATOR = 700000000000000022
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.fake-token-for-tests-only-0000000000"
MANAGE_MESSAGES = 1 << 13
HEARTBEAT_MS = 3000


# The bot's one clock, pinned: a Monday, 08:00 UTC, whatever the hour the suite runs at.
# (The stand-in's own timestamps and Discord's 3 s deadline are real time: they measure
# latency, not the claim base's time.)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def service(tmp_path: Path, clock: ManualClock) -> Iterator[ClaimService]:
    svc = ClaimService(Store(f"sqlite:///{tmp_path / 'bot.sqlite3'}", clock=clock), seed_files=[SEED])
    yield svc
    svc.close()


BotFactory = Callable[..., Coroutine[Any, Any, ClaimBot]]


@pytest.fixture
async def start_bot(fake_discord: FakeDiscord, service: ClaimService) -> AsyncIterator[BotFactory]:
    """Start the real ClaimBot against the stand-in; close it at the end of the test."""
    running: list[tuple[ClaimBot, asyncio.Task[None]]] = []
    fake_discord.add_guild(GUILD, channels={CHANNEL: "general", AUTO_CHANNEL: "ask-here"})
    # Discord asks for a heartbeat every 41 s; a short interval here turns any stretch of a
    # few seconds with the event loop blocked into a missed heartbeat that fails the test.
    fake_discord.heartbeat_interval_ms = HEARTBEAT_MS
    # GUILD curates its own copy of the seed (as if its moderators had imported it), so the
    # curation tests have claims to change; a server that only follows the seed base is
    # tested in test_bases.py.
    service.ensure_seeded(str(GUILD))

    async def start(**settings: Any) -> ClaimBot:
        values = {"ask_cooldown_seconds": 0, **settings}
        bot = ClaimBot(service, BotSettings(_env_file=None, **values), guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(TOKEN))
        running.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        for _ in range(250):
            seeded = service.cached_knowledge(str(GUILD))
            if seeded is not None and seeded.topics:
                break
            await asyncio.sleep(0.02)
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        await asyncio.wait_for(task, 10)
    # Every bot test also checks what Discord would: no interaction answered after its 3 s
    # deadline, and no heartbeat missed because the event loop was blocked.
    assert fake_discord.deadline_misses == [], f"answered after Discord's deadline: {fake_discord.deadline_misses}"
    assert fake_discord.missed_heartbeats == [], f"the event loop was blocked: {fake_discord.missed_heartbeats}"


@pytest.fixture
async def bot(start_bot: BotFactory) -> ClaimBot:
    return await start_bot()


CALLBACK = r"/interactions/\d+/([^/]+)/callback"


async def final_reply(fake: FakeDiscord, *, after: int = 0, timeout: float = 10) -> Recorded:
    """What the member finally sees for the first interaction answered after request `after`.

    The bot answers directly when it is quick and defers ("thinking…") when it is not, so a
    test must not depend on which: a deferral (type 5/6) is followed to the edit of the
    original response, and returned as if it had been the direct answer (type 4 or 7)."""
    callback = await fake.wait_for_request("POST", CALLBACK.replace("([^/]+)", "[^/]+"), after=after,
                                           timeout=timeout)
    kind = (callback.json or {}).get("type")
    if kind not in (5, 6):
        return callback
    token = re.fullmatch(CALLBACK, callback.path).group(1)  # type: ignore[union-attr]
    edit = await fake.wait_for_request("PATCH", rf"/webhooks/\d+/{re.escape(token)}/messages/@original",
                                       after=after, timeout=timeout)
    data = dict(edit.json or {})
    if kind == 5 and callback.json.get("data", {}).get("flags"):
        data["flags"] = data.get("flags", 0) | callback.json["data"]["flags"]  # deferred as ephemeral
    return Recorded(edit.method, edit.path, edit.query, {"type": 4 if kind == 5 else 7, "data": data},
                    edit.files, edit.status)
