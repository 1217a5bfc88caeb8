"""The storage seam: what the domain needs from a database, and nothing about which one.

`ClaimStore` is the protocol the service (and digests, curation, import) talk to. Two
implementations keep it: `knowledge.storage.Store` (SQLite, the embedded default) and
`knowledge.pgstore.PostgresStore` (PostgreSQL, for several processes on one database).
`open_store` picks one from `CLAIMBOT_DATABASE_URL`.

The domain types (writes, stored records, history entries, settings rows) and the
errors live here, so neither engine's module is imported by code that needs only them.
What both engines share beyond types — reading a stored body back (and quarantining it
when it no longer validates), refusing a value JSON would not keep, the batched queue of
members' questions — lives here too, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from .base import KnowledgeBase
from .clock import Clock
from .errors import ClaimbotError
from .i18n import N_
from .models import MODEL_OF_KIND, STORED_RECORD, Meta, Model

log = logging.getLogger("knowledge.storage")  # one logger name for both engines: operators grep for it

Action = Literal["create", "update", "delete", "restore"]

# How long one statement waits for another process's write lock before giving up with
# a clear message. Reads never wait; only writes can meet a long-held lock.
BUSY_TIMEOUT_SECONDS = 5.0

SERVER_WIDE = ""  # the channel id under which server-wide settings are kept


# --- errors -----------------------------------------------------------------------


class StoreError(ClaimbotError):
    """A store problem worth telling the user about; the message says what to do."""


class StoreBusyError(StoreError):
    """Another process held the database's write lock for too long; nothing was changed."""


class StoreClosedError(StoreError):
    """The store was closed: the process is shutting down."""


class UnreadableRecordError(StoreError):
    """A stored record that no longer validates (written by an older or broken version)."""


class ConflictError(StoreError):
    """Somebody else changed the record since the writer loaded it."""


class NotFoundError(StoreError):
    pass


class DatabaseUrlError(StoreError, ValueError):
    pass


def closed_error() -> StoreClosedError:
    return StoreClosedError("the claim base is closed (claimbot is shutting down)")


# --- domain types -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record left out of its community because it cannot be read back."""

    community: str
    kind: str
    id: str
    reason: str


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


@dataclass(frozen=True)
class ChannelSettings:
    auto_answer: bool = False
    event_id: str | None = None  # the event questions in the channel are about
    language: str | None = None  # the channel's own answer language
    server_language: str | None = None  # the whole server's, where the channel has none

    @property
    def answer_language(self) -> str | None:
        return self.language or self.server_language


@dataclass(frozen=True, slots=True)
class CandidatePhrasing:
    """A question a member matched to a topic by picking it from "did you mean"."""

    topic_id: str
    question: str
    picks: int
    last_picked: datetime


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    question: str
    asked_at: datetime
    channel: str | None
    topic_id: str | None
    answered: bool


# A queued question: (community, asked_at, question, channel, topic_id, answered).
QuestionRow = tuple[str, datetime, str, str | None, str | None, bool]


# --- the protocol -------------------------------------------------------------------


