-- The claim base. One generic table for all record kinds (source, party, event, topic,
-- claim): each kind's fields live in `body` as the pydantic model's JSON, validated on
-- the way in and out. The trade-off: no SQL joins over fields, but one code path for
-- versioning, history, soft delete and community scoping, and a schema that stays the
-- same when the model gains a field. Queries that matter (by community, by kind, by
-- parent) use real columns.
CREATE TABLE records (
    community   TEXT    NOT NULL,   -- Discord guild id, or "local" for the CLI
    kind        TEXT    NOT NULL CHECK (kind IN ('source', 'party', 'event', 'topic', 'claim')),
    id          TEXT    NOT NULL,
    parent      TEXT,               -- event id of a topic, topic id of a claim
    body        TEXT    NOT NULL,
    position    INTEGER NOT NULL,   -- curator's order, kept for export
    version     INTEGER NOT NULL,   -- optimistic concurrency: bumped by every write
    created_at  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    updated_by  TEXT    NOT NULL,
    deleted_at  TEXT,               -- soft delete: restorable
    PRIMARY KEY (community, kind, id)
);
CREATE INDEX records_by_parent ON records (community, kind, parent);

-- Append-only: who changed what, when, before → after (JSON of {"parent", "body"}).
CREATE TABLE history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    community   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    actor       TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX history_by_record ON history (community, kind, record_id, seq);
CREATE INDEX history_by_time ON history (community, at);
CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

-- Questions members asked, for "what could the base not answer" and "what was asked
-- most". No user ids, on purpose: moderators need the gap, not who asked.
CREATE TABLE questions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    community   TEXT    NOT NULL,
    asked_at    TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    channel     TEXT,
    topic_id    TEXT,               -- the topic answered, NULL when nothing fitted
    answered    INTEGER NOT NULL
);
CREATE INDEX questions_by_time ON questions (community, asked_at);

-- Per-channel behaviour set by moderators.
CREATE TABLE channels (
    community   TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    auto_answer INTEGER NOT NULL DEFAULT 0,
    event_id    TEXT,               -- questions here are about this event by default
    PRIMARY KEY (community, channel)
);
