"""The stand-in keeps Discord's clocks: the 3-second interaction deadline and gateway heartbeats.

These drive a tiny throwaway discord.py client (not claimbot's cogs), so they prove the
stand-in itself: a bot that is late, answers twice or stalls its event loop fails here as it
would against Discord.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.http import Route

from tests.fakediscord import FakeDiscord

GUILD = 710000000000000001
CHANNEL = 710000000000000011
MEMBER = 710000000000000021
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.fake-token-for-tests-only-0000000000"
DEADLINE = 0.3  # lowered so a miss takes a fraction of a second


class Probe(discord.Client):
    """A minimal bot whose commands are late, answer twice, defer, or block the loop on purpose."""

    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        # What each command saw from the stand-in, by command name.
        self.outcomes: dict[str, asyncio.Future[Any]] = {}
        self.block_for = 0.0  # seconds on_message blocks the event loop (busy, as CPU-bound work does)
        self._add_commands()

    def outcome(self, name: str) -> asyncio.Future[Any]:
        return self.outcomes.setdefault(name, asyncio.get_running_loop().create_future())

    def _add_commands(self) -> None:
        @self.tree.command(name="fast", description="answers at once")
        async def fast(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("fast")
            self.outcome("fast").set_result("ok")

        @self.tree.command(name="slow", description="answers after the deadline")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(DEADLINE + 0.3)
            try:
                await interaction.response.send_message("too late")
            except discord.HTTPException as exc:
                self.outcome("slow").set_result((exc.status, exc.code))
            else:
                self.outcome("slow").set_result("accepted")

        @self.tree.command(name="silent", description="never answers")
        async def silent(interaction: discord.Interaction) -> None:
            self.outcome("silent").set_result("ok")

        @self.tree.command(name="twice", description="sends two initial responses")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            # discord.py refuses a second response locally, so send the raw callback as a
            # buggy bot (or a second process handling the same interaction) would.
            route = Route("POST", "/interactions/{interaction_id}/{interaction_token}/callback",
                          interaction_id=interaction.id, interaction_token=interaction.token)
            try:
                await self.http.request(route, json={"type": 4, "data": {"content": "second"}})
            except discord.HTTPException as exc:
                self.outcome("twice").set_result((exc.status, exc.code))
            else:
                self.outcome("twice").set_result("accepted")

        @self.tree.command(name="deferred", description="defers, then follows up after the deadline")
        async def deferred(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(DEADLINE + 0.3)
            try:
                await interaction.edit_original_response(content="done")
                message = await interaction.followup.send("and one more", wait=True)
            except discord.HTTPException as exc:
                self.outcome("deferred").set_result((exc.status, exc.code))
            else:
                self.outcome("deferred").set_result(message.content)

        @self.tree.command(name="early-followup", description="follows up without acknowledging")
        async def early_followup(interaction: discord.Interaction) -> None:
            try:
                await interaction.followup.send("nobody acknowledged me")
            except discord.HTTPException as exc:
                self.outcome("early-followup").set_result((exc.status, exc.code))
            else:
                self.outcome("early-followup").set_result("accepted")

    async def on_message(self, message: discord.Message) -> None:
        if self.block_for:
            end = time.perf_counter() + self.block_for  # the bug under test: blocking work on the event loop
            while time.perf_counter() < end:
                pass


@pytest.fixture
async def probe(fake_discord: FakeDiscord) -> AsyncIterator[Probe]:
    fake_discord.add_guild(GUILD, channels={CHANNEL: "general"})
    fake_discord.interaction_deadline = DEADLINE
    client = Probe()
    task = asyncio.create_task(client.start(TOKEN))
    await asyncio.wait_for(client.wait_until_ready(), 5)
    yield client
    await client.close()
    await asyncio.wait_for(task, 5)


async def until(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def ask(fake: FakeDiscord, client: Probe, name: str) -> tuple[str, Any]:
    interaction = await fake.send_slash(GUILD, CHANNEL, MEMBER, name)
    return interaction["id"], await asyncio.wait_for(client.outcome(name), 5)


async def test_a_response_after_the_deadline_gets_unknown_interaction(
    probe: Probe, fake_discord: FakeDiscord
) -> None:
    fast_id, fast = await ask(fake_discord, probe, "fast")
    assert fast == "ok" and fake_discord.response_times[fast_id] < DEADLINE

    slow_id, slow = await ask(fake_discord, probe, "slow")
    assert slow == (404, 10062)  # discord.py raised NotFound: Unknown interaction
    [miss] = fake_discord.deadline_misses
    assert (miss.interaction_id, miss.name) == (slow_id, "slow")
    assert 0.2 <= miss.late_by < 2 and miss.elapsed == pytest.approx(DEADLINE + miss.late_by)
    assert fake_discord.response_times[slow_id] == miss.elapsed
    assert fake_discord.interactions[slow_id].acknowledged_at is None  # the member saw it fail
    assert fake_discord.interactions[fast_id].response_type == 4


async def test_an_interaction_never_answered_is_listed(probe: Probe, fake_discord: FakeDiscord) -> None:
    fast_id, _ = await ask(fake_discord, probe, "fast")
    silent_id, _ = await ask(fake_discord, probe, "silent")
    assert [r.id for r in fake_discord.unanswered()] == [silent_id]
    assert fake_discord.unanswered()[0].name == "silent" and fast_id in fake_discord.response_times
    assert fake_discord.deadline_misses == []  # no attempt was made, so none was late


async def test_a_second_initial_response_is_refused(probe: Probe, fake_discord: FakeDiscord) -> None:
    interaction_id, outcome = await ask(fake_discord, probe, "twice")
    assert outcome == (400, 40060)
    callbacks = fake_discord.matching("POST", rf"/interactions/{interaction_id}/[^/]+/callback")
    assert [c.status for c in callbacks] == [200, 400]
    assert fake_discord.deadline_misses == []


async def test_follow_ups_after_a_deferral_work_past_the_deadline(probe: Probe, fake_discord: FakeDiscord) -> None:
    interaction_id, outcome = await ask(fake_discord, probe, "deferred")
    assert outcome == "and one more"
    assert fake_discord.interactions[interaction_id].response_type == 5
    assert fake_discord.response_times[interaction_id] < DEADLINE
    assert fake_discord.deadline_misses == []
    assert [r.status for r in fake_discord.matching("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")] == [200]


async def test_follow_ups_need_an_acknowledgement_and_expire(probe: Probe, fake_discord: FakeDiscord) -> None:
    _, outcome = await ask(fake_discord, probe, "early-followup")
    assert outcome == (404, 10015)  # Unknown Webhook: the interaction was never acknowledged
    fake_discord.token_lifetime = 0.2  # the deferred command follows up 0.6 s after deferring
    _, outcome = await ask(fake_discord, probe, "deferred")
    assert outcome == (401, 50027)  # Invalid Webhook Token


async def test_a_steady_client_misses_no_heartbeat(fake_discord: FakeDiscord) -> None:
    fake_discord.heartbeat_interval_ms = 200
    fake_discord.add_guild(GUILD, channels={CHANNEL: "general"})
    client = Probe()
    task = asyncio.create_task(client.start(TOKEN))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 5)
        await asyncio.sleep(1.5)
        assert fake_discord.missed_heartbeats == []
        assert fake_discord.heartbeats >= 6  # one at HELLO, then one per interval
        assert (fake_discord.identifies, fake_discord.resumes) == (1, 0)
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


async def test_a_blocked_event_loop_misses_heartbeats_and_has_to_resume(fake_discord: FakeDiscord) -> None:
    fake_discord.heartbeat_interval_ms = 500  # a miss is a gap over 1 s
    fake_discord.add_guild(GUILD, channels={CHANNEL: "general"})
    fake_discord.interaction_deadline = 3.0
    client = Probe()
    task = asyncio.create_task(client.start(TOKEN))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 5)
        await until(lambda: fake_discord.heartbeats >= 2)  # a few heartbeats first: the connection is healthy
        assert fake_discord.missed_heartbeats == []
        client.block_for = 1.6
        await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "hello")
        await until(lambda: bool(fake_discord.missed_heartbeats))
        await fake_discord.wait_ready(timeout=5)  # cleared by the zombie close, set again by RESUMED
        [miss] = fake_discord.missed_heartbeats
        assert miss.gap > miss.limit == pytest.approx(1.0) and miss.connection == 1
        assert (fake_discord.identifies, fake_discord.resumes) == (1, 1)  # resumed, not a new session
        client.block_for = 0
        _, outcome = await ask(fake_discord, client, "fast")  # and the client still answers
        assert outcome == "ok"
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
