"""Interaction load, measured: bursts of `/ask` against the real bot and the local Discord stand-in.

    python benchmarks/load.py                       # bursts of 200, 1000 and 4000
    python benchmarks/load.py --bursts 200,1000 --json

For each burst size, that many `/ask` interactions are sent at once (a mix of questions
that answer, that suggest topics, and that find nothing) and the stand-in measures, as
Discord would: time from dispatch to the initial response (p50/p99/max), responses refused
for missing the 3-second deadline, interactions with no response at all within 30 s,
missed gateway heartbeats; the bot's event loop lag is sampled by a task that sleeps 50 ms
and records the overshoot. The same bursts against a minimal discord.py client whose
`/ask` replies a fixed text at once give the baseline (the cost of discord.py and the
stand-in alone), measured in the same run.

The stand-in runs on its own thread with its own event loop: sharing the bot's loop, it
would charge its own work (encoding thousands of gateway frames, serving thousands of REST
calls) to the bot's lag and response times, and a bot that blocks its loop would stop
Discord's clock too. Python's GIL still couples the two threads a little (CPU-bound Python
in the bot slows the stand-in by up to the 5 ms switch interval per turn), which the
baseline, measured the same way, accounts for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import inspect
import json
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from tests.fakediscord import FakeDiscord

T = TypeVar("T")

SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.fake-token-for-tests-only-0000000000"
GUILD = 700000000000000001
CHANNEL = 700000000000000011
MEMBER_BASE = 710000000000000000
# Answers, did-you-mean suggestions, and nothing found: the three paths /ask takes.
QUESTIONS = ("how many casualties?", "what did gladkov say", "what about stalingrad")
DEADLINE = 3.0
NO_RESPONSE_AFTER = 30.0  # seconds after a burst's dispatch an interaction counts as never answered
LAG_PERIOD = 0.05


# --- the stand-in on its own thread ----------------------------------------------------

class ThreadedStandIn:
    """A FakeDiscord living on its own event loop in a daemon thread."""

    def __init__(self, heartbeat_interval_ms: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-discord", daemon=True)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.fake: FakeDiscord

    def start(self) -> None:
        self.thread.start()
        self.fake = self.call(self._make(), timeout=10)
        # discord.py reads both at request / connect time: the client goes to loopback only.
        discord.http.Route.BASE = self.fake.rest_base  # type: ignore[misc]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.fake.gateway_url)

    async def _make(self) -> FakeDiscord:
        fake = FakeDiscord()  # created on the stand-in's loop: its asyncio primitives belong there
        fake.heartbeat_interval_ms = self.heartbeat_interval_ms
        fake.interaction_deadline = DEADLINE
        fake.add_guild(GUILD, channels={CHANNEL: "general"})
        await fake.start()
        return fake

    def call(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run a coroutine on the stand-in's loop, awaited from another loop."""
        return await asyncio.wait_for(asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop)), timeout)

    async def read(self, func: Callable[[FakeDiscord], T], timeout: float = 10) -> T:
        """Read the stand-in's state on its own loop: no dict changes size under our feet."""
        async def on_loop() -> T:
            return func(self.fake)
        return await self.run(on_loop(), timeout)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.call(self.fake.stop(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# --- the clients -----------------------------------------------------------------------

class FixedReply(discord.Client):
    """The baseline: `/ask` answers a fixed text at once, nothing else."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.none(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="ask", description="fixed reply")
        async def ask(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.send_message("Every party's version, with sources.")


@dataclass
class Subject:
    client: discord.Client
    seeded: Callable[[], bool]  # the bot has seeded the test server's claim base
    close: Callable[[], None] = lambda: None


def fixed_reply(tmpdir: str) -> Subject:
    return Subject(FixedReply(), lambda: True)


def claimbot(tmpdir: str) -> Subject:
    """The real bot, built as tests/bot/conftest.py builds it."""
    from bot.client import ClaimBot
    from bot.settings import BotSettings
    from knowledge.service import ClaimService
    from knowledge.storage import Store

    # The constructors are being reworked to take one clock: pass it where it is wanted,
    # so the benchmark runs on the bot before and after that change.
    store_options: dict[str, Any] = {}
    if "clock" in inspect.signature(Store).parameters:
        from knowledge.clock import SystemClock  # type: ignore[import-not-found,unused-ignore]
        store_options["clock"] = SystemClock()
    service = ClaimService(Store(f"sqlite:///{tmpdir}/load.sqlite3", **store_options), seed_files=[SEED])
    bot = ClaimBot(service, BotSettings(_env_file=None, ask_cooldown_seconds=0),  # type: ignore[call-arg]
                   guild_ready_timeout=0.05)
    return Subject(bot, lambda: bool(service.store.last_seq(str(GUILD))), getattr(service, "close", lambda: None))


# --- measuring -------------------------------------------------------------------------

class LoopLag:
    """Overshoot of a 50 ms sleep on the bot's loop: how long anything there waits its turn."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(LAG_PERIOD)
            self.samples.append(max(0.0, time.perf_counter() - before - LAG_PERIOD))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@dataclass
class BurstResult:
    client: str
    burst: int
    responded: int  # interactions that got an initial response attempt (in time or late)
    p50: float | None
    p99: float | None
    max: float | None
    deadline_misses: int  # initial responses refused as later than 3 s (10062)
    no_response: int  # no initial response at all within 30 s of the dispatch
    failed: int  # what members saw fail: deadline misses + no response
    lag_p99: float | None
    lag_max: float | None
    missed_heartbeats: int
    wall: float  # seconds from dispatch until every interaction was answered (or 30 s)
    error_logs: int  # ERROR log lines from the client during the burst


@dataclass
class ClientRun:
    name: str
    bursts: list[BurstResult] = field(default_factory=list)
    note: str = ""


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def send_burst(fake: FakeDiscord, size: int, offset: int) -> list[str]:
    """`size` /ask interactions at once, each from its own member (no cooldown interferes)."""
    sends = [fake.send_slash(GUILD, CHANNEL, MEMBER_BASE + offset + i, "ask",
                             {"question": QUESTIONS[i % len(QUESTIONS)]}) for i in range(size)]
    return [payload["id"] for payload in await asyncio.gather(*sends)]


def outcome(fake: FakeDiscord, ids: list[str]) -> tuple[dict[str, float], int]:
    wanted = set(ids)
    times = {i: fake.response_times[i] for i in ids if i in fake.response_times}
    misses = sum(1 for m in fake.deadline_misses if m.interaction_id in wanted)
    return times, misses


async def measure(name: str, subject: Subject, standin: ThreadedStandIn, bursts: list[int],
                  errors: ErrorCount) -> ClientRun:
    run = ClientRun(name)
    client, seeded = subject.client, subject.seeded
    task = asyncio.create_task(client.start(TOKEN))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 30)
        for _ in range(500):  # the bot seeds a new server by itself when it becomes available
            if seeded():
                break
            await asyncio.sleep(0.02)
        # One warm-up question per kind: the first ask builds indexes and caches a running bot has.
        warm = await standin.run(send_burst(standin.fake, len(QUESTIONS), 0), 10)
        await wait_answered(standin, warm, time.monotonic() + 15)
        lag = LoopLag()
        lag.start()
        offset = len(QUESTIONS)
        for size in bursts:
            heartbeats_before = await standin.read(lambda f: len(f.missed_heartbeats))
            errors_before = errors.count
            lag.samples.clear()
            started = time.monotonic()
            ids = await standin.run(send_burst(standin.fake, size, offset), 60)
            offset += size
            finished = await wait_answered(standin, ids, started + NO_RESPONSE_AFTER)
            times, misses = await standin.read(functools.partial(outcome, ids=ids))
            heartbeats = await standin.read(lambda f: len(f.missed_heartbeats)) - heartbeats_before
            values = list(times.values())
            no_response = size - len(times)
            run.bursts.append(BurstResult(
                name, size, len(times), percentile(values, 0.5), percentile(values, 0.99),
                max(values) if values else None, misses, no_response, misses + no_response,
                percentile(lag.samples, 0.99), max(lag.samples) if lag.samples else None, heartbeats,
                finished - started, errors.count - errors_before))
            await asyncio.sleep(1.0)  # let what the burst left running (follow-ups, bookkeeping) settle
        await lag.stop()
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), 15)
        task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, 15)
    return run


