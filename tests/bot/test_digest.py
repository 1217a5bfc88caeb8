"""Scheduled digests through the real client and the stand-in, with a clock moved by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import discord
import pytest
import time_machine

from bot.client import ClaimBot
from knowledge.clock import ManualClock
from knowledge.curation import ClaimForm, Curator
from knowledge.digest import Schedule, save_config
from tests.fakediscord import FakeDiscord

from .conftest import CHANNEL, GUILD, MANAGE_MESSAGES, MODERATOR, BotFactory, final_reply

CALLBACK = r"/interactions/\d+/[^/]+/callback"
OTHER_GUILD, OTHER_CHANNEL = 800000000000000001, 800000000000000011



@pytest.fixture(params=["2026-12-04T00:10:00+00:00", "2026-12-03T08:59:00+00:00", "2026-12-03T23:50:00+00:00",
                        "2026-03-29T00:59:30+00:00"], ids=["00:10", "08:59", "23:50", "dst"])
def any_hour(request: pytest.FixtureRequest) -> Iterator[None]:
    """The machine's wall clock at awkward moments (midnight, before and after the old 09:00
    cut-off, a DST change): the bot must not care, since everything it schedules reads the
    one clock the tests pin. The 3-second deadline and heartbeats still run on real time."""
    with time_machine.travel(datetime.fromisoformat(request.param), tick=True):
        yield


def digest_cog(bot: ClaimBot) -> Any:
    return bot.get_cog("Digests")


def posts(fake: FakeDiscord, channel: int) -> list[Any]:
    return fake.matching("POST", rf"/channels/{channel}/messages")


def text(post: Any) -> str:
    return " ".join(f"{f['name']} {f['value']}" for e in post.json["embeds"] for f in e.get("fields", []))


async def make_changes(bot: ClaimBot, community: str) -> None:
    curator = Curator(bot.service)
    await asyncio.to_thread(curator.add_claim, community, ClaimForm(
        "belgorod-casualties", "Kyiv", "No Ukrainian units took part.", "https://example.org/k"), "discord:1")
    await asyncio.to_thread(curator.set_status, community, "gladkov-one-civilian-killed", "confirmed", "discord:1",
                            verified_by="Reuters")


async def test_a_daily_digest_posts_at_its_time_once_and_catches_up_once(
    any_hour: None, start_bot: BotFactory, fake_discord: FakeDiscord, clock: ManualClock
) -> None:
    bot = await start_bot()
    community = str(GUILD)
    save_config(bot.service, community, str(CHANNEL), Schedule.parse("daily", "09:00", "UTC"), True)
    await make_changes(bot, community)
    assert await digest_cog(bot).run_due() == 0  # 08:00: not yet
    clock.now += timedelta(hours=1, seconds=20)
    assert await digest_cog(bot).run_due() == 1
    (post,) = posts(fake_discord, CHANNEL)
    assert "No Ukrainian units took part." in text(post)
    assert "❔ unverified → ✅ confirmed (verified by Reuters)" in text(post)
    assert post.json["allowed_mentions"] == {"parse": []}
    assert list(post.files) == ["digest.png"] and post.files["digest.png"].startswith(b"\x89PNG")
    assert post.json["embeds"][-1]["image"]["url"] == "attachment://digest.png"

    # A restart right after: a new bot on the same database does not post again.
    await bot.close()
    restarted = await start_bot()
    clock.now += timedelta(minutes=1)
    assert await digest_cog(restarted).run_due() == 0
    assert len(posts(fake_discord, CHANNEL)) == 1

    # Offline for three days: the missed slots are caught up with one post.
    clock.now += timedelta(days=3)
    assert await digest_cog(restarted).run_due() == 1
    assert await digest_cog(restarted).run_due() == 0
    assert len(posts(fake_discord, CHANNEL)) == 2
    assert "No changes to the claim base" in posts(fake_discord, CHANNEL)[-1].json["embeds"][0]["description"]


async def test_nothing_new_can_mean_no_post(start_bot: BotFactory, fake_discord: FakeDiscord, clock: ManualClock) -> None:
    bot = await start_bot()
    save_config(bot.service, str(GUILD), str(CHANNEL), Schedule.parse("daily", "09:00", "UTC"), False)
    clock.now += timedelta(hours=2)
    assert await digest_cog(bot).run_due() == 0
    assert posts(fake_discord, CHANNEL) == []


async def two_servers_with_daily_digests(start_bot: BotFactory, fake_discord: FakeDiscord) -> ClaimBot:
    """GUILD and OTHER_GUILD, each with changes to tell and a daily digest at 09:00 UTC."""
    fake_discord.add_guild(OTHER_GUILD, channels={OTHER_CHANNEL: "news"})
    bot = await start_bot()
    for guild, channel in ((GUILD, CHANNEL), (OTHER_GUILD, OTHER_CHANNEL)):
        bot.service.ensure_seeded(str(guild))
        save_config(bot.service, str(guild), str(channel), Schedule.parse("daily", "09:00", "UTC"), True)
        await make_changes(bot, str(guild))
    return bot


async def test_a_deleted_channel_does_not_stop_other_servers(start_bot: BotFactory, fake_discord: FakeDiscord,
                                                             clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    bot = await two_servers_with_daily_digests(start_bot, fake_discord)
    fake_discord.delete_channel(CHANNEL)
    clock.now += timedelta(hours=1, minutes=1)
    assert await digest_cog(bot).run_due() == 1
    assert "No Ukrainian units took part." in text(posts(fake_discord, OTHER_CHANNEL)[0])
    assert f"digest for guild {GUILD} skipped: channel {CHANNEL} is gone" in caplog.text


@pytest.mark.expect_error_log
async def test_one_servers_broken_digest_does_not_stop_the_next_servers(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: ManualClock, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await two_servers_with_daily_digests(start_bot, fake_discord)
    cog = digest_cog(bot)
    real, broken = cog.make_post, []

    def first_one_breaks(config: Any, now: Any) -> Any:  # whichever server's digest comes first
        if not broken:
            broken.append(config.community)
            raise ValueError("a data problem in one server")
        return real(config, now)

    monkeypatch.setattr(cog, "make_post", first_one_breaks)
    clock.now += timedelta(hours=1, minutes=1)
    assert await cog.run_due() == 1
    assert f"digest for guild {broken[0]} failed" in caplog.text


async def test_the_preview_matches_the_post(start_bot: BotFactory, fake_discord: FakeDiscord, clock: ManualClock) -> None:
    bot = await start_bot()
    save_config(bot.service, str(GUILD), str(CHANNEL), Schedule.parse("daily", "09:00", "UTC"), True)
    await make_changes(bot, str(GUILD))
    clock.now += timedelta(hours=1)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "digest", {}, subcommand="preview",
                                  permissions=MANAGE_MESSAGES)
    preview = await final_reply(fake_discord)
    assert preview.json["data"]["flags"] & 64
    assert await digest_cog(bot).run_due() == 1
    (post,) = posts(fake_discord, CHANNEL)
    assert preview.json["data"]["embeds"] == post.json["embeds"]
    assert preview.files.keys() == post.files.keys()


async def test_a_bulk_import_makes_a_digest_discord_accepts(start_bot: BotFactory, fake_discord: FakeDiscord,
                                                           clock: ManualClock) -> None:
    # 120 long new claims: far more than one message holds (Discord: 6,000 characters over
    # all embeds of a message, which the stand-in enforces with a 400 as Discord does).
    bot = await start_bot()
    community = str(GUILD)
    bot.service.ensure_seeded(community)
    save_config(bot.service, community, str(CHANNEL), Schedule.parse("daily", "09:00", "UTC"), True)
    curator = Curator(bot.service)
    for n in range(120):
        statement = f"Claim number {n}: " + "a long account of what happened at the border that day. " * 6
        await asyncio.to_thread(curator.add_claim, community, ClaimForm(
            "belgorod-casualties", "Kyiv", statement, f"https://example.org/{n}"), "discord:1")
    clock.now += timedelta(hours=1, seconds=20)

    # The preview (ephemeral) is whole: in as many messages as it takes.
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "digest", {}, subcommand="preview",
                                  permissions=MANAGE_MESSAGES)
    preview = await final_reply(fake_discord, after=seen)
    followup = r"/webhooks/\d+/[^/]+"
    previewed = [preview]
    while not previewed[-1].files:  # the chart comes with the last message
        found = await fake_discord.wait_for_request("POST", followup, after=seen)
        seen = fake_discord.requests.index(found) + 1
        previewed.append(found)
    assert all(p.status == 200 for p in previewed) and all(p.json["flags"] & 64 for p in previewed[1:])

    assert await digest_cog(bot).run_due() == 1
    sent = posts(fake_discord, CHANNEL)
    assert len(sent) == len(previewed) > 1 and all(post.status == 200 for post in sent)
    everything = " ".join(text(post) for post in sent)
    assert "Claim number 0:" in everything and "Claim number 49:" in everything
    assert "Claim number 50:" not in everything
    assert "70 more new claims" in everything  # said, not cut silently
    assert list(sent[-1].files) == ["digest.png"]
    assert sent[-1].json["embeds"][-1]["image"]["url"] == "attachment://digest.png"


async def test_the_stand_in_refuses_what_discord_refuses(bot: ClaimBot) -> None:
    # The check above is only worth something if the stand-in is as strict as Discord.
    channel = bot.get_partial_messageable(CHANNEL)
    with pytest.raises(discord.HTTPException) as too_much:
        await channel.send(embeds=[discord.Embed(description="x" * 4000), discord.Embed(description="y" * 4000)])
    assert too_much.value.status == 400 and too_much.value.code == 50035
    with pytest.raises(discord.HTTPException, match="fields"):
        await channel.send(embed=discord.Embed().add_field(name="n", value="v" * 1025))
    await channel.send(embeds=[discord.Embed(description="x" * 2900), discord.Embed(description="y" * 2900)])


async def test_a_bad_schedule_is_refused(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "digest",
                                  {"channel": str(CHANNEL), "timezone": "Mars/Olympus"}, subcommand="channel",
                                  permissions=MANAGE_MESSAGES, channel_options=("channel",))
    reply = (await final_reply(fake_discord)).json["data"]
    assert "unknown time zone 'Mars/Olympus'" in reply["content"]
    assert bot.service.store.digest(str(GUILD)) is None


async def test_a_moderator_sets_the_digest_channel(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "digest",
                                  {"channel": str(CHANNEL), "cadence": "weekly", "at": "18:30",
                                   "timezone": "Europe/Kyiv", "weekday": "monday"}, subcommand="channel",
                                  permissions=MANAGE_MESSAGES, channel_options=("channel",))
    reply = (await final_reply(fake_discord)).json["data"]
    assert "every Monday at 18:30 (Europe/Kyiv)" in reply["content"]
    saved = bot.service.store.digest(str(GUILD))
    assert saved and saved["channel"] == str(CHANNEL) and saved["weekday"] == 0


async def test_a_digest_posted_now_is_not_repeated_by_the_next_scheduled_one(
    any_hour: None, start_bot: BotFactory, fake_discord: FakeDiscord, clock: ManualClock
) -> None:
    bot = await start_bot()
    save_config(bot.service, str(GUILD), str(CHANNEL), Schedule.parse("daily", "09:00", "UTC"), True)
    await make_changes(bot, str(GUILD))
    clock.now += timedelta(minutes=10)  # 08:10
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "digest", {}, subcommand="now",
                                  permissions=MANAGE_MESSAGES)
    done = await final_reply(fake_discord)
    assert done.json["data"]["content"] == "Digest posted." and done.json["data"]["flags"] & 64
    (on_demand,) = posts(fake_discord, CHANNEL)
    assert "No Ukrainian units took part." in text(on_demand)

    clock.now += timedelta(hours=1)  # 09:10: the scheduled digest has nothing new to say
    assert await digest_cog(bot).run_due() == 1
    scheduled = posts(fake_discord, CHANNEL)[-1]
    assert "No Ukrainian units took part." not in text(scheduled)
    assert "No changes to the claim base" in scheduled.json["embeds"][0]["description"]
