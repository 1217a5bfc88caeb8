"""Several bot processes on one PostgreSQL database, end to end (issue 12).

Two real `claimbot run` processes (through `tests.fakediscord.run`, which only points
discord.py at the stand-in and can pin the clock), with CLAIMBOT_SHARD_COUNT=2 and shard 0
or 1 each, on one fresh database, against one stand-in holding a guild on each shard.
What a member or a moderator would see: a write is answered by the other process within a
second, a digest slot is posted once, by the process holding the server, and a
process killed with SIGKILL loses nothing that was committed.

First, the stand-in's own sharding, in process: a connection sees only its shard's guilds.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from knowledge.clock import ManualClock
from knowledge.digest import Schedule, save_config
from knowledge.service import ClaimService
from knowledge.store import open_store
from tests.engines import fresh_database, postgres_server
from tests.fakediscord import FakeDiscord
from tests.knowledge.conftest import NEW_TOPIC

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.fake-token-for-tests-only-0000000000"
SHARDS = 2
# A guild's shard is (id >> 22) % shard count: one guild on each of the two shards.
GUILD_A = (171_000_000_000 << 22) + 1  # shard 0
GUILD_B = (171_000_000_001 << 22) + 1  # shard 1
CHANNEL_A, CHANNEL_B = GUILD_A + 1, GUILD_B + 1
DIGEST_CHANNEL = GUILD_A + 2
MEMBER = 720000000000000021
MODERATOR = 720000000000000022
MANAGE_MESSAGES = 1 << 13
CASUALTIES = "how many casualties?"
# Startup (Python, the matching model, the database, the gateway) on a loaded 2-core machine.
START_TIMEOUT = 30.0


def test_the_guilds_are_on_the_shards_their_names_say() -> None:
    assert ((GUILD_A >> 22) % SHARDS, (GUILD_B >> 22) % SHARDS) == (0, 1)


# --- the stand-in shards as Discord does --------------------------------------------------


class ShardProbe(discord.AutoShardedClient):
    """A bare sharded client that notes which guilds' messages reached it."""

    def __init__(self, **options: Any) -> None:
        wanted = discord.Intents.none()
        wanted.guilds = True
        wanted.guild_messages = True
        super().__init__(intents=wanted, guild_ready_timeout=0.05, **options)
        self.message_guilds: list[int] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return  # discord.py waits 5 s between two shards' IDENTIFYs; the stand-in has no such limit

    async def on_message(self, message: discord.Message) -> None:
        assert message.guild is not None
        self.message_guilds.append(message.guild.id)


async def until(condition: Callable[[], bool], timeout: float, what: Callable[[], str] = lambda: "") -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds with `what()`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s {what()}"
        await asyncio.sleep(0.02)


async def test_each_shard_gets_only_its_guilds_and_their_events(fake_discord: FakeDiscord) -> None:
    fake_discord.shard_count = SHARDS
    fake_discord.add_guild(GUILD_A, channels={CHANNEL_A: "general"})
    fake_discord.add_guild(GUILD_B, channels={CHANNEL_B: "general"})
    first, second = ShardProbe(shard_count=SHARDS, shard_ids=[0]), ShardProbe(shard_count=SHARDS, shard_ids=[1])
    every = ShardProbe()  # no shard count: it asks /gateway/bot, and runs every shard it is told of
    clients = [first, second, every]
    tasks = [asyncio.create_task(client.start(TOKEN)) for client in clients]
    try:
        for client in clients:
            await asyncio.wait_for(client.wait_until_ready(), 10)
        assert [g.id for g in first.guilds] == [GUILD_A] and [g.id for g in second.guilds] == [GUILD_B]
        assert every.shard_count == SHARDS and sorted(every.shards) == [0, 1]
        assert sorted(g.id for g in every.guilds) == [GUILD_A, GUILD_B]
        assert sorted(fake_discord.identified) == [(0, 2), (0, 2), (1, 2), (1, 2)]
        await fake_discord.send_message(GUILD_B, CHANNEL_B, MEMBER, "to shard 1")
        await fake_discord.send_message(GUILD_A, CHANNEL_A, MEMBER, "to shard 0")
        await until(lambda: len(every.message_guilds) == 2 and bool(first.message_guilds and second.message_guilds), 5)
        assert (first.message_guilds, second.message_guilds) == ([GUILD_A], [GUILD_B])
        assert sorted(every.message_guilds) == [GUILD_A, GUILD_B]
    finally:
        for client in clients:
            await client.close()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)


