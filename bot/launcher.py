"""`claimbot run`: settings, logging, the bot, and a clean shutdown on SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord
from pydantic import ValidationError

from .client import ClaimBot
from .settings import BotSettings

log = logging.getLogger("claimbot")

NO_TOKEN = ("claimbot: no Discord token: set CLAIMBOT_DISCORD_TOKEN in .env (see .env.example and the README) "
            "— `claimbot chat` works offline without one")


def run_bot() -> int:
    try:
        settings = BotSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CLAIMBOT_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
        print(f"claimbot: {name} {first['msg'].removeprefix('Value error, ')} (set it in .env or the environment; "
              "`claimbot chat` works offline)", file=sys.stderr)
        return 2
    if settings.discord_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    from claimbot.cli import open_service  # the same wiring as the command line

    service = open_service(settings)
    try:
        return asyncio.run(_serve(ClaimBot(service, settings), settings.discord_token.get_secret_value()))
    finally:
        service.store.close()


async def _serve(bot: ClaimBot, token: str) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # discord.py installs no SIGTERM handler: without one, a service manager's stop
        # kills the bot mid-write instead of closing the gateway and the database.
        loop.add_signal_handler(sig, lambda s=sig: asyncio.ensure_future(_stop(bot, s)))
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error("Discord rejected the token (CLAIMBOT_DISCORD_TOKEN): reset it in the Developer Portal → Bot")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the Message Content intent: enable it in the Developer Portal → Bot → "
                  "Privileged Gateway Intents")
        return 1
    return 0


async def _stop(bot: ClaimBot, sig: signal.Signals) -> None:
    log.info("received %s, shutting down", sig.name)
    await bot.close()