class ClaimStore(Protocol):
    """The claim base's database, whichever engine holds it. Thread-safe.

    Every record write runs in one transaction and appends to the history; updates are
    version-checked (`ConflictError`); every query is scoped to one community. History
    `seq` numbers of one community are seen in commit order by every reader, so a process
    following `history(after_seq=…)` never skips an entry. Errors a person can act on are
    `StoreError`s: `StoreBusyError` (a lock held too long, nothing changed),
    `StoreClosedError` (shutting down), `ConflictError`, `NotFoundError`."""

    url: str
    clock: Clock
    quarantine: dict[tuple[str, str, str], Quarantined]

    def close(self) -> None: ...
    def migrate(self) -> int: ...
    def schema_version(self) -> int: ...

    # records and history
    def snapshot(self, community: str) -> tuple[KnowledgeBase, dict[tuple[str, str], Meta], int]: ...
    def readable(self, community: str, kind: str, record_id: str, body: str | dict[str, Any]) -> Model | None: ...
    def get(self, community: str, kind: str, record_id: str, *, include_deleted: bool = False) -> Stored | None: ...
    def deleted(self, community: str, kind: str) -> list[Stored]: ...
    def write(self, community: str, writes: Sequence[Write], actor: str) -> list[HistoryEntry]: ...
    def history(self, community: str, *, kind: str | None = None, record_id: str | None = None,
                after_seq: int = 0, since: datetime | None = None, limit: int | None = None,
                newest_first: bool = False) -> list[HistoryEntry]: ...
    def last_seq(self, community: str) -> int: ...

    # members' questions and candidate phrasings
    def record_question(self, community: str, question: str, *, channel: str | None, topic_id: str | None,
                        answered: bool) -> None: ...
    def flush_questions(self) -> int: ...
    def questions(self, community: str, *, since: datetime | None = None,
                  answered: bool | None = None) -> list[AskedQuestion]: ...
    def forget_questions(self, community: str | None, before: datetime) -> int: ...
    def record_candidate(self, community: str, topic_id: str, question: str) -> None: ...
    def candidates(self, community: str, *, since: datetime) -> list[CandidatePhrasing]: ...
    def forget_candidate(self, community: str, topic_id: str, question: str) -> None: ...

    # posted answers
    def remember_posted_answer(self, community: str, ref: str, topic_id: str, language: str = "en") -> None: ...
    def posted_answers(self, community: str, topic_id: str, *, since: datetime) -> list[tuple[str, str]]: ...
    def forget_posted_answer(self, community: str, ref: str) -> None: ...

    # digests: one schedule per community; slots are claimed with compare-and-set
    def set_digest(self, community: str, *, channel: str, cadence: str, at_time: str, timezone: str,
                   weekday: int | None, post_when_empty: bool) -> None: ...
    def digest(self, community: str) -> dict[str, Any] | None: ...
    def digests(self) -> list[dict[str, Any]]: ...
    def delete_digest(self, community: str) -> bool: ...
    def claim_digest_slot(self, community: str, slot: datetime, previous: datetime | None,
                          covered_until: datetime) -> bool: ...
    def cover_digest(self, community: str, until: datetime, previous: datetime | None) -> bool: ...

    # channel settings
    def channel_settings(self, community: str, channel: str) -> ChannelSettings: ...
    def set_channel_language(self, community: str, channel: str, language: str | None) -> None: ...
    def set_auto_answer(self, community: str, channel: str, enabled: bool) -> None: ...
    def set_channel_event(self, community: str, channel: str, event_id: str | None) -> None: ...

    # shared claim bases (kept alike by both engines: SharedBases)
    def set_up_community(self, community: str, follow: Sequence[str]) -> SetUp: ...
    def publish_base(self, community: str, name: str, actor: str) -> PublishedBase: ...
    def withdraw_base(self, community: str) -> str | None: ...
    def published_bases(self, *, name: str | None = None, community: str | None = None,
                        include_withdrawn: bool = False) -> list[PublishedBase]: ...
    def follow_base(self, community: str, name: str) -> bool: ...
    def unfollow_base(self, community: str, name: str) -> bool: ...
    def followed_bases(self, community: str) -> list[PublishedBase]: ...
    def posted_answers_anywhere(self, topic_key: str, *, since: datetime) -> list[tuple[str, str, str]]: ...


# --- choosing an engine -------------------------------------------------------------

Engine = Literal["sqlite", "postgresql"]


def engine_of(url: str) -> Engine:
    """Which engine a CLAIMBOT_DATABASE_URL names; a clear error for anything else."""
    scheme = url.strip().split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    shown = f"'{scheme}:…'" if scheme else f"'{url[:40]}'"
    raise DatabaseUrlError(
        f"CLAIMBOT_DATABASE_URL: unsupported database URL {shown}; use sqlite:///path/to/claimbot.sqlite3 "
        "(relative), sqlite:////absolute/path, or postgresql://user@host:5432/dbname"
    )


def check_database_url(url: str) -> str:
    """Raise DatabaseUrlError (the fix in its message) unless `url` names a usable database."""
    if engine_of(url) == "sqlite":
        from .storage import sqlite_path

        sqlite_path(url)
    else:
        from .pgstore import postgres_target

        postgres_target(url)
    return url


