"""Shard ranges: CLAIMBOT_SHARD_COUNT / CLAIMBOT_SHARD_IDS are checked with one clear line,
and the bot is built as an AutoShardedBot running exactly those shards (no network needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord.ext import commands
from pydantic import ValidationError

from bot.client import ClaimBot, ShardedClaimBot, build_bot
from bot.settings import BotSettings
from knowledge.service import ClaimService

from .test_launcher import run


def settings(**env: str) -> BotSettings:
    return BotSettings(_env_file=None, **env)  # type: ignore[arg-type]


@pytest.mark.parametrize(("count", "ids", "expected"), [
    ("4", "0-3", [0, 1, 2, 3]),
    ("6", "0,2,5", [0, 2, 5]),
    ("16", " 8-11 , 3 ,9", [3, 8, 9, 10, 11]),
    ("1", "0", [0]),
    ("4", "", None),
])
def test_shard_ranges_are_read(count: str, ids: str, expected: list[int] | None) -> None:
    read = settings(shard_count=count, shard_ids=ids)
    assert read.shard_count == int(count) and read.shard_id_list == expected


def test_shard_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMBOT_SHARD_COUNT", "8")
    monkeypatch.setenv("CLAIMBOT_SHARD_IDS", "4-7")
    read = BotSettings(_env_file=None)
    assert read.shard_count == 8 and read.shard_id_list == [4, 5, 6, 7]


def test_no_shard_settings_mean_no_sharding() -> None:
    read = settings()
    assert read.shard_count is None and read.shard_id_list is None


@pytest.mark.parametrize(("env", "field", "message"), [
    ({"shard_ids": "0-3"}, "shard_ids", "needs CLAIMBOT_SHARD_COUNT"),
    ({"shard_count": "4", "shard_ids": "0-4"}, "shard_ids",
     "names shard 4, but with CLAIMBOT_SHARD_COUNT=4 the shard ids run from 0 to 3"),
    ({"shard_count": "4", "shard_ids": "7"}, "shard_ids", "names shard 7"),
    ({"shard_count": "4", "shard_ids": "3-1"}, "shard_ids", "runs backwards: write it low-high, e.g. 1-3"),
    ({"shard_count": "4", "shard_ids": "0-"}, "shard_ids", "'0-', which is not a shard id or a range"),
    ({"shard_count": "4", "shard_ids": "a,b"}, "shard_ids", "'a', which is not a shard id or a range"),
    ({"shard_count": "4", "shard_ids": "0,,1"}, "shard_ids", "'', which is not a shard id or a range"),
    ({"shard_count": "4", "shard_ids": "-1"}, "shard_ids", "not a shard id or a range"),
    ({"shard_count": "4", "shard_ids": "0-1000000000000"}, "shard_ids", "names shard 1000000000000"),
    ({"shard_count": "0"}, "shard_count", "greater than or equal to 1"),
    ({"shard_count": "many", "shard_ids": "0"}, "shard_count", "valid integer"),
])
def test_bad_shard_settings_are_one_clear_error(env: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**env)
    errors = caught.value.errors()
    assert errors[0]["loc"] == (field,)
    assert message in errors[0]["msg"] and "\n" not in errors[0]["msg"]


@pytest.mark.parametrize(("env", "shown"), [
    ({"CLAIMBOT_SHARD_COUNT": "4", "CLAIMBOT_SHARD_IDS": "2-5"},
     "CLAIMBOT_SHARD_IDS names shard 5, but with CLAIMBOT_SHARD_COUNT=4 the shard ids run from 0 to 3"),
    ({"CLAIMBOT_SHARD_IDS": "0-3"}, "CLAIMBOT_SHARD_IDS needs CLAIMBOT_SHARD_COUNT"),
])
def test_claimbot_run_with_bad_shards_is_one_line(tmp_path: Path, env: dict[str, str], shown: str) -> None:
    done = run(tmp_path, **env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and shown in done.stderr


async def test_the_bot_runs_the_shards_the_settings_name(service: ClaimService) -> None:
    bot = build_bot(service, settings(shard_count="8", shard_ids="2-3,6"))
    async with bot:  # as `claimbot run` does (discord.py sets its queues up here)
        assert isinstance(bot, ShardedClaimBot) and isinstance(bot, commands.AutoShardedBot)
        assert bot.shard_count == 8 and bot.shard_ids == [2, 3, 6]
        assert bot.service is service and bot.clock is service.clock  # the same bot otherwise


async def test_a_shard_count_alone_runs_every_shard(service: ClaimService) -> None:
    bot = build_bot(service, settings(shard_count="3"))
    async with bot:  # as `claimbot run` does (discord.py sets its queues up here)
        assert isinstance(bot, commands.AutoShardedBot)
        assert bot.shard_count == 3 and bot.shard_ids is None  # discord.py starts all of them


async def test_without_shard_settings_the_bot_is_unchanged(service: ClaimService) -> None:
    bot = build_bot(service, settings())
    async with bot:  # as `claimbot run` does (discord.py sets its queues up here)
        assert type(bot) is ClaimBot and not isinstance(bot, commands.AutoShardedBot)
        assert bot.shard_count is None and bot.shard_id is None
