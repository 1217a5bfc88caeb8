from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.models import Claim, Status, Verification
from knowledge.pgstore import _migrations as postgresql_migrations
from knowledge.storage import Store, _migrations
from knowledge.store import ClaimStore, ConflictError, DatabaseUrlError, NotFoundError, Write, open_store

from .conftest import FakeClock

A, B = "111", "222"  # two Discord guilds


def load(store: ClaimStore, kb: KnowledgeBase, community: str = A, actor: str = "seed") -> None:
    store.write(community, [Write(k, i, "create", r, p) for k, i, p, r in kb.records()], actor)


def test_snapshot_returns_what_was_written_in_order(store: ClaimStore, seed_kb: KnowledgeBase) -> None:
    load(store, seed_kb)
    kb, metas, seq = store.snapshot(A)
    assert kb.claims == seed_kb.claims and list(kb.topics) == list(seed_kb.topics)
    assert kb.topic_event == seed_kb.topic_event and kb.claim_topic == seed_kb.claim_topic
    assert seq == len(list(seed_kb.records()))
    assert metas[("claim", "russia-70-attackers-killed")].created_by == "seed"


def test_one_community_never_sees_or_changes_anothers(store: ClaimStore, seed_kb: KnowledgeBase) -> None:
    load(store, seed_kb, A)
    assert store.snapshot(B)[0].claims == {}
    assert store.get(B, "claim", "russia-70-attackers-killed") is None
    assert store.history(B) == []
    claim = store.get(A, "claim", "russia-70-attackers-killed")
    assert claim is not None
    with pytest.raises(NotFoundError):
        store.write(B, [Write("claim", claim.id, "update", claim.record, claim.parent, 1)], "mod-b")
    # B can hold a record with the same id without touching A's.
    load(store, seed_kb, B, actor="other")
    store.write(B, [Write("claim", claim.id, "delete", expected_version=1)], "mod-b")
    assert store.get(A, "claim", claim.id) is not None


def test_updates_are_versioned_and_history_has_before_and_after(
    store: ClaimStore, seed_kb: KnowledgeBase, clock: FakeClock
) -> None:
    load(store, seed_kb)
    stored = store.get(A, "claim", "russia-70-attackers-killed")
    assert stored is not None and stored.meta.version == 1
    clock.advance(hours=1)
    confirmed = stored.record.model_copy(
        update={"status": Status.CONFIRMED, "verification": Verification(by="BBC")}
    )
    store.write(A, [Write("claim", stored.id, "update", confirmed, stored.parent, 1)], "mod-1")
    after = store.get(A, "claim", stored.id)
    assert after is not None and after.meta.version == 2 and after.meta.updated_by == "mod-1"
    assert after.meta.updated_at == clock.now and after.meta.created_at < clock.now
    (entry,) = store.history(A, kind="claim", record_id=stored.id, after_seq=0)[1:]
    assert (entry.action, entry.actor, entry.version) == ("update", "mod-1", 2)
    assert entry.before and entry.before["body"]["status"] == "unverified"
    assert entry.after and entry.after["body"]["status"] == "confirmed"


def test_two_writers_never_silently_overwrite_each_other(store: ClaimStore, seed_kb: KnowledgeBase) -> None:
    load(store, seed_kb)
    stored = store.get(A, "claim", "gladkov-one-civilian-killed")
    assert stored is not None
    first = stored.record.model_copy(update={"note": "first moderator"})
    second = stored.record.model_copy(update={"note": "second moderator"})
    store.write(A, [Write("claim", stored.id, "update", first, stored.parent, stored.meta.version)], "mod-1")
    with pytest.raises(ConflictError, match="changed by mod-1 .* reload it"):
        store.write(A, [Write("claim", stored.id, "update", second, stored.parent, stored.meta.version)], "mod-2")
    current = store.get(A, "claim", stored.id)
    assert current is not None and current.record.note == "first moderator"


def test_a_failed_write_changes_nothing(store: ClaimStore, seed_kb: KnowledgeBase) -> None:
    load(store, seed_kb)
    before = store.snapshot(A)
    new = Claim(id="brand-new", party="russia", statement="New.", sources=["belgorod-article"])
    stale = store.get(A, "claim", "gladkov-one-civilian-killed")
    assert stale is not None
    with pytest.raises(ConflictError):
        store.write(A, [
            Write("claim", "brand-new", "create", new, "belgorod-casualties"),
            Write("claim", stale.id, "update", stale.record, stale.parent, expected_version=99),
        ], "mod-1")
    assert store.snapshot(A) == before  # the create before the conflict was rolled back too


