"""`claimbot run`: settings, logging, the bot, and a clean shutdown on SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import aiohttp
import discord

from claimbot.bootstrap import build_service
from knowledge.errors import ClaimbotError
from knowledge.settings import SettingsError, load_settings

from .client import ClaimBot, build_bot
from .settings import BotSettings

log = logging.getLogger("claimbot")

NO_TOKEN = ("claimbot: no Discord token: set CLAIMBOT_DISCORD_TOKEN in .env (see .env.example and the README) "
            "— `claimbot chat` works offline without one")
# Waits between attempts to reach Discord when the network is down: quick at first, then
# once a minute, for as long as it takes (a service manager restarts nothing meanwhile).
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 60.0


def run_bot() -> int:
    try:
        settings = load_settings(BotSettings)
    except SettingsError as exc:
        print(f"claimbot: {exc} (`claimbot chat` works offline)", file=sys.stderr)
        return 2
    if settings.discord_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    try:
        service = build_service(settings)
    except ClaimbotError as exc:
        print(f"claimbot: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(build_bot(service, settings), settings.discord_token.get_secret_value()))
    finally:
        service.close()


async def _serve(bot: ClaimBot, token: str, *, first_retry: float = FIRST_RETRY_SECONDS) -> int:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # discord.py installs no SIGTERM handler: without one, a service manager's stop
        # kills the bot mid-write instead of closing the gateway and the database.
        loop.add_signal_handler(sig, _on_signal, bot, sig, stopping)
    try:
        async with bot:
            if not await login_with_retry(bot, token, stopping, first_retry=first_retry):
                return 0  # stopped while waiting for the network
            await bot.connect(reconnect=True)
    except discord.LoginFailure:
        log.error("Discord rejected the token (CLAIMBOT_DISCORD_TOKEN): reset it in the Developer Portal → Bot")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the Message Content intent: enable it in the Developer Portal → Bot → "
                  "Privileged Gateway Intents")
        return 1
    return 0


async def login_with_retry(bot: ClaimBot, token: str, stopping: asyncio.Event, *,
                           first_retry: float = FIRST_RETRY_SECONDS) -> bool:
    """Log in, waiting out a network that is down; False if asked to stop meanwhile.

    discord.py reconnects by itself once connected, but a first login that cannot reach
    Discord raises at once: without this, a bot started before the network is up dies
    with a traceback."""
    delay = first_retry
    while True:
        try:
            await bot.login(token)
            return True
        except (aiohttp.ClientConnectionError, OSError, TimeoutError, discord.DiscordServerError) as exc:
            log.warning("cannot reach Discord (%s): check this machine's network, DNS and firewall "
                        "(HTTPS to discord.com must be allowed); trying again in %.0f s", _reason(exc), delay)
            # Each attempt opens a new HTTP session: close the failed one (no leak), and let the
            # next attempt make a fresh connector (closing the session closed this one).
            await bot.http.close()
            bot.http.connector = discord.utils.MISSING
        try:
            await asyncio.wait_for(stopping.wait(), delay)
            return False
        except TimeoutError:
            delay = min(delay * 2, MAX_RETRY_SECONDS)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"no connection to {exc.host}: {exc.os_error.strerror or exc.os_error}"
    if isinstance(exc, discord.DiscordServerError):
        return f"Discord answered {exc.status}"
    return str(exc) or type(exc).__name__


def _on_signal(bot: ClaimBot, sig: signal.Signals, stopping: asyncio.Event) -> None:
    asyncio.ensure_future(_stop(bot, sig, stopping))


async def _stop(bot: ClaimBot, sig: signal.Signals, stopping: asyncio.Event) -> None:
    log.info("received %s, shutting down", sig.name)
    stopping.set()
    await bot.close()