def open_store(url: str, *, clock: Clock, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> ClaimStore:
    """The store a CLAIMBOT_DATABASE_URL names: SQLite or PostgreSQL."""
    if engine_of(url) == "postgresql":
        from .pgstore import PostgresStore  # psycopg is imported only by those who use it

        return PostgresStore(url, clock=clock, busy_timeout=busy_timeout)
    from .storage import Store

    return Store(url, clock=clock, busy_timeout=busy_timeout)


# --- shared by both engines ---------------------------------------------------------


class Quarantine:
    """Records that cannot be read back: logged once, listed, and left out."""

    def __init__(self) -> None:
        self.quarantine: dict[tuple[str, str, str], Quarantined] = {}

    def readable(self, community: str, kind: str, record_id: str, body: str | dict[str, Any]) -> Model | None:
        """The record a stored body holds, or None (quarantined, logged once) if it no longer validates."""
        try:
            return read_model(kind, body)
        except UnreadableRecordError as exc:
            key = (community, kind, record_id)
            if key not in self.quarantine:
                self.quarantine[key] = Quarantined(community, kind, record_id, str(exc))
                log.error("quarantined %s '%s' of community %s: it cannot be read back (%s); the rest of the "
                          "claim base is served without it — fix or remove it with a knowledge-file import",
                          kind, record_id, community, exc)
            return None

    def assemble(self, community: str, rows: Sequence[Any],
                 meta_of: Callable[[Any], Meta]) -> tuple[KnowledgeBase, dict[tuple[str, str], Meta]]:
        """A community's claim base from its live record rows (in position order, read by
        column name: sqlite3.Row or psycopg's dict rows), whatever the engine: parents first,
        so a record whose parent is gone stays hidden with it, and a record that no longer
        validates is quarantined and left out. `meta_of` reads the engine's timestamps."""
        kb = KnowledgeBase()
        metas: dict[tuple[str, str], Meta] = {}
        by_kind: dict[str, list[Any]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append(row)
        for kind in ("source", "party", "event", "topic", "claim"):  # parents first
            for row in by_kind.get(kind, []):
                parent = row["parent"]
                if kind == "topic" and parent not in kb.events or kind == "claim" and parent not in kb.topics:
                    continue  # its parent was removed: hidden with it, restored with it
                record = self.readable(community, kind, row["id"], row["body"])
                if record is None:
                    continue
                kb.put(kind, record, parent)
                metas[(kind, row["id"])] = meta_of(row)
        return kb, metas


def read_model(kind: str, body: str | dict[str, Any]) -> Model:
    try:
        # Bodies may predate the current model: figures are upgraded as they are read.
        if isinstance(body, dict):
            return MODEL_OF_KIND[kind].model_validate_json(json.dumps(body), context=STORED_RECORD)
        return MODEL_OF_KIND[kind].model_validate_json(body, context=STORED_RECORD)
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"]) or kind
            raise UnreadableRecordError(f"{where}: {err['msg']}") from None
        raise UnreadableRecordError(str(exc)) from None


def faithful_body(w: Write) -> str:
    """The JSON a record is stored as — refused when reading it back would not give the
    same record (a value JSON cannot hold, e.g. an infinite number, silently becomes null)."""
    assert w.record is not None
    body = w.record.model_dump_json()
    try:
        again = type(w.record).model_validate_json(body)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise StoreError(f"{w.kind} '{w.id}': {where} cannot be stored as given ({err['msg']}); "
                         "nothing was written") from None
    if again != w.record:
        fields = [name for name in type(w.record).model_fields if getattr(again, name) != getattr(w.record, name)]
        raise StoreError(f"{w.kind} '{w.id}': {', '.join(fields) or 'a field'} cannot be stored as given "
                         "(it would read back differently); nothing was written")
    return body


def record_state(parent: str | None, body: str) -> str:
    """A history entry's before/after: {"parent", "body"} as JSON text."""
    return json.dumps({"parent": parent, "body": json.loads(body)}, ensure_ascii=False)


def json_or_none(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def conflict_message(label: str, updated_by: str, updated_at: datetime, expected: int, current: int) -> str:
    return (f"{label} was changed by {updated_by} at {updated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
            f"since you loaded it (version {expected}, now {current}); reload it and apply your change again")


def migration_files(package: str, folder: str | None = None) -> list[tuple[int, str]]:
    """The numbered migrations V<n>__name.sql of one dialect, oldest first."""
    from importlib import resources

    root = resources.files(package)
    if folder is not None:
        root = root.joinpath(folder)
    found = []
    for entry in root.iterdir():
        match = re.fullmatch(r"V(\d+)__\w+\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


class QuestionQueue:
    """Members' questions, written in batches by a background thread.

    Recording a question must not make a member wait: while another process holds the
    write lock, questions wait here (bounded) and go out with the next batch. Nothing is
    lost on a clean shutdown: `close()` writes what is left. (The service flushes right
    away after a question it could not answer: the member is told it was noted.)"""

    BATCH_SECONDS = 0.5
    MAX_PENDING = 10_000

    def __init__(self, insert: Callable[[Sequence[QuestionRow]], None]) -> None:
        self._insert = insert  # writes one batch in one transaction, or raises StoreError
        self._pending: deque[QuestionRow] = deque()
        self._lock = threading.Lock()  # the deque and the thread's start
        self._flush_lock = threading.Lock()  # one writer of batches at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def put(self, row: QuestionRow) -> None:
        with self._lock:
            if len(self._pending) >= self.MAX_PENDING:
                self._pending.popleft()
                self.dropped += 1
                if self.dropped in (1, 100, 10_000):
                    log.warning("the database has been busy for long: %d unanswered-question record(s) dropped",
                                self.dropped)
            self._pending.append(row)
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="claimbot-questions", daemon=True)
                self._thread.start()
        if len(self._pending) >= 200:
            self._wake.set()

    def flush(self, *, quiet: bool = False) -> int:
        """Write every queued question in one transaction. With `quiet`, a busy database
        keeps them queued instead of raising."""
        with self._flush_lock:
            with self._lock:
                batch = list(self._pending)
                self._pending.clear()
            if not batch:
                return 0
            try:
                self._insert(batch)
            except StoreError:
                with self._lock:
                    self._pending.extendleft(reversed(batch))  # back in front, order kept
                if quiet:
                    return 0
                raise
            return len(batch)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.BATCH_SECONDS)
            self._wake.clear()
            try:
                self.flush(quiet=True)
            except Exception:  # noqa: BLE001 - the writer thread must survive to write the next batch
                log.exception("writing asked questions failed; they stay queued")
                self._stop.wait(self.BATCH_SECONDS)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush(quiet=True)
        except Exception:  # noqa: BLE001 - closing must not fail on statistics
            log.exception("could not write %d queued question(s) on shutdown", len(self._pending))
            return
        if self._pending:  # the database stayed busy to the end: say so, there is no next batch
            log.warning("the database stayed busy: %d asked question(s) could not be recorded for the moderators",
                        len(self._pending))


# --- shared claim bases: the rows both engines keep alike -------------------------------


@dataclass(frozen=True, slots=True)
class PublishedBase:
    """A community's claim base, published under a name other communities follow."""

    name: str
    community: str  # whose claims it is: they are served live, never copied
    published_at: datetime
    published_by: str
    withdrawn: bool = False
    followers: int = 0


# What setting a community up found: known before; new, with claims of its own already
# (from before bases could be followed); or new and empty (it now follows the defaults).
SetUp = Literal["known", "new", "new-empty"]


class BaseNameTakenError(StoreError):
    """The name belongs to another community's base (now or in the past)."""


class SharedBases:
    """Publishing, following and setting up communities, on either engine.

    The SQL is written once, with `?` parameters; each engine supplies `_sql` (its
    parameter style), `_stamp`/`_moment` (its timestamps), `_read` and a `transaction()`
    whose connection has `execute(sql, params)`."""

    clock: Clock

    def _sql(self, sql: str) -> str:
        return sql

    def _stamp(self, moment: datetime) -> Any:
        raise NotImplementedError

    def _moment(self, value: Any) -> datetime:
        raise NotImplementedError

    def _read(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
        raise NotImplementedError

    def transaction(self) -> Any:
        raise NotImplementedError

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
        return self._read(self._sql(sql), params)

    def set_up_community(self, community: str, follow: Sequence[str]) -> SetUp:
        """Mark `community` as set up; the first time, when it holds no claims of its own, it
        follows the (published, not withdrawn) bases named in `follow`. Only the first time:
        a community that later unfollows them is never made to follow them again."""
        if self._rows("SELECT 1 FROM communities WHERE community = ?", (community,)):
            return "known"  # read first: a known community never waits for the write lock
        now = self._stamp(self.clock())
        with self.transaction() as tx:
            added = tx.execute(self._sql("INSERT INTO communities (community, set_up_at) VALUES (?, ?)"
                                         " ON CONFLICT (community) DO NOTHING"), (community, now)).rowcount
            if not added:
                return "known"
            has_history = tx.execute(self._sql("SELECT 1 FROM history WHERE community = ? LIMIT 1"),
                                     (community,)).fetchone()
            if has_history is not None:
                return "new"
            for name in follow:  # empty: it follows the defaults
                tx.execute(self._sql(
                    "INSERT INTO follows (community, base, followed_at)"
                    " SELECT ?, name, ? FROM published_bases"
                    " WHERE name = ? AND withdrawn_at IS NULL AND community <> ?"
                    " ON CONFLICT (community, base) DO NOTHING"), (community, now, name, community))
            return "new-empty"

    def publish_base(self, community: str, name: str, actor: str) -> PublishedBase:
        """Publish `community`'s claims as `name` (again, after a withdrawal: same name only)."""
        now = self._stamp(self.clock())
        with self.transaction() as tx:
            rows = tx.execute(self._sql("SELECT name, community FROM published_bases WHERE name = ? OR community = ?"),
                              (name, community)).fetchall()
            for row in rows:
                if row["name"] == name and row["community"] != community:
                    raise BaseNameTakenError(
                        N_("the name '{name}' belongs to another community's claim base; choose another name"),
                        name=name)
                if row["community"] == community and row["name"] != name:
                    raise BaseNameTakenError(
                        N_("this community's claims are already published as '{name}'; one name per community"),
                        name=row["name"])
            if rows:
                tx.execute(self._sql("UPDATE published_bases SET withdrawn_at = NULL WHERE name = ?"), (name,))
            else:
                tx.execute(self._sql("INSERT INTO published_bases (name, community, published_at, published_by)"
                                     " VALUES (?, ?, ?, ?)"), (name, community, now, actor))
        found = self.published_bases(name=name)
        return found[0]

    def withdraw_base(self, community: str) -> str | None:
        """Stop serving `community`'s published base to its followers (the name stays its own);
        the name withdrawn, or None when nothing was published."""
        now = self._stamp(self.clock())
        with self.transaction() as tx:
            row = tx.execute(self._sql("SELECT name FROM published_bases WHERE community = ? AND withdrawn_at IS NULL"),
                             (community,)).fetchone()
            if row is None:
                return None
            tx.execute(self._sql("UPDATE published_bases SET withdrawn_at = ? WHERE name = ?"), (now, row["name"]))
            return str(row["name"])

    def published_bases(self, *, name: str | None = None, community: str | None = None,
                        include_withdrawn: bool = False) -> list[PublishedBase]:
        where, params = [], []
        if name is not None:
            where.append("b.name = ?")
            params.append(name)
        if community is not None:
            where.append("b.community = ?")
            params.append(community)
        if not include_withdrawn:
            where.append("b.withdrawn_at IS NULL")
        rows = self._rows(
            "SELECT b.name, b.community, b.published_at, b.published_by, b.withdrawn_at,"
            " (SELECT COUNT(*) FROM follows f WHERE f.base = b.name) AS followers FROM published_bases b"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY b.name", params)
        return [self._published(r, int(r["followers"])) for r in rows]

    def follow_base(self, community: str, name: str) -> bool:
        """True when newly followed; False when already followed. The caller checked the name."""
        with self.transaction() as tx:
            return bool(tx.execute(self._sql("INSERT INTO follows (community, base, followed_at) VALUES (?, ?, ?)"
                                             " ON CONFLICT (community, base) DO NOTHING"),
                                   (community, name, self._stamp(self.clock()))).rowcount)

    def unfollow_base(self, community: str, name: str) -> bool:
        with self.transaction() as tx:
            return bool(tx.execute(self._sql("DELETE FROM follows WHERE community = ? AND base = ?"),
                                   (community, name)).rowcount)

    def posted_answers_anywhere(self, topic_key: str, *, since: datetime) -> list[tuple[str, str, str]]:
        """(community, ref, language) of every answer about `topic_key` ("base/topic": a
        followed base's topic) posted since `since`, in whichever community, oldest first."""
        rows = self._rows("SELECT community, ref, language FROM posted_answers WHERE topic_id = ? AND posted_at >= ?"
                          " ORDER BY posted_at", (topic_key, self._stamp(since)))
        return [(r["community"], r["ref"], r["language"]) for r in rows]

    def _published(self, row: Any, followers: int = 0) -> PublishedBase:
        """A published_bases row (read by column name, whatever the engine)."""
        return PublishedBase(row["name"], row["community"], self._moment(row["published_at"]), row["published_by"],
                             row["withdrawn_at"] is not None, followers)

    def followed_bases(self, community: str) -> list[PublishedBase]:
        """The bases `community` follows, oldest follow first, withdrawn ones included (marked)."""
        rows = self._rows(
            "SELECT b.name, b.community, b.published_at, b.published_by, b.withdrawn_at FROM follows f"
            " JOIN published_bases b ON b.name = f.base WHERE f.community = ? ORDER BY f.followed_at, b.name",
            (community,))
        return [self._published(r) for r in rows]
