"""`claimbot run` against the stand-in, as a process of its own: `python -m tests.fakediscord.run`.

It points discord.py at the stand-in's loopback URLs (as the `fake_discord` fixture does in
process), then calls the real entry point (`bot.launcher.run_bot`): the settings, the
sharding, the database and the shutdown are all production's. Read from the environment:

* `FAKEDISCORD_PORT` (required): the stand-in's port on 127.0.0.1;
* `FAKEDISCORD_NOW` (ISO 8601, with a zone): pins the bot's one clock there (handed to the
  composition root as `build_service(clock=…)`), so a test passes at any hour;
* `FAKEDISCORD_DIGEST_SECONDS`: the digest scheduler looks for due digests this often
  instead of once a minute, and logs each look ("digest loop: N slot(s) claimed"), so a
  test sees both processes' loops run many times over the same due slot in a few seconds.

Everything else is `claimbot run`'s own settings (CLAIMBOT_SHARD_COUNT, CLAIMBOT_SHARD_IDS, …).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from datetime import datetime
from typing import Any

import discord.gateway
import discord.http
import yarl

import bot.launcher
import knowledge.digest
from bot.client import ClaimBot
from knowledge.clock import ManualClock
from knowledge.service import ClaimService

log = logging.getLogger("claimbot.fakediscord")


def main() -> int:
    port = int(os.environ["FAKEDISCORD_PORT"])
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    # The stand-in sends every guild at once: no need to wait 2 s for more after the last.
    bot.launcher.build_bot = functools.partial(bot.launcher.build_bot, guild_ready_timeout=0.05)  # type: ignore[attr-defined]
    if now := os.environ.get("FAKEDISCORD_NOW"):
        clock = ManualClock(datetime.fromisoformat(now))
        bot.launcher.build_service = functools.partial(bot.launcher.build_service, clock=clock)  # type: ignore[attr-defined]
    if every := os.environ.get("FAKEDISCORD_DIGEST_SECONDS"):
        _look_for_digests_every(float(every))
    return bot.launcher.run_bot()


def _look_for_digests_every(seconds: float) -> None:
    # discord.py loads each extension as a fresh module, so the cog is reached through the
    # bot once its extensions are loaded, and claim_due where the cog imports it from.
    claim_due = knowledge.digest.claim_due

    def claim_and_log(service: ClaimService, now: datetime, *rest: Any) -> Any:
        due = claim_due(service, now, *rest)
        log.info("digest loop: %d slot(s) claimed", len(due))
        return due

    knowledge.digest.claim_due = claim_and_log
    setup_hook = ClaimBot.setup_hook

    async def setup_then_speed_up(self: ClaimBot) -> None:
        await setup_hook(self)
        [scheduler] = [cog.scheduler for cog in self.cogs.values() if hasattr(cog, "scheduler")]
        scheduler.change_interval(seconds=seconds)

    ClaimBot.setup_hook = setup_then_speed_up  # type: ignore[method-assign]


if __name__ == "__main__":
    sys.exit(main())