async def wait_answered(standin: ThreadedStandIn, ids: list[str], until: float) -> float:
    """Poll until every interaction got an initial response, or `until`; when that was."""
    while time.monotonic() < until:
        answered = await standin.read(lambda f: sum(1 for i in ids if i in f.response_times))
        if answered == len(ids):
            break
        await asyncio.sleep(0.1)
    return min(time.monotonic(), until)


def run_client(name: str, make: Callable[[str], Subject], bursts: list[int],
               heartbeat_interval_ms: int) -> ClientRun:
    standin = ThreadedStandIn(heartbeat_interval_ms)
    standin.start()
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    try:
        with tempfile.TemporaryDirectory() as tmpdir:
            async def main() -> ClientRun:
                subject = make(tmpdir)
                try:
                    return await measure(name, subject, standin, bursts, errors)
                finally:
                    subject.close()
            return asyncio.run(main())
    finally:
        logging.getLogger().removeHandler(errors)
        standin.stop()


# --- report ------------------------------------------------------------------------------

def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    return f"{a / b:,.1f}×"


def table(runs: list[ClientRun]) -> str:
    head = (f"{'client':<10} {'burst':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'late':>6} {'none':>6} "
            f"{'failed':>7} {'lag p99':>8} {'lag max':>8} {'hb miss':>7} {'wall s':>7} {'errors':>6}")
    lines = [head, "-" * len(head)]
    for run in runs:
        for b in run.bursts:
            lines.append(f"{b.client:<10} {b.burst:>6} {ms(b.p50):>8} {ms(b.p99):>8} {ms(b.max):>8} "
                         f"{b.deadline_misses:>6} {b.no_response:>6} {b.failed:>7} {ms(b.lag_p99):>8} "
                         f"{ms(b.lag_max):>8} {b.missed_heartbeats:>7} {b.wall:>7.1f} {b.error_logs:>6}")
    by_size = {b.burst: b for b in runs[0].bursts}
    lines.append("")
    lines.append("claimbot / baseline:")
    for b in runs[1].bursts if len(runs) > 1 else []:
        base = by_size.get(b.burst)
        if base is not None:
            lines.append(f"  burst {b.burst:>5}: p50 {ratio(b.p50, base.p50)}, p99 {ratio(b.p99, base.p99)}, "
                         f"max {ratio(b.max, base.max)}, loop lag p99 {ratio(b.lag_p99, base.lag_p99)}")
    lines.append("")
    lines.append("late: initial response refused with 10062 (after 3 s); none: no initial response within 30 s; "
                 "failed: late + none (the member saw 'The application did not respond').")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bursts", default="200,1000,4000", help="comma-separated burst sizes")
    parser.add_argument("--heartbeat-ms", type=int, default=41250,
                        help="the gateway heartbeat interval the stand-in asks for (Discord: 41250)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    bursts = [int(b) for b in args.bursts.split(",") if b.strip()]
    # discord.py logs every refused response: count ERROR lines (in the table) instead of
    # printing thousands of them.
    logging.getLogger().setLevel(logging.ERROR)
    runs = [run_client("baseline", fixed_reply, bursts, args.heartbeat_ms),
            run_client("claimbot", claimbot, bursts, args.heartbeat_ms)]
    if args.json:
        print(json.dumps({
            "deadline_s": DEADLINE, "no_response_after_s": NO_RESPONSE_AFTER, "heartbeat_interval_ms": args.heartbeat_ms,
            "standin": "own thread and event loop",
            "questions": list(QUESTIONS),
            "runs": {run.name: [asdict(b) for b in run.bursts] for run in runs},
        }, indent=2))
    else:
        print(table(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
