-- The claim base on PostgreSQL: the same tables and meaning as ../V1__initial.sql (read
-- that file for why the schema is shaped so). Dialect differences: timestamps are
-- timestamptz, flags boolean, sequence numbers identity columns; record bodies and
-- history states stay JSON text, exactly as written and read back by the same code.
CREATE TABLE records (
    community   TEXT        NOT NULL,   -- Discord guild id, or "local" for the CLI
    kind        TEXT        NOT NULL CHECK (kind IN ('source', 'party', 'event', 'topic', 'claim')),
    id          TEXT        NOT NULL,
    parent      TEXT,                   -- event id of a topic, topic id of a claim
    body        TEXT        NOT NULL,
    position    INTEGER     NOT NULL,   -- curator's order, kept for export
    version     INTEGER     NOT NULL,   -- optimistic concurrency: bumped by every write
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT        NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT        NOT NULL,
    deleted_at  TIMESTAMPTZ,            -- soft delete: restorable
    PRIMARY KEY (community, kind, id)
);
CREATE INDEX records_by_parent ON records (community, kind, parent);

-- Append-only: who changed what, when, before → after (JSON of {"parent", "body"}).
-- `seq` is drawn from a sequence; the store serialises each community's writes so that
-- a community's seq order is its commit order (see knowledge/pgstore.py).
CREATE TABLE history (
    seq         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   TEXT        NOT NULL,
    kind        TEXT        NOT NULL,
    record_id   TEXT        NOT NULL,
    action      TEXT        NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    actor       TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    version     INTEGER     NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX history_by_record ON history (community, kind, record_id, seq);
CREATE INDEX history_by_time ON history (community, at);
-- Followers ask "what is the newest seq of this community" before every answer.
CREATE INDEX history_by_seq ON history (community, seq);
CREATE FUNCTION history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only';
END $$;
CREATE TRIGGER history_is_append_only_update BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION history_is_append_only();
CREATE TRIGGER history_is_append_only_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION history_is_append_only();

-- Questions members asked, for "what could the base not answer" and "what was asked
-- most". No user ids, on purpose: moderators need the gap, not who asked.
CREATE TABLE questions (
    seq         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   TEXT        NOT NULL,
    asked_at    TIMESTAMPTZ NOT NULL,
    question    TEXT        NOT NULL,
    channel     TEXT,
    topic_id    TEXT,                   -- the topic answered, NULL when nothing fitted
    answered    BOOLEAN     NOT NULL
);
CREATE INDEX questions_by_time ON questions (community, asked_at);

-- Per-channel behaviour set by moderators.
CREATE TABLE channels (
    community   TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    auto_answer BOOLEAN NOT NULL DEFAULT FALSE,
    event_id    TEXT,                   -- questions here are about this event by default
    PRIMARY KEY (community, channel)
);
