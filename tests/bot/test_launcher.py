"""`claimbot run` fails with one clear line, never a traceback, and never shows the token."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    clean["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    clean.update(env)
    # cwd=tmp_path: no .env from the repository is read.
    return subprocess.run([sys.executable, "-m", "claimbot", "run"], env=clean, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


def test_without_a_token(tmp_path: Path) -> None:
    done = run(tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "CLAIMBOT_DISCORD_TOKEN" in done.stderr and ".env" in done.stderr and "claimbot chat" in done.stderr


@pytest.mark.parametrize("token", ["hello", "abc.def", "not a token at all but long enough.x.y"])
def test_with_a_malformed_token(tmp_path: Path, token: str) -> None:
    done = run(tmp_path, CLAIMBOT_DISCORD_TOKEN=token)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "CLAIMBOT_DISCORD_TOKEN" in done.stderr and "does not look like a bot token" in done.stderr
    assert token not in done.stderr


def test_start_without_a_token_opens_the_offline_console(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    clean["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "claimbot", "start"], env=clean, cwd=tmp_path, input="how many casualties\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "offline console" in done.stdout and "Belgorod governor Vyacheslav Gladkov" in done.stdout


@pytest.mark.expect_error_log
async def test_a_rejected_token_is_one_clear_log_line(fake_discord, service, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    from bot.client import ClaimBot
    from bot.launcher import _serve
    from bot.settings import BotSettings

    from .conftest import TOKEN

    fake_discord.fail_next("GET", "/users/@me", 401, 0, "401: Unauthorized")
    bot = ClaimBot(service, BotSettings(_env_file=None))
    assert await _serve(bot, TOKEN) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["Discord rejected the token (CLAIMBOT_DISCORD_TOKEN): reset it in the Developer Portal → Bot"]
    assert TOKEN not in caplog.text


async def test_a_bot_started_without_network_waits_and_says_why(
        fake_discord: Any, service: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import discord.http

    from bot.client import ClaimBot
    from bot.launcher import login_with_retry
    from bot.settings import BotSettings

    from .conftest import TOKEN

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: as a machine whose network is not up yet
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    bot = ClaimBot(service, BotSettings(_env_file=None), guild_ready_timeout=0.05)
    stopping = asyncio.Event()
    async with bot:
        with caplog.at_level(logging.WARNING, logger="claimbot"):
            login = asyncio.create_task(login_with_retry(bot, TOKEN, stopping, first_retry=0.05))
            for _ in range(500):  # bounded: a failure must not hang the suite
                if login.done() or sum("cannot reach Discord" in r.getMessage() for r in caplog.records) >= 2:
                    break
                await asyncio.sleep(0.02)
            assert not login.done(), login.exception()
            monkeypatch.setattr(discord.http.Route, "BASE", fake_discord.rest_base)  # the network is back
            assert await asyncio.wait_for(login, 10) is True
    warnings = [r for r in caplog.records if "cannot reach Discord" in r.getMessage()]
    assert all(r.exc_info is None for r in warnings)  # a line that says what to check, not a traceback
    assert "127.0.0.1" in warnings[0].getMessage() and "network" in warnings[0].getMessage()


async def test_a_stop_while_waiting_for_the_network_ends_cleanly(service: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import discord.http

    from bot.client import ClaimBot
    from bot.launcher import login_with_retry
    from bot.settings import BotSettings

    from .conftest import TOKEN

    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")  # the discard port: refused
    bot = ClaimBot(service, BotSettings(_env_file=None), guild_ready_timeout=0.05)
    stopping = asyncio.Event()
    async with bot:
        login = asyncio.create_task(login_with_retry(bot, TOKEN, stopping, first_retry=0.05))
        await asyncio.sleep(0.2)
        stopping.set()  # SIGTERM from the service manager
        assert await asyncio.wait_for(login, 5) is False
