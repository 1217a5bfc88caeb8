from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.client import ClaimBot
from bot.settings import BotSettings
from knowledge.service import ClaimService
from knowledge.storage import Store
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"
GUILD = 700000000000000001
CHANNEL = 700000000000000011
AUTO_CHANNEL = 700000000000000012
MEMBER = 700000000000000021
MODERATOR = 700000000000000022
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.fake-token-for-tests-only-0000000000"
MANAGE_MESSAGES = 1 << 13


@pytest.fixture
def service(tmp_path: Path) -> ClaimService:
    return ClaimService(Store(f"sqlite:///{tmp_path / 'bot.sqlite3'}"), seed_files=[SEED])


BotFactory = Callable[..., Coroutine[Any, Any, ClaimBot]]


@pytest.fixture
async def start_bot(fake_discord: FakeDiscord, service: ClaimService) -> AsyncIterator[BotFactory]:
    """Start the real ClaimBot against the stand-in; close it at the end of the test."""
    running: list[tuple[ClaimBot, asyncio.Task[None]]] = []
    fake_discord.add_guild(GUILD, channels={CHANNEL: "general", AUTO_CHANNEL: "ask-here"})

    async def start(clock: Any = None, **settings: Any) -> ClaimBot:
        values = {"ask_cooldown_seconds": 0, **settings}
        bot = ClaimBot(service, BotSettings(_env_file=None, **values), clock=clock, guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(TOKEN))
        running.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        # The bot seeds a new server's claim base by itself when the server becomes available.
        for _ in range(100):
            if service.store.last_seq(str(GUILD)):
                break
            await asyncio.sleep(0.02)
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def bot(start_bot: BotFactory) -> ClaimBot:
    return await start_bot()
