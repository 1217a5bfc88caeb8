-- Shared claim bases (as ../V7__shared_bases.sql): published names, who follows them, and
-- the communities already set up (so that default follows are made once).
CREATE TABLE communities (
    community   TEXT PRIMARY KEY,
    set_up_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE published_bases (
    name          TEXT PRIMARY KEY,
    community     TEXT NOT NULL UNIQUE,
    published_at  TIMESTAMPTZ NOT NULL,
    published_by  TEXT NOT NULL,
    withdrawn_at  TIMESTAMPTZ
);
CREATE TABLE follows (
    community    TEXT NOT NULL,
    base         TEXT NOT NULL REFERENCES published_bases (name),
    followed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (community, base)
);
INSERT INTO communities (community, set_up_at)
    SELECT community, MIN(at) FROM history GROUP BY community;
