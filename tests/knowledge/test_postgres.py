"""What only the PostgreSQL store has to prove: several processes on one database.

A write through one process is answered by another within a second; eight writers to
one community never leave a follower a hole or an out-of-order history entry; a digest
slot is claimed once across processes; a held lock is a clear "busy" that changes
nothing; history cannot be rewritten. (Everything else the store does is tested on both
engines by the storage, service and CLI tests.)"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from knowledge.base import KnowledgeBase
from knowledge.models import Claim, Topic
from knowledge.pgstore import LOCK_NAMESPACE, PostgresStore
from knowledge.pgstore import _migrations as postgresql_migrations
from knowledge.service import ClaimService
from knowledge.store import HistoryEntry, StoreBusyError, Write, open_store
from tests.engines import fresh_database, postgres_server, with_database

from .conftest import NEW_TOPIC, SEED_FILE, FakeClock

ROOT = Path(__file__).resolve().parents[2]
LOCAL = "local"  # the command line's community


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from fresh_database(postgres_server())


def pg_store(url: str, **options: float) -> PostgresStore:
    store = open_store(url, clock=FakeClock(), **options)
    assert isinstance(store, PostgresStore)
    return store


def test_an_import_in_one_process_is_answered_by_another_within_a_second(pg_url: str, tmp_path: Path) -> None:
    # Process B: a long-lived service (this test process), seeded and answering.
    service = ClaimService(open_store(pg_url, clock=datetime_now), seed_files=[SEED_FILE])
    try:
        service.ensure_seeded(LOCAL)
        question = "was the power station in shebekino shelled"
        assert not service.ask(LOCAL, question).answered
        # Process A: `claimbot import` of a knowledge file with a new topic, on the same database.
        knowledge = tmp_path / "shebekino.claims.yaml"
        knowledge.write_text(SEED_FILE.read_text().replace("    topics:\n", "    topics:\n" + NEW_TOPIC, 1))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
        env["CLAIMBOT_DATABASE_URL"] = pg_url
        done = subprocess.run([sys.executable, "-m", "claimbot", "import", str(knowledge)], env=env,
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        committed = time.monotonic()
        answer = service.ask(LOCAL, question)
        while not answer.answered and time.monotonic() - committed < 1.0:
            time.sleep(0.02)
            answer = service.ask(LOCAL, question)
        latency = time.monotonic() - committed
        assert answer.answered and answer.topic is not None and answer.topic.id == "shebekino-power-station"
        assert [c.id for c in answer.claims] == ["gladkov-shebekino-power"]
        assert latency < 1.0, f"seen after {latency:.3f} s"
        print(f"import in process A answered in process B after {latency * 1000:.1f} ms")
    finally:
        service.close()


def datetime_now() -> datetime:
    return datetime.now(UTC)


WRITERS, TRANSACTIONS, PER_TRANSACTION = 8, 25, 3


def test_eight_concurrent_writers_never_leave_a_follower_a_hole(pg_url: str, seed_kb: KnowledgeBase) -> None:
    setup = pg_store(pg_url)
    setup.write(LOCAL, [Write(k, i, "create", r, p) for k, i, p, r in seed_kb.records()], "seed")
    start = setup.last_seq(LOCAL)
    # Every writer and the follower are separate stores (separate pools and connections),
    # as separate processes would be.
    stores = [pg_store(pg_url) for _ in range(WRITERS)]
    follower = pg_store(pg_url)
    barrier = threading.Barrier(WRITERS + 1)
    done = threading.Event()
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for t in range(TRANSACTIONS):
                claims = [Claim(id=f"w{n}-t{t}-c{c}", party="russia", statement=f"Claim {n}/{t}/{c}.",
                                sources=["belgorod-article"]) for c in range(PER_TRANSACTION)]
                stores[n].write(LOCAL, [Write("claim", c.id, "create", c, "belgorod-casualties") for c in claims],
                                f"writer-{n}")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    seen: list[HistoryEntry] = []

    def follow() -> None:
        # As a ClaimService does: read what came after the last entry seen, move on.
        after = start
        barrier.wait()
        while True:
            finished = done.is_set()  # read before the query: a last pass after the writers end
            entries = follower.history(LOCAL, after_seq=after)
            seen.extend(entries)
            if entries:
                after = entries[-1].seq
            if finished:
                return

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    reader = threading.Thread(target=follow)
    for thread in [*writers, reader]:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    try:
        assert errors == []
        everything = setup.history(LOCAL, after_seq=start)
        assert len(everything) == WRITERS * TRANSACTIONS * PER_TRANSACTION
        # The follower saw every entry exactly once, in seq order: nothing skipped, nothing twice.
        assert [e.seq for e in seen] == [e.seq for e in everything]
        assert len({e.record_id for e in seen}) == len(seen)
        # Each transaction's entries are consecutive: writes to one community ran one at a time.
        for first in range(0, len(everything), PER_TRANSACTION):
            assert len({e.actor for e in everything[first:first + PER_TRANSACTION]}) == 1
    finally:
        for store in [setup, follower, *stores]:
            store.close()


def test_a_digest_slot_is_claimed_once_across_processes(pg_url: str) -> None:
    first, second = pg_store(pg_url), pg_store(pg_url)
    first.set_digest("g", channel="c", cadence="daily", at_time="09:00", timezone="UTC", weekday=None,
                     post_when_empty=True)
    slot = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim(store: PostgresStore) -> None:
        barrier.wait()
        results.append(store.claim_digest_slot("g", slot, None, slot))

    threads = [threading.Thread(target=claim, args=(first if n % 2 else second,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(results) == [False] * 7 + [True]
        row = second.digest("g")
        assert row is not None and row["last_slot"] == slot
        # The next slot is claimed from the one before it, once.
        later = datetime(2026, 1, 3, 9, 0, tzinfo=UTC)
        assert first.claim_digest_slot("g", later, slot, later) is True
        assert second.claim_digest_slot("g", later, slot, later) is False
    finally:
        first.close()
        second.close()


def test_a_write_meeting_a_held_lock_is_busy_and_changes_nothing(pg_url: str, seed_kb: KnowledgeBase) -> None:
    store = pg_store(pg_url, busy_timeout=0.3)
    store.write(LOCAL, [Write(k, i, "create", r, p) for k, i, p, r in seed_kb.records()], "seed")
    seq = store.last_seq(LOCAL)
    topic = Topic(id="held", title="Held?")
    with psycopg.connect(pg_url, autocommit=True) as other, other.transaction():
        # Another claimbot process in the middle of a long import into the same community.
        other.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, LOCAL))
        began = time.monotonic()
        with pytest.raises(StoreBusyError, match=r"busy.*another claimbot process.*nothing was changed.*try again"):
            store.write(LOCAL, [Write("topic", topic.id, "create", topic, "belgorod-incursion-2023")], "mod")
        assert time.monotonic() - began < 2.0
        # Reading never waits for the writer; another community's writes do not either.
        assert len(store.snapshot(LOCAL)[0].claims) == len(seed_kb.claims)
        store.write("elsewhere", [Write("topic", topic.id, "create", topic, "e")], "mod")
    assert store.last_seq(LOCAL) == seq and store.get(LOCAL, "topic", "held") is None
    store.close()


def test_history_cannot_be_rewritten(pg_url: str, seed_kb: KnowledgeBase) -> None:
    store = pg_store(pg_url)
    store.write(LOCAL, [Write(k, i, "create", r, p) for k, i, p, r in seed_kb.records()], "seed")
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as raw:
        for statement in ("UPDATE history SET actor = 'someone else'", "DELETE FROM history",
                          "TRUNCATE history"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                raw.execute(statement)


def test_a_database_name_that_does_not_exist_is_one_clear_line(tmp_path: Path) -> None:
    url = with_database(postgres_server(), "no_such_claimbot_db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    env["CLAIMBOT_DATABASE_URL"] = url
    done = subprocess.run([sys.executable, "-m", "claimbot", "ask", "how many casualties?"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "'no_such_claimbot_db'" in line and "does not exist" in line and "CLAIMBOT_DATABASE_URL" in line


def test_a_database_from_before_digest_windows_keeps_its_schedule(pg_url: str) -> None:
    # A PostgreSQL database at schema 3 (as a release with only V1-V3 left it): opening it
    # applies V4-V6 once, and its digest goes on from where it was, as on SQLite.
    with psycopg.connect(pg_url, autocommit=True) as old, old.transaction():
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for version, sql in postgresql_migrations():
            if version <= 3:
                old.execute(sql.encode())
                old.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
        old.execute("INSERT INTO digests (community, channel, cadence, at_time, timezone, post_when_empty, created_at,"
                    " last_slot) VALUES ('g', 'c', 'daily', '09:00', 'UTC', TRUE, '2026-01-01T08:00:00+00:00',"
                    " '2026-01-05T09:00:00+00:00')")
    store = pg_store(pg_url)
    try:
        assert store.schema_version() == max(version for version, _ in postgresql_migrations())
        row = store.digest("g")
        assert row is not None
        assert row["covered_until"] == row["last_slot"] == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        assert row["schedule_set_at"] == row["created_at"]
    finally:
        store.close()