# --- bot processes --------------------------------------------------------------------------


class BotProcess:
    """One `claimbot run` in a process of its own, its log (stderr) read as it comes."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        self.name, self.env, self.cwd = name, env, cwd
        self.log: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> BotProcess:
        self.log.append(f"--- {self.name} started")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.fakediscord.run", env=self.env, cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read(self.proc))
        return self

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        async for line in proc.stderr:
            self.log.append(line.decode(errors="replace").rstrip())

    def count(self, pattern: str) -> int:
        return sum(1 for line in self.log if re.search(pattern, line))

    def tail(self) -> str:
        return f"\n{self.name}'s log:\n" + "\n".join(self.log[-40:])

    async def wait_for_log(self, pattern: str, *, count: int = 1, timeout: float = START_TIMEOUT) -> None:
        def seen() -> bool:
            assert self.proc is None or self.proc.returncode is None, f"{self.name} exited{self.tail()}"
            return self.count(pattern) >= count
        await until(seen, timeout, lambda: f"waiting for {count} × {pattern!r}{self.tail()}")

    async def ready(self) -> BotProcess:
        # The bot's own line once its shards are connected and its guilds are in.
        await self.wait_for_log(r"connected as .* on shard\(s\)")
        return self

    async def kill(self) -> None:
        """SIGKILL: no shutdown at all, as when the machine or the OOM killer ends it."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.log.append(f"--- {self.name} killed")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)  # as a service manager stops it
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)


class Cluster:
    """Bot processes on one database and one stand-in."""

    def __init__(self, fake: FakeDiscord, database: str, tmp_path: Path) -> None:
        self.fake, self.database, self.tmp_path = fake, database, tmp_path
        self.processes: list[BotProcess] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMBOT_", "FAKEDISCORD_"))}
        env.update({
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "CLAIMBOT_DATABASE_URL": self.database,
            # One vector cache per machine, as on PostgreSQL in production (not the user's home).
            "CLAIMBOT_EMBEDDING_CACHE": str(self.tmp_path / "embeddings.sqlite3"),
            **extra,
        })
        return env

    async def start(self, shard_ids: str, **extra: str) -> BotProcess:
        env = self.env(CLAIMBOT_DISCORD_TOKEN=TOKEN, CLAIMBOT_SHARD_COUNT=str(SHARDS), CLAIMBOT_SHARD_IDS=shard_ids,
                       CLAIMBOT_ASK_COOLDOWN_SECONDS="0", FAKEDISCORD_PORT=str(self.fake.port), **extra)
        process = BotProcess(f"process {len(self.processes) + 1} (shard {shard_ids})", env, self.tmp_path)
        self.processes.append(process)
        return await process.start()

    async def start_both(self, **extra: str) -> tuple[BotProcess, BotProcess]:
        first, second = await self.start("0", **extra), await self.start("1", **extra)
        await asyncio.gather(first.ready(), second.ready())
        return first, second

    async def cli(self, *args: str) -> str:
        """`claimbot …` as a third process on the same database (asynchronously: the stand-in
        shares this event loop and must keep serving the bots meanwhile)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "claimbot", *args, env=self.env(), cwd=self.tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        return out.decode()

    def logs(self) -> str:
        return "".join(p.tail() for p in self.processes)


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the test server (fails in CI without one, skips locally)."""
    yield from fresh_database(postgres_server())


