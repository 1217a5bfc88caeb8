"""The database behind the claim base. All SQL lives here.

SQLite (standard library) is the embedded default. Every write runs in one
transaction; every record write appends to the history; updates are version-checked
so two writers never silently overwrite each other; every query is scoped to one
community, so one server never sees another's data.

Reads never wait for writes: the database runs in WAL mode, every thread reads through
its own connection (a consistent snapshot per read transaction), and only writes share
the one write connection and its lock. Members' questions are not written while they
wait for an answer: they are queued and written in batches (`QuestionQueue`). A
record that can no longer be read back is quarantined — logged and left out — so one
bad row never takes a whole community down.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from .base import KnowledgeBase
from .clock import Clock
from .models import Meta

# The domain types and errors live in the neutral module; they are re-exported here
# because `from knowledge.storage import Store, Write, StoreError, …` is used everywhere.
from .store import (
    BUSY_TIMEOUT_SECONDS,
    SERVER_WIDE,
    Action,
    AskedQuestion,
    CandidatePhrasing,
    ChannelSettings,
    ClaimStore,
    ConflictError,
    DatabaseUrlError,
    HistoryEntry,
    NotFoundError,
    Quarantine,
    Quarantined,
    QuestionQueue,
    QuestionRow,
    SharedBases,
    StoreBusyError,
    StoreClosedError,
    Stored,
    StoreError,
    UnreadableRecordError,
    Write,
    closed_error,
    conflict_message,
    engine_of,
    faithful_body,
    iso,
    json_or_none,
    migration_files,
    open_store,
    record_state,
)

__all__ = [
    "BUSY_TIMEOUT_SECONDS", "SERVER_WIDE", "Action", "AskedQuestion", "CandidatePhrasing", "ChannelSettings",
    "ClaimStore", "ConflictError", "DatabaseUrlError", "HistoryEntry", "NotFoundError", "Quarantined",
    "QuestionQueue", "Store", "StoreBusyError", "StoreClosedError", "StoreError", "Stored",
    "UnreadableRecordError", "Write", "open_store", "sqlite_path",
]

T = TypeVar("T")


def sqlite_path(url: str) -> str:
    """The file a `sqlite:///path` URL names (relative), `sqlite:////abs/path` (absolute)."""
    match = re.fullmatch(r"sqlite:///(.+)", url.strip())
    if not match:
        if engine_of(url) == "sqlite":  # raises, with every form that works, for another scheme
            raise DatabaseUrlError(
                f"CLAIMBOT_DATABASE_URL: '{url.strip()[:60]}' names no file; "
                "use sqlite:///path/to/claimbot.sqlite3 (relative) or sqlite:////absolute/path"
            )
        raise DatabaseUrlError(f"CLAIMBOT_DATABASE_URL: {url.split(':', 1)[0]}:// is served by the PostgreSQL "
                               "store, not the SQLite one (open the store with knowledge.store.open_store)")
    return match.group(1)


class Store(SharedBases, Quarantine):
    """The claim base's database in SQLite. Thread-safe: any thread may read and write.

    Keeps the `ClaimStore` protocol (knowledge.store); `readable` and the quarantine come
    from `Quarantine`, shared with the PostgreSQL store."""

    def __init__(self, url: str, *, clock: Clock, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        path = sqlite_path(url)
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for the database {path}: {exc.strerror}") from None
            # SQLite opens a device or a FIFO as if it were a database and fails later, on the
            # first write, with "disk I/O error" (or waits on the FIFO): say what it is at once.
            if Path(path).exists() and not Path(path).is_file():
                raise StoreError(f"the database at {path} is not a file (a directory, device or pipe); "
                                 "point CLAIMBOT_DATABASE_URL at a file")
        self.url = url
        self.path = path
        self.clock = clock
        self.busy_timeout = busy_timeout
        # An in-memory database exists once per connection: it has to read through the
        # writer's connection. A file gets one reader connection per thread.
        self._shared = path == ":memory:"
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[_Reader] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._db = self._connect()
        if not self._shared:
            # WAL: readers (this process's threads, other processes) read while one writes.
            self._busy(lambda: self._db.execute("PRAGMA journal_mode = WAL"))
        super().__init__()
        self.migrate()
        self.question_queue = QuestionQueue(self._insert_questions)

    def _connect(self, *, readonly: bool = False) -> sqlite3.Connection:
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction
            # is exactly what `transaction()` (or a read snapshot) spans.
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=self.busy_timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database at {self.path}: {exc}") from None
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        if readonly:
            db.execute("PRAGMA query_only = ON")
        return db

    def close(self) -> None:
        self.question_queue.close()
        with self._write_lock:
            self._closed = True
            self._db.close()
        with self._readers_lock:
            for reader in self._readers:
                with reader.lock:
                    reader.db.close()
            self._readers.clear()

    # --- errors -----------------------------------------------------------------

    def _busy(self, action: Callable[[], T]) -> T:
        """Run one database action; a lock held too long by another process becomes a
        StoreBusyError that says what happened and what to do, never a traceback."""
        try:
            return action()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                raise StoreBusyError(
                    f"the claim base is busy: another claimbot process has held the database {self.path} "
                    f"for more than {self.busy_timeout:g} s; nothing was changed — try again in a moment"
                ) from None
            if "readonly" in text or "read-only" in text:
                raise StoreError(f"the database {self.path} is read-only: check the file's permissions") from None
            raise
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise StoreError(f"{self.path} is not a claimbot database ({exc}); point "
                                 "CLAIMBOT_DATABASE_URL at another file") from None
            raise

    # --- schema ---------------------------------------------------------------

    def schema_version(self) -> int:
        """The newest migration this database has seen (0 for a new database)."""
        with self._reading() as db:
            exists = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
            if not exists:
                return 0
            return int(db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)

    def migrate(self) -> int:
        """Apply the numbered migrations this database has not seen; return the version.

        An up-to-date database is only read: opening one never takes the write lock, so a
        CLI command never waits behind a busy bot just to start."""
        latest = max(version for version, _ in _migrations())
        current = self._busy(self.schema_version)
        if current >= latest:
            return current
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0  # again, inside the lock: another process may have migrated
            for version, sql in _migrations():
                if version > current:
                    db.executescript_in_tx(sql)
                    db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                    current = version
        return current

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception: never half a write."""
        with self._write_lock:
            if self._closed:
                raise closed_error()
            self._busy(lambda: self._db.execute("BEGIN IMMEDIATE"))
            try:
                yield _Tx(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                try:
                    self._busy(lambda: self._db.execute("COMMIT"))
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent read snapshot on this thread's own connection; never waits for writers."""
        if self._shared:
            with self._write_lock:
                yield self._db
            return
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = _Reader(self._connect(readonly=True))
            self._local.reader = reader
            with self._readers_lock:
                if self._closed:
                    reader.db.close()
                    raise closed_error()
                self._readers.append(reader)
        if self._closed:  # this thread's reader was closed with the store: say so, not ProgrammingError
            raise closed_error()
        db = reader.db
        if db.in_transaction:  # nested read: already inside this thread's snapshot
            yield db
            return
        # The reader's lock is held while it is in use, so `close()` (from another thread)
        # never closes a connection in the middle of a query.
        with reader.lock:
            if self._closed:
                raise closed_error()
            self._busy(lambda: db.execute("BEGIN"))
            try:
                yield db
            finally:
                if db.in_transaction:
                    db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        def run() -> list[sqlite3.Row]:
            with self._reading() as db:
                return db.execute(sql, params).fetchall()

        return self._busy(run)

    # --- records --------------------------------------------------------------

    def snapshot(self, community: str) -> tuple[KnowledgeBase, dict[tuple[str, str], Meta], int]:
        """The community's live claim base, its records' metadata, and the history position.

        A record that cannot be read back is quarantined (logged, listed in
        `self.quarantine`) and left out with what hangs below it; the rest is served."""

        def read() -> tuple[list[sqlite3.Row], int]:
            with self._reading() as db:
                rows = db.execute(
                    "SELECT * FROM records WHERE community = ? AND deleted_at IS NULL ORDER BY position",
                    (community,),
                ).fetchall()
                return rows, _last_seq(db, community)

        rows, seq = self._busy(read)
        kb, metas = self.assemble(community, rows, _meta)
        return kb, metas, seq

    def get(self, community: str, kind: str, record_id: str, *, include_deleted: bool = False) -> Stored | None:
        rows = self._read(
            "SELECT * FROM records WHERE community = ? AND kind = ? AND id = ?", (community, kind, record_id)
        )
        if not rows or (rows[0]["deleted_at"] is not None and not include_deleted):
            return None
        row = rows[0]
        record = self.readable(community, kind, row["id"], row["body"])
        return Stored(kind, row["id"], row["parent"], record, _meta(row)) if record is not None else None

    def deleted(self, community: str, kind: str) -> list[Stored]:
        rows = self._read(
            "SELECT * FROM records WHERE community = ? AND kind = ? AND deleted_at IS NOT NULL"
            " ORDER BY deleted_at DESC",
            (community, kind),
        )
        found = []
        for r in rows:
            record = self.readable(community, kind, r["id"], r["body"])
            if record is not None:
                found.append(Stored(kind, r["id"], r["parent"], record, _meta(r)))
        return found

    def write(self, community: str, writes: Sequence[Write], actor: str) -> list[HistoryEntry]:
        """Apply all writes in one transaction; any conflict rolls back every one of them."""
        if not actor:
            raise ValueError("every change needs an actor (who made it)")
        now = _iso(self.clock())
        entries: list[HistoryEntry] = []
        with self.transaction() as db:
            for w in writes:
                entries.append(self._apply(db, community, w, actor, now))
        return entries

    def _apply(self, db: _Tx, community: str, w: Write, actor: str, now: str) -> HistoryEntry:
        row = db.execute(
            "SELECT * FROM records WHERE community = ? AND kind = ? AND id = ?", (community, w.kind, w.id)
        ).fetchone()
        label = f"{w.kind} '{w.id}'"
        if w.action == "create":
            if row is not None:
                hint = " (it was removed: restore it instead)" if row["deleted_at"] else ""
                raise ConflictError(f"{label} already exists{hint}")
            assert w.record is not None
            body = faithful_body(w)
            position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM records WHERE community = ?",
                                  (community,)).fetchone()[0]
            db.execute(
                "INSERT INTO records (community, kind, id, parent, body, position, version, created_at, created_by,"
                " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                (community, w.kind, w.id, w.parent, body, position, now, actor, now, actor),
            )
            return self._log(db, community, w, actor, now, 1, None, record_state(w.parent, body))

        if row is None:
            raise NotFoundError(f"{label} does not exist")
        if w.expected_version is None:
            raise ValueError(f"{w.action} of {label} needs the version the writer loaded")
        if row["version"] != w.expected_version:
            raise ConflictError(
                conflict_message(label, row["updated_by"], _dt(row["updated_at"]), w.expected_version, row["version"])
            )
        before: str | None = record_state(row["parent"], row["body"])
        version = row["version"] + 1
        if w.action == "update":
            assert w.record is not None
            if row["deleted_at"] is not None:
                raise NotFoundError(f"{label} was removed; restore it before editing")
            body, parent = faithful_body(w), w.parent
            after = record_state(parent, body)
            db.execute(
                "UPDATE records SET body = ?, parent = ?, version = ?, updated_at = ?, updated_by = ?"
                " WHERE community = ? AND kind = ? AND id = ? AND version = ?",
                (body, parent, version, now, actor, community, w.kind, w.id, w.expected_version),
            )
        elif w.action == "delete":
            if row["deleted_at"] is not None:
                raise NotFoundError(f"{label} is already removed")
            after = None
            db.execute(
                "UPDATE records SET deleted_at = ?, version = ?, updated_at = ?, updated_by = ?"
                " WHERE community = ? AND kind = ? AND id = ? AND version = ?",
                (now, version, now, actor, community, w.kind, w.id, w.expected_version),
            )
        else:  # restore
            if row["deleted_at"] is None:
                raise ConflictError(f"{label} is not removed")
            after, before = before, None
            db.execute(
                "UPDATE records SET deleted_at = NULL, version = ?, updated_at = ?, updated_by = ?"
                " WHERE community = ? AND kind = ? AND id = ? AND version = ?",
                (version, now, actor, community, w.kind, w.id, w.expected_version),
            )
        return self._log(db, community, w, actor, now, version, before, after)

    def _log(self, db: _Tx, community: str, w: Write, actor: str, now: str, version: int,
             before: str | None, after: str | None) -> HistoryEntry:
        cur = db.execute(
            "INSERT INTO history (community, kind, record_id, action, actor, at, version, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (community, w.kind, w.id, w.action, actor, now, version, before, after),
        )
        return HistoryEntry(int(cur.lastrowid or 0), w.kind, w.id, w.action, actor, _dt(now), version,
                            json_or_none(before), json_or_none(after))

    # --- history --------------------------------------------------------------

    def history(
        self,
        community: str,
        *,
        kind: str | None = None,
        record_id: str | None = None,
        after_seq: int = 0,
        since: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[HistoryEntry]:
        sql = "SELECT * FROM history WHERE community = ? AND seq > ?"
        params: list[Any] = [community, after_seq]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        if record_id is not None:
            sql += " AND record_id = ?"
            params.append(record_id)
        if since is not None:
            sql += " AND at >= ?"
            params.append(_iso(since))
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            HistoryEntry(r["seq"], r["kind"], r["record_id"], r["action"], r["actor"], _dt(r["at"]), r["version"],
                         json_or_none(r["before"]), json_or_none(r["after"]))
            for r in self._read(sql, params)
        ]

    def last_seq(self, community: str) -> int:
        def read() -> int:
            with self._reading() as db:
                return _last_seq(db, community)

        return self._busy(read)

    # --- questions ------------------------------------------------------------

    def record_question(self, community: str, question: str, *, channel: str | None, topic_id: str | None,
                        answered: bool) -> None:
        """Queue a question for the moderators' statistics; written in the next batch, so an
        asking member never waits for the write lock."""
        self.question_queue.put((community, self.clock(), question, channel, topic_id, answered))

    def flush_questions(self) -> int:
        """Write the queued questions now; return how many were written."""
        return self.question_queue.flush()

    def _insert_questions(self, rows: Sequence[QuestionRow]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO questions (community, asked_at, question, channel, topic_id, answered)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(c, _iso(at), q, ch, t, int(a)) for c, at, q, ch, t, a in rows],
            )

    def questions(self, community: str, *, since: datetime | None = None,
                  answered: bool | None = None) -> list[AskedQuestion]:
        self.question_queue.flush(quiet=True)  # this process's own recent questions count too
        sql = "SELECT * FROM questions WHERE community = ?"
        params: list[Any] = [community]
        if since is not None:
            sql += " AND asked_at >= ?"
            params.append(_iso(since))
        if answered is not None:
            sql += " AND answered = ?"
            params.append(int(answered))
        return [
            AskedQuestion(r["question"], _dt(r["asked_at"]), r["channel"], r["topic_id"], bool(r["answered"]))
            for r in self._read(sql + " ORDER BY seq", params)
        ]

    def forget_questions(self, community: str | None, before: datetime) -> int:
        """Drop questions older than `before` (the retention setting), and candidate phrasings
        last picked before then; all communities when None."""
        self.question_queue.flush(quiet=True)
        with self.transaction() as db:
            if community is None:
                cur = db.execute("DELETE FROM questions WHERE asked_at < ?", (_iso(before),))
                db.execute("DELETE FROM candidate_phrasings WHERE last_at < ?", (_iso(before),))
            else:
                cur = db.execute("DELETE FROM questions WHERE community = ? AND asked_at < ?",
                                 (community, _iso(before)))
                db.execute("DELETE FROM candidate_phrasings WHERE community = ? AND last_at < ?",
                           (community, _iso(before)))
            return cur.rowcount

    # --- candidate phrasings --------------------------------------------------

    def record_candidate(self, community: str, topic_id: str, question: str) -> None:
        now = _iso(self.clock())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO candidate_phrasings (community, topic_id, question, first_at, last_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (community, topic_id, question)"
                " DO UPDATE SET picks = picks + 1, last_at = excluded.last_at",
                (community, topic_id, question, now, now),
            )

    def candidates(self, community: str, *, since: datetime) -> list[CandidatePhrasing]:
        """Picked phrasings since `since`, most picked first."""
        rows = self._read(
            "SELECT topic_id, question, picks, last_at FROM candidate_phrasings"
            " WHERE community = ? AND last_at >= ? ORDER BY picks DESC, last_at DESC",
            (community, _iso(since)),
        )
        return [CandidatePhrasing(r["topic_id"], r["question"], int(r["picks"]), _dt(r["last_at"])) for r in rows]

    def forget_candidate(self, community: str, topic_id: str, question: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM candidate_phrasings WHERE community = ? AND topic_id = ? AND question = ?",
                       (community, topic_id, question))

    # --- posted answers -------------------------------------------------------

    def remember_posted_answer(self, community: str, ref: str, topic_id: str, language: str = "en") -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO posted_answers (community, ref, topic_id, posted_at, language) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (community, ref) DO UPDATE SET topic_id = excluded.topic_id,"
                " posted_at = excluded.posted_at, language = excluded.language",
                (community, ref, topic_id, _iso(self.clock()), language),
            )

    def posted_answers(self, community: str, topic_id: str, *, since: datetime) -> list[tuple[str, str]]:
        """(ref, language) of the answers about `topic_id` posted since `since`, oldest first."""
        rows = self._read(
            "SELECT ref, language FROM posted_answers WHERE community = ? AND topic_id = ? AND posted_at >= ?"
            " ORDER BY posted_at",
            (community, topic_id, _iso(since)),
        )
        return [(r["ref"], r["language"]) for r in rows]

    def forget_posted_answer(self, community: str, ref: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM posted_answers WHERE community = ? AND ref = ?", (community, ref))

    # --- digests --------------------------------------------------------------

    def set_digest(self, community: str, *, channel: str, cadence: str, at_time: str, timezone: str,
                   weekday: int | None, post_when_empty: bool) -> None:
        now = _iso(self.clock())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO digests (community, channel, cadence, at_time, timezone, weekday, post_when_empty,"
                " created_at, schedule_set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (community) DO UPDATE"
                " SET channel = excluded.channel, cadence = excluded.cadence, at_time = excluded.at_time,"
                " timezone = excluded.timezone, weekday = excluded.weekday,"
                " post_when_empty = excluded.post_when_empty,"
                # A new channel or empty-digest choice is not a new schedule: only a changed
                # cadence, time, zone or weekday moves the moment slots count from.
                " schedule_set_at = CASE WHEN digests.cadence IS excluded.cadence"
                " AND digests.at_time IS excluded.at_time AND digests.timezone IS excluded.timezone"
                " AND digests.weekday IS excluded.weekday"
                " THEN digests.schedule_set_at ELSE excluded.schedule_set_at END",
                (community, channel, cadence, at_time, timezone, weekday, int(post_when_empty), now, now),
            )

    def digest(self, community: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM digests WHERE community = ?", (community,))
        return _digest_row(rows[0]) if rows else None

    def digests(self) -> list[dict[str, Any]]:
        return [_digest_row(r) for r in self._read("SELECT * FROM digests ORDER BY community")]

    def delete_digest(self, community: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM digests WHERE community = ?", (community,)).rowcount > 0

    def claim_digest_slot(self, community: str, slot: datetime, previous: datetime | None,
                          covered_until: datetime) -> bool:
        """Mark `slot` as posted, its digest covering changes up to `covered_until`, if nobody
        has since `previous`; False means someone else did."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE digests SET last_slot = ?, covered_until = ? WHERE community = ? AND last_slot IS ?",
                (_iso(slot), _iso(covered_until), community, _iso(previous) if previous else None),
            )
            return cur.rowcount == 1

    def cover_digest(self, community: str, until: datetime, previous: datetime | None) -> bool:
        """Record an unscheduled digest (`/digest now`) covering changes up to `until`, if no
        other digest went out since `previous`; the next digest starts there."""
        with self.transaction() as db:
            cur = db.execute("UPDATE digests SET covered_until = ? WHERE community = ? AND covered_until IS ?",
                             (_iso(until), community, _iso(previous) if previous else None))
            return cur.rowcount == 1

    # --- channels -------------------------------------------------------------

    # --- shared bases (the rows: knowledge.store.SharedBases) -------------------

    def _stamp(self, moment: datetime) -> str:
        return _iso(moment)

    def _moment(self, value: Any) -> datetime:
        return _dt(value)

    # --- channels ---------------------------------------------------------------

    def channel_settings(self, community: str, channel: str) -> ChannelSettings:
        rows = self._read("SELECT channel, auto_answer, event_id, language FROM channels"
                          " WHERE community = ? AND channel IN (?, ?)", (community, channel, SERVER_WIDE))
        own = next((r for r in rows if r["channel"] == channel and channel != SERVER_WIDE), None)
        server = next((r for r in rows if r["channel"] == SERVER_WIDE), None)
        return ChannelSettings(
            auto_answer=bool(own["auto_answer"]) if own else False,
            event_id=own["event_id"] if own else None,
            language=own["language"] if own else None,
            server_language=server["language"] if server else None,
        )

    def set_channel_language(self, community: str, channel: str, language: str | None) -> None:
        """The language of a channel (or, for channel SERVER_WIDE, of the whole server);
        None goes back to following the members' own language."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO channels (community, channel, language) VALUES (?, ?, ?)"
                " ON CONFLICT (community, channel) DO UPDATE SET language = excluded.language",
                (community, channel, language),
            )

    def set_auto_answer(self, community: str, channel: str, enabled: bool) -> None:
        """Switch auto-answer in one statement: a concurrent `set_channel_event` is never undone."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO channels (community, channel, auto_answer) VALUES (?, ?, ?)"
                " ON CONFLICT (community, channel) DO UPDATE SET auto_answer = excluded.auto_answer",
                (community, channel, int(enabled)),
            )

    def set_channel_event(self, community: str, channel: str, event_id: str | None) -> None:
        """Tie a channel to an event (None unties it), leaving its auto-answer as it is."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO channels (community, channel, event_id) VALUES (?, ?, ?)"
                " ON CONFLICT (community, channel) DO UPDATE SET event_id = excluded.event_id",
                (community, channel, event_id),
            )


@dataclass
class _Reader:
    """One thread's read connection, and the lock held while it is in use."""

    db: sqlite3.Connection
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Tx:
    """The connection as seen inside a transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self._db.executemany(sql, rows)

    def executescript_in_tx(self, script: str) -> None:
        # sqlite3.executescript() would COMMIT first; run statement by statement instead
        # so a failing migration rolls back whole.
        for statement in _split_sql(script):
            self._db.execute(statement)


def _split_sql(script: str) -> list[str]:
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def _last_seq(db: sqlite3.Connection, community: str) -> int:
    row = db.execute("SELECT MAX(seq) FROM history WHERE community = ?", (community,)).fetchone()
    return int(row[0] or 0)


def _meta(row: sqlite3.Row) -> Meta:
    return Meta(
        version=row["version"],
        created_at=_dt(row["created_at"]),
        created_by=row["created_by"],
        updated_at=_dt(row["updated_at"]),
        updated_by=row["updated_by"],
        deleted_at=_dt(row["deleted_at"]) if row["deleted_at"] else None,
    )


def _digest_row(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["created_at"] = _dt(data["created_at"])
    for name in ("last_slot", "covered_until", "schedule_set_at"):
        data[name] = _dt(data[name]) if data[name] else None
    data["post_when_empty"] = bool(data["post_when_empty"])
    return data


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _migrations() -> list[tuple[int, str]]:
    """SQLite's migrations: knowledge/migrations/V<n>__name.sql."""
    return migration_files("knowledge.migrations")


def _iso(moment: datetime) -> str:
    return iso(moment)
