"""The database behind the claim base. All SQL lives here.

SQLite (standard library) is the embedded default. Every write runs in one
transaction; every record write appends to the history; updates are version-checked
so two writers never silently overwrite each other; every query is scoped to one
community, so one server never sees another's data.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .base import KnowledgeBase
from .models import MODEL_OF_KIND, Meta, Model

Action = Literal["create", "update", "delete", "restore"]
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoreError(Exception):
    """A store problem worth telling the user about; the message says what to do."""


class ConflictError(StoreError):
    """Somebody else changed the record since the writer loaded it."""


class NotFoundError(StoreError):
    pass


class DatabaseUrlError(StoreError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Write:
    """One record write inside a transaction."""

    kind: str
    id: str
    action: Action
    record: Model | None = None  # the new content (create/update)
    parent: str | None = None
    expected_version: int | None = None  # required for update/delete/restore


@dataclass(frozen=True, slots=True)
class Stored:
    kind: str
    id: str
    parent: str | None
    record: Model
    meta: Meta


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    seq: int
    kind: str
    record_id: str
    action: Action
    actor: str
    at: datetime
    version: int
    before: dict[str, Any] | None  # {"parent": ..., "body": {...}}
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    question: str
    asked_at: datetime
    channel: str | None
    topic_id: str | None
    answered: bool


def sqlite_path(url: str) -> str:
    """The file a `sqlite:///path` URL names (relative), `sqlite:////abs/path` (absolute)."""
    match = re.fullmatch(r"sqlite:///(.+)", url.strip())
    if not match:
        scheme = url.split(":", 1)[0] if ":" in url else url
        raise DatabaseUrlError(
            f"CLAIMBOT_DATABASE_URL: unsupported database URL '{scheme}:…'; "
            "use sqlite:///path/to/claimbot.sqlite3 (relative) or sqlite:////absolute/path"
        )
    return match.group(1)


class Store:
    """The claim base's database. Thread-safe; one connection guarded by a lock."""

    def __init__(self, url: str, *, clock: Clock = utcnow) -> None:
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.clock = clock
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction
            # is exactly what `transaction()` spans.
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database at {path}: {exc}") from None
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            # WAL lets readers (other bot processes) read while one writes.
            self._db.execute("PRAGMA journal_mode = WAL")
        self._lock = threading.RLock()
        self.migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- schema ---------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the numbered migrations this database has not seen; return the version."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            for version, sql in _migrations():
                if version > current:
                    db.executescript_in_tx(sql)
                    db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                    current = version
        return current

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception: never half a write."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield _Tx(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- records --------------------------------------------------------------

    def snapshot(self, community: str) -> tuple[KnowledgeBase, dict[tuple[str, str], Meta], int]:
        """The community's live claim base, its records' metadata, and the history position."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM records WHERE community = ? AND deleted_at IS NULL ORDER BY position",
                (community,),
            ).fetchall()
            seq = self._last_seq(community)
        kb = KnowledgeBase()
        metas: dict[tuple[str, str], Meta] = {}
        by_kind: dict[str, list[sqlite3.Row]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append(row)
        for kind in ("source", "party", "event", "topic", "claim"):  # parents first
            for row in by_kind.get(kind, []):
                parent = row["parent"]
                if kind == "topic" and parent not in kb.events or kind == "claim" and parent not in kb.topics:
                    continue  # its parent was removed: hidden with it, restored with it
                kb.put(kind, _model(kind, row["body"]), parent)
                metas[(kind, row["id"])] = _meta(row)
        return kb, metas, seq

    def get(self, community: str, kind: str, record_id: str, *, include_deleted: bool = False) -> Stored | None:
        rows = self._read(
            "SELECT * FROM records WHERE community = ? AND kind = ? AND id = ?", (community, kind, record_id)
        )
        if not rows or (rows[0]["deleted_at"] is not None and not include_deleted):
            return None
        row = rows[0]
        return Stored(kind, row["id"], row["parent"], _model(kind, row["body"]), _meta(row))

    def deleted(self, community: str, kind: str) -> list[Stored]:
        rows = self._read(
            "SELECT * FROM records WHERE community = ? AND kind = ? AND deleted_at IS NOT NULL ORDER BY deleted_at DESC",
            (community, kind),
        )
        return [Stored(kind, r["id"], r["parent"], _model(kind, r["body"]), _meta(r)) for r in rows]

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
            position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM records WHERE community = ?",
                                  (community,)).fetchone()[0]
            body = w.record.model_dump_json()
            db.execute(
                "INSERT INTO records (community, kind, id, parent, body, position, version, created_at, created_by,"
                " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                (community, w.kind, w.id, w.parent, body, position, now, actor, now, actor),
            )
            return self._log(db, community, w, actor, now, 1, None, _state(w.parent, body))

        if row is None:
            raise NotFoundError(f"{label} does not exist")
        if w.expected_version is None:
            raise ValueError(f"{w.action} of {label} needs the version the writer loaded")
        if row["version"] != w.expected_version:
            raise ConflictError(
                f"{label} was changed by {row['updated_by']} at {row['updated_at'][:16].replace('T', ' ')} UTC "
                f"since you loaded it (version {w.expected_version}, now {row['version']}); "
                "reload it and apply your change again"
            )
        before = _state(row["parent"], row["body"])
        version = row["version"] + 1
        if w.action == "update":
            assert w.record is not None
            if row["deleted_at"] is not None:
                raise NotFoundError(f"{label} was removed; restore it before editing")
            body, parent = w.record.model_dump_json(), w.parent
            after = _state(parent, body)
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
                            _json(before), _json(after))

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
                         _json(r["before"]), _json(r["after"]))
            for r in self._read(sql, params)
        ]

    def last_seq(self, community: str) -> int:
        with self._lock:
            return self._last_seq(community)

    def _last_seq(self, community: str) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM history WHERE community = ?", (community,)).fetchone()
        return int(row[0] or 0)

    # --- questions ------------------------------------------------------------

    def record_question(self, community: str, question: str, *, channel: str | None, topic_id: str | None,
                        answered: bool) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO questions (community, asked_at, question, channel, topic_id, answered)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (community, _iso(self.clock()), question, channel, topic_id, int(answered)),
            )

    def questions(self, community: str, *, since: datetime | None = None,
                  answered: bool | None = None) -> list[AskedQuestion]:
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
        """Drop questions older than `before` (the retention setting); all communities when None."""
        with self.transaction() as db:
            if community is None:
                cur = db.execute("DELETE FROM questions WHERE asked_at < ?", (_iso(before),))
            else:
                cur = db.execute("DELETE FROM questions WHERE community = ? AND asked_at < ?",
                                 (community, _iso(before)))
            return cur.rowcount

    # --- posted answers -------------------------------------------------------

    def remember_posted_answer(self, community: str, ref: str, topic_id: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO posted_answers (community, ref, topic_id, posted_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (community, ref) DO UPDATE SET topic_id = excluded.topic_id,"
                " posted_at = excluded.posted_at",
                (community, ref, topic_id, _iso(self.clock())),
            )

    def posted_answers(self, community: str, topic_id: str, *, since: datetime) -> list[str]:
        """The refs of answers about `topic_id` posted since `since`, oldest first."""
        rows = self._read(
            "SELECT ref FROM posted_answers WHERE community = ? AND topic_id = ? AND posted_at >= ?"
            " ORDER BY posted_at",
            (community, topic_id, _iso(since)),
        )
        return [r["ref"] for r in rows]

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

    def channel_settings(self, community: str, channel: str) -> tuple[bool, str | None]:
        rows = self._read("SELECT auto_answer, event_id FROM channels WHERE community = ? AND channel = ?",
                          (community, channel))
        return (bool(rows[0]["auto_answer"]), rows[0]["event_id"]) if rows else (False, None)

    def set_channel(self, community: str, channel: str, *, auto_answer: bool, event_id: str | None) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO channels (community, channel, auto_answer, event_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (community, channel) DO UPDATE SET auto_answer = excluded.auto_answer,"
                " event_id = excluded.event_id",
                (community, channel, int(auto_answer), event_id),
            )


class _Tx:
    """The connection as seen inside a transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

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


def _migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("knowledge.migrations").iterdir():
        match = re.fullmatch(r"V(\d+)__\w+\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _model(kind: str, body: str) -> Model:
    return MODEL_OF_KIND[kind].model_validate_json(body)


def _meta(row: sqlite3.Row) -> Meta:
    return Meta(
        version=row["version"],
        created_at=_dt(row["created_at"]),
        created_by=row["created_by"],
        updated_at=_dt(row["updated_at"]),
        updated_by=row["updated_by"],
        deleted_at=_dt(row["deleted_at"]) if row["deleted_at"] else None,
    )


def _state(parent: str | None, body: str) -> str:
    return json.dumps({"parent": parent, "body": json.loads(body)}, ensure_ascii=False)


def _json(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _digest_row(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["created_at"] = _dt(data["created_at"])
    for name in ("last_slot", "covered_until", "schedule_set_at"):
        data[name] = _dt(data[name]) if data[name] else None
    data["post_when_empty"] = bool(data["post_when_empty"])
    return data


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)
