-- Scheduled summary posts, one schedule per community. `last_slot` is the scheduled
-- time of the last post (not when it went out): a slot is claimed by moving it forward
-- in one compare-and-set UPDATE before posting, so a restart or a second process never
-- posts the same slot twice.
CREATE TABLE digests (
    community        TEXT    PRIMARY KEY,
    channel          TEXT    NOT NULL,
    cadence          TEXT    NOT NULL CHECK (cadence IN ('daily', 'weekly')),
    at_time          TEXT    NOT NULL,   -- HH:MM in `timezone`
    timezone         TEXT    NOT NULL,   -- IANA name, e.g. Europe/Kyiv
    weekday          INTEGER,            -- 0 = Monday, for weekly digests
    post_when_empty  INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    last_slot        TEXT
);