def test_soft_delete_and_restore(store: ClaimStore, seed_kb: KnowledgeBase) -> None:
    load(store, seed_kb)
    store.write(A, [Write("topic", "bakhmut-capture", "delete", expected_version=1)], "mod-1")
    kb = store.snapshot(A)[0]
    assert "bakhmut-capture" not in kb.topics and "russia-captured-bakhmut" not in kb.claims
    assert [s.id for s in store.deleted(A, "topic")] == ["bakhmut-capture"]
    store.write(A, [Write("topic", "bakhmut-capture", "restore", expected_version=2)], "mod-1")
    kb = store.snapshot(A)[0]
    assert "russia-captured-bakhmut" in kb.claims
    assert [e.action for e in store.history(A, record_id="bakhmut-capture")] == ["create", "delete", "restore"]


@pytest.mark.sqlite_only
def test_history_is_append_only(store: ClaimStore, seed_kb: KnowledgeBase, db_url: str) -> None:
    load(store, seed_kb)
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE history SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM history")
    raw.close()


def test_migrations_run_once_and_survive_reopening(store_url: str, store_engine: str, seed_kb: KnowledgeBase,
                                                   clock: FakeClock) -> None:
    first = open_store(store_url, clock=clock)
    load(first, seed_kb)
    first.close()
    second = open_store(store_url, clock=clock)
    migrations = _migrations() if store_engine == "sqlite" else postgresql_migrations()
    assert second.migrate() == second.schema_version() == max(version for version, _ in migrations)  # applied once
    assert len(second.snapshot(A)[0].claims) == len(seed_kb.claims)
    second.close()


def test_a_database_from_before_digest_windows_keeps_its_schedule(tmp_path: Path, clock: FakeClock) -> None:
    # A server upgrading from schema 3: its digest goes on from where it was.
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for version, sql in _migrations():
            if version <= 3:
                old.executescript(sql)
                old.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        old.execute("INSERT INTO digests (community, channel, cadence, at_time, timezone, post_when_empty, created_at,"
                    " last_slot) VALUES ('g', 'c', 'daily', '09:00', 'UTC', 1, '2026-01-01T08:00:00+00:00',"
                    " '2026-01-05T09:00:00+00:00')")
    store = Store(f"sqlite:///{path}", clock=clock)
    row = store.digest("g")
    assert row is not None
    assert row["covered_until"] == row["last_slot"] == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert row["schedule_set_at"] == row["created_at"]
    store.close()


def test_concurrent_writers_in_threads_keep_every_change(store: ClaimStore, seed_kb: KnowledgeBase) -> None:
    load(store, seed_kb)

    def add(n: int) -> None:
        claim = Claim(id=f"thread-{n}", party="russia", statement=f"Claim {n}.", sources=["belgorod-article"])
        store.write(A, [Write("claim", claim.id, "create", claim, "belgorod-casualties")], f"mod-{n}")

    threads = [threading.Thread(target=add, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claims = store.snapshot(A)[0].claims
    assert {f"thread-{n}" for n in range(20)} <= set(claims)


@pytest.mark.parametrize("url", ["mysql://db", "claims.sqlite3", "http://example.org/db"])
def test_unsupported_database_urls_say_what_to_use(url: str) -> None:
    with pytest.raises(DatabaseUrlError, match=r"CLAIMBOT_DATABASE_URL.*sqlite:///.*postgresql://"):
        open_store(url, clock=FakeClock())


def test_the_sqlite_store_is_not_handed_a_postgresql_url() -> None:
    with pytest.raises(DatabaseUrlError, match=r"PostgreSQL store"):
        Store("postgresql://db.example/claims", clock=FakeClock())


def test_questions_are_recorded_without_user_ids_and_expire(store: ClaimStore, clock: FakeClock) -> None:
    store.record_question(A, "who won the match", channel="55", topic_id=None, answered=False)
    clock.advance(days=100)
    store.record_question(A, "how many dead", channel="55", topic_id="belgorod-casualties", answered=True)
    assert [q.question for q in store.questions(A, answered=False)] == ["who won the match"]
    assert store.forget_questions(A, clock.now - timedelta(days=90)) == 1
    assert [q.question for q in store.questions(A)] == ["how many dead"]
    assert store.questions(B) == []
