"""The claim base on PostgreSQL: several claimbot processes on one database.

The same `ClaimStore` contract as the SQLite store (knowledge.storage), kept with
psycopg 3 and a connection pool. What differs, and why:

- **History order.** A `seq` comes from an identity sequence, and sequence values are
  handed out before commit: two transactions can commit in the opposite order of their
  numbers, so a process following `history(after_seq=N)` could read N+2, move on, and
  never see N+1. Every record write therefore takes a per-community transaction-level
  advisory lock first (`pg_advisory_xact_lock(namespace, hashtext(community))`): writes
  to one community run one after another, each draws its numbers and commits before the
  next starts, so a community's seq order is its commit order. Different communities
  never wait for each other (but for a rare hash collision, which only serialises them).
  The lock also makes the read-check-write of versions and positions safe under READ
  COMMITTED, as BEGIN IMMEDIATE does on SQLite.
- **Busy.** `lock_timeout` is the busy timeout: a write that waits longer for a lock
  (the community's, or a row's) fails with `StoreBusyError` and changes nothing, as on
  SQLite. A pool with no free connection within the timeout says the same.
- **Reads** run on any pooled connection; a snapshot reads its rows and history position
  in one REPEATABLE READ transaction, so they agree.
- **Digest slots** are claimed with the same compare-and-set UPDATE: under READ COMMITTED
  the second of two racing updates re-checks its WHERE against the first's result and
  matches nothing, so a slot is claimed once across all processes.
- **Timestamps** are `timestamptz` (UTC on every connection), booleans are `boolean`;
  record bodies and history states stay JSON text, byte for byte what was written.

Migrations live in knowledge/migrations/postgresql/V<n>__name.sql, numbered as SQLite's
and meaning the same; they run once, under a database-wide advisory lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import psycopg_pool
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row

from .base import KnowledgeBase
from .clock import Clock
from .models import Meta
from .store import (
    BUSY_TIMEOUT_SECONDS,
    SERVER_WIDE,
    AskedQuestion,
    CandidatePhrasing,
    ChannelSettings,
    ConflictError,
    DatabaseUrlError,
    HistoryEntry,
    NotFoundError,
    Quarantine,
    QuestionQueue,
    QuestionRow,
    SharedBases,
    StoreBusyError,
    Stored,
    StoreError,
    Write,
    closed_error,
    conflict_message,
    engine_of,
    faithful_body,
    json_or_none,
    migration_files,
    record_state,
)

Connection = psycopg.Connection[DictRow]

# The first key of every advisory lock claimbot takes (an arbitrary constant, "cb" in
# ASCII), so its locks cannot collide with another application's on the same database.
LOCK_NAMESPACE = 0x6362
MIGRATION_LOCK = 0  # second key of the migration lock (community locks use hashtext)
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable server is reported after this long, not hung on
POOL_SIZE = 10  # connections per process: the bot's event loop, its worker threads, the question writer


def postgres_target(url: str) -> str:
    """Where a postgresql:// URL points, for messages: "database 'db' on host:port as user"
    (never the password). A URL libpq cannot parse raises DatabaseUrlError."""
    if engine_of(url) != "postgresql":
        raise DatabaseUrlError("CLAIMBOT_DATABASE_URL: not a postgresql:// URL")
    try:
        parts = conninfo_to_dict(url.strip())
    except psycopg.Error as exc:
        raise DatabaseUrlError(f"CLAIMBOT_DATABASE_URL: cannot read the PostgreSQL URL ({_one_line(exc)}); "
                               "use postgresql://user@host:5432/dbname") from None
    host = str(parts.get("host") or "localhost (default socket)")
    port = str(parts.get("port") or "5432")
    where = host if host.startswith("/") else f"{host}:{port}"
    user = parts.get("user")
    return f"database '{parts.get('dbname') or user or 'default'}' on {where}" + (f" as {user}" if user else "")


def _one_line(exc: BaseException) -> str:
    """libpq's message, on one line: the part after the last "failed:" says what went wrong."""
    text = " ".join(str(exc).split())
    return text.rsplit("failed: ", 1)[-1].replace("FATAL: ", "").strip() or type(exc).__name__


