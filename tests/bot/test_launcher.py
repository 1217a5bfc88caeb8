"""`claimbot run` fails with one clear line, never a traceback, and never shows the token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