@pytest.fixture
async def cluster(fake_discord: FakeDiscord, database: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    fake_discord.shard_count = SHARDS
    fake_discord.add_guild(GUILD_A, "Server A", channels={CHANNEL_A: "general", DIGEST_CHANNEL: "digest"})
    fake_discord.add_guild(GUILD_B, "Server B", channels={CHANNEL_B: "general"})
    # A short heartbeat: a bot process whose event loop stalls for seconds fails the test.
    fake_discord.heartbeat_interval_ms = 3000
    running = Cluster(fake_discord, database, tmp_path)
    try:
        yield running
    finally:
        await asyncio.gather(*(p.stop() for p in running.processes))
    assert fake_discord.deadline_misses == [], f"answered after Discord's deadline: {fake_discord.deadline_misses}"
    assert fake_discord.missed_heartbeats == [], f"a bot's event loop was blocked: {fake_discord.missed_heartbeats}"


async def reply_to(fake: FakeDiscord, interaction: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
    """The message a member finally sees for this interaction (a deferral followed to its edit)."""
    callback = await fake.wait_for_request("POST", rf"/interactions/{interaction['id']}/[^/]+/callback",
                                           timeout=timeout)
    if callback.json["type"] not in (5, 6):
        return dict(callback.json.get("data") or {})
    edit = await fake.wait_for_request("PATCH", rf"/webhooks/\d+/{re.escape(interaction['token'])}/messages/@original",
                                       timeout=timeout)
    return dict(edit.json or {})


def text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


async def ask(fake: FakeDiscord, guild: int, question: str) -> str:
    interaction = await fake.send_slash(guild, guild + 1, MEMBER, "ask", {"question": question})
    return text(await reply_to(fake, interaction))


async def answered(fake: FakeDiscord, guild: int, question: str, expected: str, timeout: float = START_TIMEOUT) -> str:
    """Ask until the answer says `expected` (a new server is seeded as it becomes available)."""
    deadline = time.monotonic() + timeout
    while expected not in (answer := await ask(fake, guild, question)):
        assert time.monotonic() < deadline, f"guild {guild} never answered {expected!r}; last answer:\n{answer}"
        await asyncio.sleep(0.1)
    return answer


POWER_STATION = "was the power station in shebekino shelled"
SHELLED = "The Shebekino power station was shelled."


async def test_a_write_in_another_process_is_answered_within_a_second(cluster: Cluster, tmp_path: Path) -> None:
    fake = cluster.fake
    await cluster.start_both()
    assert sorted(fake.identified) == [(0, 2), (1, 2)]  # one process per shard, each its own session
    # Both processes answer in their own server; server B's base is in process B's memory now.
    await answered(fake, GUILD_A, CASUALTIES, "Gladkov")
    await answered(fake, GUILD_B, CASUALTIES, "Gladkov")
    assert SHELLED not in await ask(fake, GUILD_B, POWER_STATION)

    # A moderator imports a new topic into server B's base from the command line: a third process.
    knowledge = tmp_path / "shebekino.claims.yaml"
    knowledge.write_text(SEED.read_text().replace("    topics:\n", "    topics:\n" + NEW_TOPIC, 1))
    await cluster.cli("--community", str(GUILD_B), "import", str(knowledge), "--actor", "moderator")
    committed = time.monotonic()
    answer = await ask(fake, GUILD_B, POWER_STATION)  # the first question after the import
    latency = time.monotonic() - committed
    assert SHELLED in answer, answer
    assert latency < 1.0, f"the member got the new claim {latency:.2f} s after the import"
    print(f"an import answered by the other process {latency * 1000:.0f} ms after it committed")
    # Server A's base is its own: the import into B changed nothing there.
    assert SHELLED not in await ask(fake, GUILD_A, POWER_STATION)


# The bot's one clock in both processes: Monday 2 March 2026, 30 s after a daily 09:00 UTC slot.
DIGEST_NOW = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
LOOKS = 10  # scheduler passes each process makes over the due slot after it was posted


async def test_a_digest_slot_is_posted_once_by_two_processes(cluster: Cluster, database: str) -> None:
    fake = cluster.fake
    # Server A has used the bot since February; its moderators set a daily 09:00 digest that morning.
    clock = ManualClock(datetime(2026, 2, 2, 8, 0, tzinfo=UTC))
    service = ClaimService(open_store(database, clock=clock), seed_files=[SEED])
    try:
        service.ensure_seeded(str(GUILD_A))
        clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
        save_config(service, str(GUILD_A), str(DIGEST_CHANNEL), Schedule.parse("daily", "09:00", "UTC"), True)
    finally:
        service.close()

    # Both processes look for due digests every 0.2 s (not every minute), on the same pinned
    # clock and the same database. Only the process holding server A's shard claims its slot
    # (the other could not speak the server's language, nor know it left); the claim is a
    # compare-and-set, so a restart never posts it again either.
    first, second = await cluster.start_both(FAKEDISCORD_NOW=DIGEST_NOW.isoformat(),
                                             FAKEDISCORD_DIGEST_SECONDS="0.2")
    try:
        posted = await fake.wait_for_request("POST", rf"/channels/{DIGEST_CHANNEL}/messages", timeout=START_TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"the digest was never posted{cluster.logs()}") from None
    looks = [first.count("digest loop:"), second.count("digest loop:")]
    # Both loops go on looking at the same due slot, again and again, and never post it again.
    await asyncio.gather(first.wait_for_log("digest loop:", count=looks[0] + LOOKS),
                         second.wait_for_log("digest loop:", count=looks[1] + LOOKS))
    posts = fake.matching("POST", rf"/channels/{DIGEST_CHANNEL}/messages")
    assert len(posts) == 1, f"the 09:00 digest was posted {len(posts)} times{cluster.logs()}"
    assert "No changes to the claim base since" in text(posted.json)  # nothing changed in the week before
    claimed = [p.count(r"digest loop: 1 slot\(s\) claimed") for p in (first, second)]
    assert claimed == [1, 0], claimed  # by server A's process (shard 0); the other never claimed it


MOD_STATUS = {"claim": "gladkov-one-civilian-killed", "status": "confirmed", "verified_by": "Reuters"}


async def test_a_process_killed_mid_way_loses_nothing_committed(cluster: Cluster) -> None:
    fake = cluster.fake
    first, second = await cluster.start_both()
    # Server A curates its own copy of the seed (a new server only follows it).
    fork = await fake.send_slash(GUILD_A, CHANNEL_A, MODERATOR, "base", {"name": "belgorod-incursion"},
                                 subcommand="fork", permissions=MANAGE_MESSAGES)
    assert "is now this server's own copy" in text(await reply_to(fake, fork))
    before = await answered(fake, GUILD_A, CASUALTIES, "Gladkov")
    await answered(fake, GUILD_B, CASUALTIES, "Gladkov")
    assert "✅ confirmed" not in before

    # A moderator in server A confirms a claim; process A acknowledges the change (it is
    # committed then) and is killed right after, while it would still be updating the
    # earlier answer in place.
    change = await fake.send_slash(GUILD_A, CHANNEL_A, MODERATOR, "claim", MOD_STATUS, subcommand="status",
                                   permissions=MANAGE_MESSAGES)
    assert "status unverified → confirmed (by Reuters)" in text(await reply_to(fake, change))
    await first.kill()

    # Process B holds the other shard and keeps answering its server.
    assert "Gladkov" in await ask(fake, GUILD_B, CASUALTIES)
    # Nobody holds shard 0 now: server A's members get no answer (Discord's "did not respond").
    lost = await fake.send_slash(GUILD_A, CHANNEL_A, MEMBER, "ask", {"question": CASUALTIES})

    # Restarted on the same shard, process A answers its server again, with the confirmed claim.
    await (await cluster.start("0")).ready()
    after = await ask(fake, GUILD_A, CASUALTIES)
    assert "✅ confirmed** by Reuters" in after, after
    assert [r.id for r in fake.unanswered()] == [lost["id"]]
    assert "Gladkov" in await ask(fake, GUILD_B, CASUALTIES)