class PostgresStore(SharedBases, Quarantine):
    """The claim base's database in PostgreSQL. Thread-safe: any thread may read and write."""

    def __init__(self, url: str, *, clock: Clock, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        super().__init__()
        self.url = url
        self.target = postgres_target(url)
        self.clock = clock
        self.busy_timeout = busy_timeout
        self._closed = False
        self._close_lock = threading.Lock()
        # One direct connection first: the pool would only say "timed out" where libpq
        # says why (refused, no such database, wrong password), and that is the message.
        try:
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS).close()
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to the PostgreSQL {self.target}: {_one_line(exc)} — check that the server is "
                "running and reachable, and CLAIMBOT_DATABASE_URL's host, port, user, password and database name"
            ) from None
        self._pool: psycopg_pool.ConnectionPool[Connection] = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=POOL_SIZE, open=False, timeout=busy_timeout, name="claimbot",
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
            configure=self._configure, connection_class=psycopg.Connection[DictRow],
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS * 2)
        except psycopg_pool.PoolTimeout:
            raise StoreError(f"cannot open connections to the PostgreSQL {self.target} — check the server's "
                             "max_connections and CLAIMBOT_DATABASE_URL") from None
        try:
            self.migrate()
        except BaseException:
            self._pool.close()
            raise
        self.question_queue = QuestionQueue(self._insert_questions)

    def _configure(self, conn: Connection) -> None:
        # Every session in UTC (timestamps read back as UTC, as SQLite's ISO strings were),
        # and a lock wait longer than the busy timeout fails instead of hanging.
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute(f"SET lock_timeout = {int(self.busy_timeout * 1000)}")

    def close(self) -> None:
        self.question_queue.close()
        with self._close_lock:
            self._closed = True
        self._pool.close()

    # --- connections and errors ---------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A pooled connection (autocommit); psycopg's errors become StoreErrors that say
        what happened and what to do, never a traceback."""
        if self._closed:
            raise closed_error()
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg_pool.PoolClosed, psycopg_pool.PoolTimeout) as exc:
            if self._closed or isinstance(exc, psycopg_pool.PoolClosed):
                raise closed_error() from None
            raise StoreBusyError(
                f"the claim base is busy: all {POOL_SIZE} connections to the PostgreSQL {self.target} stayed in use "
                f"for more than {self.busy_timeout:g} s; nothing was changed — try again in a moment") from None
        except (pg_errors.LockNotAvailable, pg_errors.DeadlockDetected, pg_errors.QueryCanceled):
            raise StoreBusyError(
                f"the claim base is busy: another claimbot process has held a lock in the PostgreSQL {self.target} "
                f"for more than {self.busy_timeout:g} s; nothing was changed — try again in a moment") from None
        except (pg_errors.InsufficientPrivilege, pg_errors.ReadOnlySqlTransaction) as exc:
            raise StoreError(f"the PostgreSQL {self.target} refused a change ({_one_line(exc)}): check the "
                             "user's privileges") from None
        except psycopg.OperationalError as exc:
            if self._closed:
                raise closed_error() from None
            raise StoreError(f"lost the connection to the PostgreSQL {self.target} ({_one_line(exc)}); nothing "
                             "was changed — check that the server is running, then try again") from None

    @contextmanager
    def transaction(self, community: str | None = None) -> Iterator[Connection]:
        """One transaction, COMMIT or ROLLBACK on any exception. With `community`, the
        community's write lock is taken first: see the module's docstring."""
        with self._connection() as conn, conn.transaction():
            if community is not None:
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, community))
            yield conn

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read-only transaction whose statements all see the same moment."""
        with self._connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[DictRow]:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()

    # --- schema ---------------------------------------------------------------

    def schema_version(self) -> int:
        with self._connection() as conn:
            return _schema_version(conn)

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; an up-to-date one is only read."""
        latest = max(version for version, _ in _migrations())
        if self.schema_version() >= latest:
            return latest
        with self._connection() as conn, conn.transaction():
            # One process migrates; another waits here, then finds nothing left to do.
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, MIGRATION_LOCK))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = _schema_version(conn)
            for version, sql in _migrations():
                if version > current:
                    conn.execute(sql.encode())  # a whole script: no parameters, so several statements
                    conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
                    current = version
            return current

    # --- records --------------------------------------------------------------

    def snapshot(self, community: str) -> tuple[KnowledgeBase, dict[tuple[str, str], Meta], int]:
        with self._snapshot() as conn:
            rows = conn.execute("SELECT * FROM records WHERE community = %s AND deleted_at IS NULL ORDER BY position",
                                (community,)).fetchall()
            seq = _last_seq(conn, community)
        kb, metas = self.assemble(community, rows, _meta)
        return kb, metas, seq

    def get(self, community: str, kind: str, record_id: str, *, include_deleted: bool = False) -> Stored | None:
        rows = self._read("SELECT * FROM records WHERE community = %s AND kind = %s AND id = %s",
                          (community, kind, record_id))
        if not rows or (rows[0]["deleted_at"] is not None and not include_deleted):
            return None
        row = rows[0]
        record = self.readable(community, kind, row["id"], row["body"])
        return Stored(kind, row["id"], row["parent"], record, _meta(row)) if record is not None else None

    def deleted(self, community: str, kind: str) -> list[Stored]:
        rows = self._read("SELECT * FROM records WHERE community = %s AND kind = %s AND deleted_at IS NOT NULL"
                          " ORDER BY deleted_at DESC", (community, kind))
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
        now = self.clock().astimezone(UTC)
        with self.transaction(community) as conn:
            return [self._apply(conn, community, w, actor, now) for w in writes]

    def _apply(self, conn: Connection, community: str, w: Write, actor: str, now: datetime) -> HistoryEntry:
        row = conn.execute("SELECT * FROM records WHERE community = %s AND kind = %s AND id = %s",
                           (community, w.kind, w.id)).fetchone()
        label = f"{w.kind} '{w.id}'"
        if w.action == "create":
            if row is not None:
                hint = " (it was removed: restore it instead)" if row["deleted_at"] else ""
                raise ConflictError(f"{label} already exists{hint}")
            body = faithful_body(w)
            conn.execute(
                "INSERT INTO records (community, kind, id, parent, body, position, version, created_at, created_by,"
                " updated_at, updated_by) VALUES (%s, %s, %s, %s, %s,"
                " (SELECT COALESCE(MAX(position), 0) + 1 FROM records WHERE community = %s), 1, %s, %s, %s, %s)",
                (community, w.kind, w.id, w.parent, body, community, now, actor, now, actor),
            )
            return self._log(conn, community, w, actor, now, 1, None, record_state(w.parent, body))

        if row is None:
            raise NotFoundError(f"{label} does not exist")
        if w.expected_version is None:
            raise ValueError(f"{w.action} of {label} needs the version the writer loaded")
        if row["version"] != w.expected_version:
            raise ConflictError(conflict_message(label, row["updated_by"], row["updated_at"], w.expected_version,
                                                 row["version"]))
        before: str | None = record_state(row["parent"], row["body"])
        version = row["version"] + 1
        key = (community, w.kind, w.id, w.expected_version)
        if w.action == "update":
            if row["deleted_at"] is not None:
                raise NotFoundError(f"{label} was removed; restore it before editing")
            body, parent = faithful_body(w), w.parent
            after: str | None = record_state(parent, body)
            conn.execute("UPDATE records SET body = %s, parent = %s, version = %s, updated_at = %s, updated_by = %s"
                         " WHERE community = %s AND kind = %s AND id = %s AND version = %s",
                         (body, parent, version, now, actor, *key))
        elif w.action == "delete":
            if row["deleted_at"] is not None:
                raise NotFoundError(f"{label} is already removed")
            after = None
            conn.execute("UPDATE records SET deleted_at = %s, version = %s, updated_at = %s, updated_by = %s"
                         " WHERE community = %s AND kind = %s AND id = %s AND version = %s",
                         (now, version, now, actor, *key))
        else:  # restore
            if row["deleted_at"] is None:
                raise ConflictError(f"{label} is not removed")
            after, before = before, None
            conn.execute("UPDATE records SET deleted_at = NULL, version = %s, updated_at = %s, updated_by = %s"
                         " WHERE community = %s AND kind = %s AND id = %s AND version = %s",
                         (version, now, actor, *key))
        return self._log(conn, community, w, actor, now, version, before, after)

    def _log(self, conn: Connection, community: str, w: Write, actor: str, now: datetime, version: int,
             before: str | None, after: str | None) -> HistoryEntry:
        row = conn.execute(
            "INSERT INTO history (community, kind, record_id, action, actor, at, version, before, after)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING seq",
            (community, w.kind, w.id, w.action, actor, now, version, before, after),
        ).fetchone()
        assert row is not None
        return HistoryEntry(int(row["seq"]), w.kind, w.id, w.action, actor, now, version,
                            json_or_none(before), json_or_none(after))

    # --- history --------------------------------------------------------------

    def history(self, community: str, *, kind: str | None = None, record_id: str | None = None,
                after_seq: int = 0, since: datetime | None = None, limit: int | None = None,
                newest_first: bool = False) -> list[HistoryEntry]:
        sql = "SELECT * FROM history WHERE community = %s AND seq > %s"
        params: list[Any] = [community, after_seq]
        if kind is not None:
            sql += " AND kind = %s"
            params.append(kind)
        if record_id is not None:
            sql += " AND record_id = %s"
            params.append(record_id)
        if since is not None:
            sql += " AND at >= %s"
            params.append(_aware(since))
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return [HistoryEntry(int(r["seq"]), r["kind"], r["record_id"], r["action"], r["actor"], _utc(r["at"]),
                             r["version"], json_or_none(r["before"]), json_or_none(r["after"]))
                for r in self._read(sql, params)]

    def last_seq(self, community: str) -> int:
        with self._connection() as conn:
            return _last_seq(conn, community)

    # --- questions ------------------------------------------------------------

    def record_question(self, community: str, question: str, *, channel: str | None, topic_id: str | None,
                        answered: bool) -> None:
        """Queue a question; written in the next batch, so an asking member never waits."""
        self.question_queue.put((community, self.clock(), question, channel, topic_id, answered))

    def flush_questions(self) -> int:
        return self.question_queue.flush()

    def _insert_questions(self, rows: Sequence[QuestionRow]) -> None:
        with self.transaction() as conn, conn.cursor() as cur:
            cur.executemany("INSERT INTO questions (community, asked_at, question, channel, topic_id, answered)"
                            " VALUES (%s, %s, %s, %s, %s, %s)", rows)

    def questions(self, community: str, *, since: datetime | None = None,
                  answered: bool | None = None) -> list[AskedQuestion]:
        self.question_queue.flush(quiet=True)  # this process's own recent questions count too
        sql = "SELECT * FROM questions WHERE community = %s"
        params: list[Any] = [community]
        if since is not None:
            sql += " AND asked_at >= %s"
            params.append(_aware(since))
        if answered is not None:
            sql += " AND answered = %s"
            params.append(answered)
        return [AskedQuestion(r["question"], _utc(r["asked_at"]), r["channel"], r["topic_id"], r["answered"])
                for r in self._read(sql + " ORDER BY seq", params)]

    def forget_questions(self, community: str | None, before: datetime) -> int:
        self.question_queue.flush(quiet=True)
        moment = _aware(before)
        with self.transaction() as conn:
            if community is None:
                cur = conn.execute("DELETE FROM questions WHERE asked_at < %s", (moment,))
                conn.execute("DELETE FROM candidate_phrasings WHERE last_at < %s", (moment,))
            else:
                cur = conn.execute("DELETE FROM questions WHERE community = %s AND asked_at < %s", (community, moment))
                conn.execute("DELETE FROM candidate_phrasings WHERE community = %s AND last_at < %s",
                             (community, moment))
            return cur.rowcount

    # --- candidate phrasings --------------------------------------------------

    def record_candidate(self, community: str, topic_id: str, question: str) -> None:
        now = self.clock()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO candidate_phrasings (community, topic_id, question, first_at, last_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (community, topic_id, question)"
                " DO UPDATE SET picks = candidate_phrasings.picks + 1, last_at = excluded.last_at",
                (community, topic_id, question, now, now),
            )

    def candidates(self, community: str, *, since: datetime) -> list[CandidatePhrasing]:
        rows = self._read("SELECT topic_id, question, picks, last_at FROM candidate_phrasings"
                          " WHERE community = %s AND last_at >= %s ORDER BY picks DESC, last_at DESC",
                          (community, _aware(since)))
        return [CandidatePhrasing(r["topic_id"], r["question"], int(r["picks"]), _utc(r["last_at"])) for r in rows]

    def forget_candidate(self, community: str, topic_id: str, question: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM candidate_phrasings WHERE community = %s AND topic_id = %s AND question = %s",
                         (community, topic_id, question))

    # --- posted answers -------------------------------------------------------

    def remember_posted_answer(self, community: str, ref: str, topic_id: str, language: str = "en") -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO posted_answers (community, ref, topic_id, posted_at, language) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (community, ref) DO UPDATE SET topic_id = excluded.topic_id,"
                " posted_at = excluded.posted_at, language = excluded.language",
                (community, ref, topic_id, self.clock(), language),
            )

    def posted_answers(self, community: str, topic_id: str, *, since: datetime) -> list[tuple[str, str]]:
        rows = self._read("SELECT ref, language FROM posted_answers WHERE community = %s AND topic_id = %s"
                          " AND posted_at >= %s ORDER BY posted_at", (community, topic_id, _aware(since)))
        return [(r["ref"], r["language"]) for r in rows]

    def forget_posted_answer(self, community: str, ref: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM posted_answers WHERE community = %s AND ref = %s", (community, ref))

    # --- digests --------------------------------------------------------------

    def set_digest(self, community: str, *, channel: str, cadence: str, at_time: str, timezone: str,
                   weekday: int | None, post_when_empty: bool) -> None:
        now = self.clock()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO digests (community, channel, cadence, at_time, timezone, weekday, post_when_empty,"
                " created_at, schedule_set_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (community) DO UPDATE"
                " SET channel = excluded.channel, cadence = excluded.cadence, at_time = excluded.at_time,"
                " timezone = excluded.timezone, weekday = excluded.weekday,"
                " post_when_empty = excluded.post_when_empty,"
                # As on SQLite: only a changed cadence, time, zone or weekday is a new schedule.
                " schedule_set_at = CASE WHEN digests.cadence IS NOT DISTINCT FROM excluded.cadence"
                " AND digests.at_time IS NOT DISTINCT FROM excluded.at_time"
                " AND digests.timezone IS NOT DISTINCT FROM excluded.timezone"
                " AND digests.weekday IS NOT DISTINCT FROM excluded.weekday"
                " THEN digests.schedule_set_at ELSE excluded.schedule_set_at END",
                (community, channel, cadence, at_time, timezone, weekday, post_when_empty, now, now),
            )

    def digest(self, community: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM digests WHERE community = %s", (community,))
        return _digest_row(rows[0]) if rows else None

    def digests(self) -> list[dict[str, Any]]:
        return [_digest_row(r) for r in self._read("SELECT * FROM digests ORDER BY community")]

    def delete_digest(self, community: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM digests WHERE community = %s", (community,)).rowcount > 0

    def claim_digest_slot(self, community: str, slot: datetime, previous: datetime | None,
                          covered_until: datetime) -> bool:
        """Mark `slot` as posted if nobody has since `previous` (compare-and-set); False
        means another process did."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE digests SET last_slot = %s, covered_until = %s"
                " WHERE community = %s AND last_slot IS NOT DISTINCT FROM %s::timestamptz",
                (_aware(slot), _aware(covered_until), community, _aware(previous) if previous else None),
            )
            return cur.rowcount == 1

    def cover_digest(self, community: str, until: datetime, previous: datetime | None) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE digests SET covered_until = %s"
                " WHERE community = %s AND covered_until IS NOT DISTINCT FROM %s::timestamptz",
                (_aware(until), community, _aware(previous) if previous else None),
            )
            return cur.rowcount == 1

    # --- shared bases (the rows: knowledge.store.SharedBases) -------------------

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")  # the shared SQL has no literal question marks

    def _stamp(self, moment: datetime) -> datetime:
        return _aware(moment)

    def _moment(self, value: Any) -> datetime:
        return _utc(value)

    # --- channels -------------------------------------------------------------

    def channel_settings(self, community: str, channel: str) -> ChannelSettings:
        rows = self._read("SELECT channel, auto_answer, event_id, language FROM channels"
                          " WHERE community = %s AND channel IN (%s, %s)", (community, channel, SERVER_WIDE))
        own = next((r for r in rows if r["channel"] == channel and channel != SERVER_WIDE), None)
        server = next((r for r in rows if r["channel"] == SERVER_WIDE), None)
        return ChannelSettings(
            auto_answer=bool(own["auto_answer"]) if own else False,
            event_id=own["event_id"] if own else None,
            language=own["language"] if own else None,
            server_language=server["language"] if server else None,
        )

    def _set_channel(self, community: str, channel: str, column: str, value: object) -> None:
        # One upsert of one column: a concurrent change to another column is never undone.
        assert column in ("auto_answer", "event_id", "language")
        with self.transaction() as conn:
            conn.execute(
                f"INSERT INTO channels (community, channel, {column}) VALUES (%s, %s, %s)"  # noqa: S608 - fixed names
                f" ON CONFLICT (community, channel) DO UPDATE SET {column} = excluded.{column}",
                (community, channel, value),
            )

    def set_channel_language(self, community: str, channel: str, language: str | None) -> None:
        self._set_channel(community, channel, "language", language)

    def set_auto_answer(self, community: str, channel: str, enabled: bool) -> None:
        self._set_channel(community, channel, "auto_answer", enabled)

    def set_channel_event(self, community: str, channel: str, event_id: str | None) -> None:
        self._set_channel(community, channel, "event_id", event_id)


def _migrations() -> list[tuple[int, str]]:
    return migration_files("knowledge.migrations", "postgresql")


def _schema_version(conn: Connection) -> int:
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL AS present").fetchone()
    if not row or not row["present"]:
        return 0
    found = conn.execute("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version").fetchone()
    return int(found["v"]) if found else 0


def _last_seq(conn: Connection, community: str) -> int:
    row = conn.execute("SELECT COALESCE(MAX(seq), 0) AS seq FROM history WHERE community = %s",
                       (community,)).fetchone()
    return int(row["seq"]) if row else 0


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _meta(row: DictRow) -> Meta:
    return Meta(
        version=row["version"],
        created_at=_utc(row["created_at"]),
        created_by=row["created_by"],
        updated_at=_utc(row["updated_at"]),
        updated_by=row["updated_by"],
        deleted_at=_utc(row["deleted_at"]) if row["deleted_at"] else None,
    )


def _digest_row(row: DictRow) -> dict[str, Any]:
    data = dict(row)
    for name in ("created_at", "last_slot", "covered_until", "schedule_set_at"):
        data[name] = _utc(data[name]) if data[name] else None
    data["post_when_empty"] = bool(data["post_when_empty"])
    return data

