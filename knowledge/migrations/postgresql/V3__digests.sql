-- Scheduled summary posts, one schedule per community (as ../V3__digests.sql). A slot is
-- claimed by moving `last_slot` forward in one compare-and-set UPDATE before posting, so
-- a restart or a second process never posts the same slot twice.
CREATE TABLE digests (
    community        TEXT        PRIMARY KEY,
    channel          TEXT        NOT NULL,
    cadence          TEXT        NOT NULL CHECK (cadence IN ('daily', 'weekly')),
    at_time          TEXT        NOT NULL,   -- HH:MM in `timezone`
    timezone         TEXT        NOT NULL,   -- IANA name, e.g. Europe/Kyiv
    weekday          INTEGER,                -- 0 = Monday, for weekly digests
    post_when_empty  BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ NOT NULL,
    last_slot        TIMESTAMPTZ
);
